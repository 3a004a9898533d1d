"""A frontend on another origin may call the API when that origin is configured."""

from django.urls import reverse


def test_an_allowed_origin_gets_cors_headers_on_preflight(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.northwind.test"]
    response = client.options(
        reverse("me"),
        headers={"origin": "https://app.northwind.test", "access-control-request-method": "GET",
                 "access-control-request-headers": "authorization"},
    )
    assert response["access-control-allow-origin"] == "https://app.northwind.test"
    assert "authorization" in response["access-control-allow-headers"]


def test_an_unknown_origin_gets_no_cors_headers(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.northwind.test"]
    response = client.get(reverse("me"), headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response


def exposed(response) -> set[str]:
    return {name.strip().lower() for name in response.get("access-control-expose-headers", "").split(",")}


def test_a_401_tells_another_origin_how_to_authenticate(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.northwind.test"]
    response = client.get(reverse("me"), headers={"origin": "https://app.northwind.test"})
    assert response.status_code == 401
    assert response["access-control-allow-origin"] == "https://app.northwind.test"
    assert response["WWW-Authenticate"] == "Token"
    assert "www-authenticate" in exposed(response)


def test_a_429_lets_another_origin_read_when_to_retry(client, settings, db):
    from django.core.cache import cache

    settings.CORS_ALLOWED_ORIGINS = ["https://app.northwind.test"]
    settings.AUTH_THROTTLE_RATE = "1/min"
    cache.clear()
    try:
        body = {"email": "nobody@northwind.test", "password": "wrong"}
        first = client.post(reverse("auth-token"), body, content_type="application/json",
                            headers={"origin": "https://app.northwind.test"})
        assert first.status_code == 400
        throttled = client.post(reverse("auth-token"), body, content_type="application/json",
                                headers={"origin": "https://app.northwind.test"})
    finally:
        cache.clear()
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "retry-after" in exposed(throttled)
    assert throttled["access-control-allow-origin"] == "https://app.northwind.test"


def test_an_unknown_origin_is_exposed_nothing(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.northwind.test"]
    response = client.get(reverse("me"), headers={"origin": "https://evil.example"})
    assert "access-control-expose-headers" not in response
