"""Another account's objects do not exist for you: 404 on every object route, absent from
every list, and no foreign field in any response body."""

import json

import pytest
from django.urls import reverse

from accounts.models import Invitation, User
from tests.factories import InvitationFactory, UserFactory

from .endpoints import api_object_routes

# Every object route of the API, with a body that would be valid for an admin of the owner.
OBJECT_ROUTES = {
    ("user-detail", "get"): None,
    ("user-detail", "patch"): {"role": "viewer"},
    ("invitation-detail", "get"): None,
    ("invitation-revoke", "post"): None,
    ("invitation-resend", "post"): None,
}


@pytest.fixture
def foreign(outsider, outsider_admin):
    member = UserFactory(account=outsider, role="engineer", email="otto@contoso.test", display_name="Otto Foreign")
    invitation = InvitationFactory(account=outsider, invited_by=outsider_admin, email="secret-hire@contoso.test")
    return {"user-detail": member, "invitation-detail": invitation, "invitation-revoke": invitation,
            "invitation-resend": invitation}


def test_every_object_route_is_in_the_isolation_table():
    assert api_object_routes() == set(OBJECT_ROUTES)


@pytest.mark.parametrize(("name", "method"), list(OBJECT_ROUTES), ids=str)
def test_a_foreign_object_is_not_found_and_unchanged(api, admin_user, foreign, name, method):
    target = foreign[name]
    before = type(target)._base_manager.filter(pk=target.pk).values().get()
    response = getattr(api.as_user(admin_user), method)(
        reverse(name, args=[target.pk]), OBJECT_ROUTES[(name, method)], format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
    assert type(target)._base_manager.filter(pk=target.pk).values().get() == before


@pytest.mark.parametrize("name", ["user-list", "invitation-list"])
def test_lists_show_only_the_callers_account(api, admin_user, engineer, foreign, northwind, name):
    InvitationFactory(account=northwind, invited_by=admin_user, email="our-hire@northwind.test")
    response = api.as_user(admin_user).get(reverse(name))
    assert response.status_code == 200
    body = json.dumps(response.json())
    assert "contoso" not in body
    assert str(foreign["user-detail"].pk) not in body
    assert str(foreign["invitation-detail"].pk) not in body
    assert response.json()["count"] >= 1


def test_me_and_account_describe_only_the_callers_account(api, engineer, foreign):
    for name in ("me", "account"):
        body = json.dumps(api.as_user(engineer).get(reverse(name)).json())
        assert "Northwind" in body
        assert "Contoso" not in body and "contoso" not in body


def test_an_admin_cannot_invite_into_another_account_by_sending_its_id(api, admin_user, outsider, foreign):
    response = api.as_user(admin_user).post(
        reverse("invitation-list"),
        {"email": "smuggled@example.com", "role": "admin", "account": str(outsider.pk)},
        format="json",
    )
    assert response.status_code == 201
    invitation = Invitation.unscoped.get(email="smuggled@example.com")
    assert invitation.account_id == admin_user.account_id


def test_a_foreign_admin_cannot_change_our_people(api, outsider_admin, engineer):
    response = api.as_user(outsider_admin).patch(
        reverse("user-detail", args=[engineer.pk]), {"role": "admin"}, format="json"
    )
    assert response.status_code == 404
    assert User.objects.get(pk=engineer.pk).role == "engineer"
