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
