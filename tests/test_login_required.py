"""Login is required by construction (docs/architecture.md#pages): a walk over every URL the project
serves. A page is public only if it is on the list below; everything else sends an anonymous
visitor to log in (or answers 401 JSON for a page script's endpoint), so a new page nobody
decided about fails here. API views are DRF's: they authenticate a token or the cookie
themselves, and each one's permissions are pinned by tests/api/test_role_matrix.py."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

# Pages anyone may open, each for a reason.
PUBLIC_PAGES = {
    "healthz",  # load balancers
    "login",
    "accept_invitation",  # the invitee has no login yet
    "admin:login",  # platform staff sign in to Django admin
    "api_not_found",  # the JSON 404 of an unknown /api/ path: the same answer signed in or not
}


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None, entry.callback


def is_api(callback) -> bool:
    return isinstance(getattr(callback, "cls", None), type) and issubclass(callback.cls, APIView)


PAGES = [(route, name, callback) for route, name, callback in walk() if not is_api(callback)]


def test_only_the_listed_pages_are_public():
    public = {name for _route, name, callback in PAGES if not getattr(callback, "login_required", True)}
    assert public == PUBLIC_PAGES


def test_every_api_view_authenticates_but_the_password_login_and_the_invitation_link():
    unauthenticated = {name for _route, name, callback in walk()
                       if is_api(callback) and not callback.cls.authentication_classes}
    assert unauthenticated == {"auth-token", "invitation-accept"}


def sample_path(route: str) -> str:
    """A concrete path for a route: UUIDs and tokens filled in, regex anchors dropped."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"<uuid:\w+>", lambda _m: str(uuid.uuid4()), path)
    return "/" + re.sub(r"<(?:str|slug):\w+>", "x", path)


PRIVATE_PAGES = [(route, name) for route, name, callback in PAGES
                 if getattr(callback, "login_required", True) and route.startswith(("sessions/", "escalations/",
                                                                                     "account/", "palette"))
                 or name in ("home", "logout")]


def test_the_walk_found_the_pages():
    assert len(PRIVATE_PAGES) > 25


@pytest.mark.parametrize("route, name", PRIVATE_PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, db, route, name):
    path = sample_path(route)
    response = client.get(path)
    if response.status_code == 401:
        assert response.json()["code"] == "not_authenticated"
    else:
        assert response.status_code == 302, path
        assert response.url.startswith("/login/?next="), path


def test_an_anonymous_htmx_request_is_redirected_by_the_client(client, db):
    response = client.post(f"/escalations/{uuid.uuid4()}/claim/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/login/?next=")
