"""Every Django admin URL, fetched by a visitor who is not signed in, answers the login page or
a redirect to it: never a server error (the app list of the login page once asked an anonymous
visitor for its account)."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, reverse

from tests.factories import UserFactory

# Sample values per converter, so every pattern with parameters can be fetched too (fixed, so
# every pytest-xdist worker collects the same test ids).
SAMPLE_ID = str(uuid.UUID("6f1c2a52-3c1e-4f7e-9d2a-5b8f0e7c4a10"))
SAMPLE = {"int": "1", "path": SAMPLE_ID, "str": SAMPLE_ID, "uuid": SAMPLE_ID, "slug": "sample"}


def _routes(pattern) -> list[str]:
    """The paths one pattern stands for: path converters get sample values; the admin's two
    regular expressions (the app index of each app, the catch-all) get every app / a miss."""
    route = str(pattern)
    for name, converter in getattr(pattern, "converters", {}).items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        route = route.replace(f"<{kind}:{name}>", SAMPLE.get(kind, "1")).replace(f"<{name}>", SAMPLE["str"])
    route = route.lstrip("^").rstrip("$")
    if app_labels := re.fullmatch(r"\(\?P<app_label>([\w|]+)\)/", route):
        return [f"{label}/" for label in app_labels.group(1).split("|")]
    if route == "(?P<url>.*)":
        return ["no-such-admin-page/"]
    return [route]


def _admin_paths(patterns=None, prefix=""):
    """``(name, path)`` for every admin URL pattern, parameters filled with sample values."""
    for entry in admin.site.urls[0] if patterns is None else patterns:
        for route in _routes(entry.pattern):
            if isinstance(entry, URLResolver):
                yield from _admin_paths(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield entry.name, "/admin/" + prefix + route


ADMIN_PATHS = sorted(set(_admin_paths()), key=lambda item: item[1])


def test_the_walk_covers_the_admin_of_every_app():
    names = {name for name, _ in ADMIN_PATHS}
    assert {"login", "index", "accounts_user_changelist", "accounts_user_change",
            "sessions_app_troubleshootingsession_changelist", "handoffs_handoff_change"} <= names
    assert {"/admin/accounts/", "/admin/handoffs/", "/admin/no-such-admin-page/"} <= {p for _, p in ADMIN_PATHS}
    assert not [path for _, path in ADMIN_PATHS if "<" in path or "(" in path], "a parameter was left unfilled"


@pytest.mark.django_db
def test_the_admin_login_page_shows_its_form_to_a_visitor(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def login_pages() -> set[str]:
    """Where a visitor may be sent to sign in: the admin's login page, or the site's (login is
    required site-wide, and only the admin's own login page is exempt)."""
    return {reverse("admin:login"), resolve_url(settings.LOGIN_URL)}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ADMIN_PATHS, ids=[path for _, path in ADMIN_PATHS])
def test_every_admin_url_sends_a_visitor_to_a_login_page(client, name, path):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code < 500, f"{path} answered {response.status_code}"
    if name == "login":
        assert response.status_code == 200
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    target = urlsplit(response["Location"]).path
    if name == "logout":
        # Signing out is a POST; a GET goes back to the admin, which asks for a login.
        assert target in login_pages() | {reverse("admin:index")}
    else:
        assert target in login_pages(), f"{path} sent a visitor to {target}"


@pytest.mark.django_db
def test_a_signed_in_user_who_is_not_staff_is_asked_to_sign_in_as_staff(client, engineer):
    client.force_login(engineer)
    client.raise_request_exception = False
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and urlsplit(response["Location"]).path in login_pages()


@pytest.mark.django_db
def test_a_deactivated_superuser_sees_nothing_of_any_account(client):
    root = UserFactory(account=None, email="gone@resolutionflow.test", is_staff=True, is_superuser=True,
                       is_active=False)
    client.force_login(root)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
