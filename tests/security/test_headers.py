"""Hardening headers with DEBUG off (issue 8, kind 13): Content-Security-Policy without
inline scripts or styles, Permissions-Policy, and no-store on everything private."""

import pytest
from django.urls import reverse


def directives(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize("path", ["/login/", "/", "/sessions/", "/escalations/", "/account/", "/no-such-page/"])
def test_every_page_has_a_policy_without_inline_scripts_or_styles(client, admin_user, path):
    client.force_login(admin_user)
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    # a nonce is added only to responses whose template uses {{ csp_nonce }}; none needs one
    assert set(policy["script-src"]) <= {"'self'"} | {s for s in policy["script-src"] if s.startswith("'nonce-")}
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_carries_inline_script_or_style(client, admin_user):
    """What the policy would block must not be in the pages at all."""
    client.force_login(admin_user)
    for path in ["/login/", "/", "/sessions/", "/sessions/new/", "/escalations/", "/account/"]:
        html = client.get(path).content.decode()
        assert "<style" not in html and ' style="' not in html, path
        for chunk in html.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith(("src=", 'type="application/json"')), (path, chunk[:80])


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_the_api_docs_allow_inline_styles_but_never_inline_scripts(client, admin_user, name):
    client.force_login(admin_user)
    response = client.get(reverse(name))
    policy = directives(response)
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    html = response.content.decode()
    for chunk in html.split("<script")[1:]:
        attributes = chunk.split(">", 1)[0]
        assert attributes.strip().startswith("src=") or 'type="application/json"' in attributes, chunk[:80]


@pytest.mark.parametrize("path", ["/login/", "/api/v1/me/", "/healthz"])
def test_every_answer_has_a_permissions_policy(client, path):
    response = client.get(path)
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/sessions/", "/escalations/", "/account/", "/metrics/"])
def test_pages_of_a_signed_in_person_are_never_stored(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/sessions/", "/api/v1/handoffs/", "/api/v1/nope/"])
def test_api_answers_are_never_stored(api, engineer, path):
    response = api.as_user(engineer).get(path)
    assert "no-store" in response["Cache-Control"]


def test_api_answers_by_token_are_never_stored(client, engineer):
    from accounts import services

    issued = services.api_token_create(user=engineer, name="test")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_api_refusal_is_never_stored(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]
