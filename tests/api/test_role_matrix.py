"""The role × action table of DESIGN.md §4, pinned for every API endpoint.

``MATRIX`` maps (url name, method) to the status each role gets. A test fails when the
router has an endpoint that the table does not name, so a new endpoint cannot ship
without deciding who may call it.
"""

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory

from .endpoints import api_endpoints

V, E, A = "viewer", "engineer", "admin"

# (url name, method): ({role: expected status}, request body)
MATRIX = {
    ("me", "get"): ({V: 200, E: 200, A: 200}, None),
    ("account", "get"): ({V: 200, E: 200, A: 200}, None),
    ("account", "patch"): ({V: 403, E: 403, A: 200}, {"unclaimed_alert_minutes": 20}),
    ("user-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("user-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("user-detail", "patch"): ({V: 403, E: 403, A: 200}, {"role": "viewer"}),
    ("invitation-list", "get"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-list", "post"): ({V: 403, E: 403, A: 201}, {"email": "new@northwind.test", "role": "engineer"}),
    ("invitation-detail", "get"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-revoke", "post"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-resend", "post"): ({V: 403, E: 403, A: 200}, None),
}

# Endpoints outside the role table, tested in their own modules.
OUTSIDE_THE_TABLE = {
    ("auth-token", "post"),  # tests/api/test_auth_tokens.py
    ("auth-token-revoke", "post"),  # tests/api/test_auth_tokens.py
    ("schema", "get"),  # tests/api/test_schema.py
    ("api-docs", "get"),
    ("api-redoc", "get"),
}


def test_every_routed_endpoint_is_in_the_role_table():
    routed = {(name, method) for name, method, _, _ in api_endpoints()}
    missing = routed - set(MATRIX) - OUTSIDE_THE_TABLE
    assert not missing, f"endpoints without a row in the role matrix: {sorted(missing)}"
    stale = set(MATRIX) - routed
    assert not stale, f"matrix rows for endpoints that no longer exist: {sorted(stale)}"


@pytest.fixture
def targets(northwind, senior, admin_user):
    invitation = InvitationFactory(account=northwind, invited_by=admin_user)
    return {"user-detail": senior.pk, "invitation-detail": invitation.pk,
            "invitation-revoke": invitation.pk, "invitation-resend": invitation.pk}


def _url(name, targets):
    if name in targets:
        return reverse(name, args=[targets[name]])
    return reverse(name)


@pytest.mark.parametrize("role", [V, E, A])
@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_role_gets_the_status_the_table_says(api, personas, targets, role, name, method):
    user = {V: personas["viewer"], E: personas["engineer"], A: personas["admin"]}[role]
    expected, body = MATRIX[(name, method)]
    response = getattr(api.as_user(user), method)(_url(name, targets), body, format="json")
    assert response.status_code == expected[role], response.content
    if response.status_code == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_anonymous_callers_are_told_to_authenticate(api, targets, name, method):
    response = getattr(api, method)(_url(name, targets), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_platform_staff_without_an_account_are_refused(api, targets, name, method, db):
    from tests.factories import UserFactory

    staff = UserFactory(account=None, is_staff=True, role="admin")
    response = getattr(api.as_user(staff), method)(_url(name, targets), {}, format="json")
    assert response.status_code == 403
