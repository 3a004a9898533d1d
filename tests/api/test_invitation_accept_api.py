"""Accepting an invitation through the API: ``GET /api/v1/invitations/accept/{token}/`` says
what it invites to, ``POST`` with a name and a password creates the login (the page's service)
and answers it with a key. No login needed; unusable links are 404 or 410 with a code."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Invitation, Role, User
from tests.factories import InvitationFactory

TOKEN = "a-token-only-the-invitee-has"
GOOD = {"name": "Nia Newcomer", "password": "tangerine-lighthouse-42"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invitation(northwind, admin_user):
    return InvitationFactory(account=northwind, email="nia@example.com", role=Role.VIEWER, token=TOKEN,
                             invited_by=admin_user)


def url(token=TOKEN):
    return reverse("invitation-accept", args=[token])


def test_anyone_with_the_link_reads_what_it_invites_to(invitation):
    response = APIClient().get(url())
    assert response.status_code == 200
    assert response.json() == {"email": "nia@example.com", "role": "viewer",
                               "account": {"name": "Northwind IT", "slug": "northwind"}, "invited_by": "Ada Admin",
                               "expires_at": response.json()["expires_at"]}


def test_accepting_creates_the_login_and_answers_with_a_working_key(invitation, northwind):
    response = APIClient().post(url(), GOOD, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="nia@example.com")
    assert (user.account, user.role, user.display_name) == (northwind, Role.VIEWER, "Nia Newcomer")
    assert user.check_password(GOOD["password"])
    assert body["user"]["id"] == str(user.pk) and body["user"]["account"]["slug"] == "northwind"
    assert ApiToken.objects.get(pk=body["token_id"]).user == user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(reverse("me")).json()["email"] == "nia@example.com"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_user == user
    # Single use: the link is gone now.
    again = APIClient().post(url(), GOOD, format="json")
    assert (again.status_code, again.json()["code"]) == (410, "invitation_accepted")


def test_a_signed_in_caller_gets_a_key_for_the_new_login_and_stays_who_they_were(invitation, engineer):
    client = APIClient()
    client.force_login(engineer)
    response = client.post(url(), GOOD, format="json")
    assert response.status_code == 201
    assert client.get(reverse("me")).json()["email"] == engineer.email


@pytest.mark.parametrize(("state", "status", "code"), [
    ("unknown", 404, "invalid_invitation"), ("expired", 410, "invitation_expired"),
    ("revoked", 410, "invitation_revoked"), ("accepted", 410, "invitation_accepted"),
])
def test_an_unusable_link_is_refused_with_a_code_and_creates_nothing(invitation, state, status, code):
    changes = {"expired": {"expires_at": timezone.now() - timedelta(minutes=1)},
               "revoked": {"revoked_at": timezone.now()}, "accepted": {"accepted_at": timezone.now()}}
    if state in changes:
        Invitation.unscoped.filter(pk=invitation.pk).update(**changes[state])
    token = "not-a-link-we-gave" if state == "unknown" else TOKEN
    for method in ("get", "post"):
        response = getattr(APIClient(), method)(url(token), GOOD, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), method
    assert not User.objects.filter(email="nia@example.com").exists()


def test_a_weak_password_is_a_400_on_the_password_and_leaves_the_link_usable(invitation):
    response = APIClient().post(url(), {"name": "Nia", "password": "123"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["errors"]["password"]
    assert {error["code"] for error in body["errors"]["password"]} <= {
        "password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"}
    assert not User.objects.filter(email="nia@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert APIClient().post(url(), GOOD, format="json").status_code == 201


@pytest.mark.parametrize("body", [{}, {"name": "Nia"}, {"password": "tangerine-lighthouse-42"}, {"name": "",
                                                                                                   "password": "x"}])
def test_a_missing_name_or_password_is_a_400_naming_it(invitation, body):
    response = APIClient().post(url(), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) <= {"name", "password"}
    assert Invitation.unscoped.get(pk=invitation.pk).status == "pending"


@override_settings(AUTH_THROTTLE_RATE="3/min")
def test_tries_are_throttled_per_address_like_password_logins(invitation):
    client = APIClient()
    for _ in range(3):
        assert client.get(url("guess")).status_code == 404
    response = client.get(url("guess"))
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and response.json()["retry_after"] > 0


@override_settings(AUTH_THROTTLE_RATE="3/min")
def test_invitation_tries_are_counted_apart_from_password_logins(invitation, engineer):
    from tests.factories import PASSWORD

    client = APIClient()
    for _ in range(3):
        assert client.get(url("guess")).status_code == 404
    assert client.get(url("guess")).status_code == 429
    login = client.post(reverse("auth-token"), {"email": engineer.email, "password": PASSWORD}, format="json")
    assert login.status_code == 201
