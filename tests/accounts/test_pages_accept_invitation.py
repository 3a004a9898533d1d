"""Accepting an invitation from the emailed link: /invitations/<token>/."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.utils import timezone

from accounts.models import Invitation, Role, User
from tests.factories import InvitationFactory

TOKEN = "a-token-only-the-invitee-has"
URL = f"/invitations/{TOKEN}/"
GOOD = {"display_name": "Nia Newcomer", "password": "tangerine-lighthouse-42", "password2": "tangerine-lighthouse-42"}


@pytest.fixture
def invitation(northwind, admin_user):
    return InvitationFactory(account=northwind, email="nia@example.com", role=Role.VIEWER, token=TOKEN,
                             invited_by=admin_user)


def test_the_page_shows_the_account_email_and_role_and_a_form(client, invitation):
    response = client.get(URL)

    assert response.status_code == 200
    assert 'data-testid="invitation-account">Northwind IT<' in response.text
    assert 'data-testid="invitation-email">nia@example.com<' in response.text
    assert 'data-testid="invitation-role">Viewer<' in response.text
    for testid in ("accept-name", "accept-password", "accept-password2", "accept-submit"):
        assert f'data-testid="{testid}"' in response.text
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_accepting_creates_the_user_in_the_right_account_with_the_invited_role_and_logs_them_in(
    client, invitation, northwind
):
    response = client.post(URL, GOOD)

    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(email="nia@example.com")
    assert (user.account, user.role, user.display_name) == (northwind, Role.VIEWER, "Nia Newcomer")
    assert user.check_password(GOOD["password"])
    assert get_user(client) == user
    assert Invitation.objects.for_account(northwind).get().status == "accepted"
    assert "Welcome to Northwind IT, Nia Newcomer." in client.get("/").text


def test_the_used_link_then_says_it_was_used(client, invitation):
    client.post(URL, GOOD)
    client.post("/logout/")

    response = client.get(URL)

    assert response.status_code == 410
    assert "already been used" in response.text
    assert 'data-testid="accept-submit"' not in response.text


def test_a_weak_password_is_refused_with_the_validators_message_and_nothing_is_created(client, invitation):
    response = client.post(URL, {**GOOD, "password": "12345678", "password2": "12345678"})

    assert response.status_code == 400
    assert "This password is too common." in response.text
    assert "This password is entirely numeric." in response.text
    assert not User.objects.filter(email="nia@example.com").exists()
    assert Invitation.unscoped.get(pk=invitation.pk).status == "pending"
    assert not get_user(client).is_authenticated


def test_a_password_like_the_email_is_refused(client, invitation):
    response = client.post(URL, {**GOOD, "password": "nia@example.com", "password2": "nia@example.com"})

    assert response.status_code == 400
    assert "too similar" in response.text
    assert not User.objects.filter(email="nia@example.com").exists()


def test_two_different_passwords_are_refused(client, invitation):
    response = client.post(URL, {**GOOD, "password2": "something-else-entirely"})

    assert response.status_code == 400
    assert "The two passwords differ" in response.text
    assert not User.objects.filter(email="nia@example.com").exists()


@pytest.mark.parametrize(
    "state,changes,status,headline",
    [
        ("expired", {"expires_at": timezone.now() - timedelta(minutes=1)}, 410, "This invitation has expired"),
        ("revoked", {"revoked_at": timezone.now()}, 410, "This invitation was revoked"),
        ("accepted", {"accepted_at": timezone.now()}, 410, "already been used"),
    ],
)
def test_a_link_that_can_no_longer_be_used_explains_why_and_creates_nothing(
    client, northwind, state, changes, status, headline
):
    InvitationFactory(account=northwind, email="nia@example.com", token=TOKEN, **changes)

    for response in (client.get(URL), client.post(URL, GOOD)):
        assert response.status_code == status
        assert headline in response.text
        assert f'data-state="{state}"' in response.text
        assert 'data-testid="accept-submit"' not in response.text
    assert not User.objects.filter(email="nia@example.com").exists()


def test_an_unknown_link_is_not_found_and_creates_nothing(client, db):
    for response in (client.get("/invitations/no-such-token/"), client.post("/invitations/no-such-token/", GOOD)):
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.text
        assert 'data-testid="accept-submit"' not in response.text
    assert not User.objects.exists()


def test_a_signed_in_user_is_asked_to_log_out_first_and_is_not_switched(client, invitation, engineer):
    client.force_login(engineer)

    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="invitation-signed-in"' in page.text
    assert 'data-testid="accept-submit"' not in page.text

    response = client.post(URL, GOOD)
    assert response.status_code == 409
    assert get_user(client) == engineer
    assert not User.objects.filter(email="nia@example.com").exists()
    assert Invitation.unscoped.get(pk=invitation.pk).status == "pending"


def test_logging_out_from_the_invitation_page_comes_back_to_it(client, invitation, engineer):
    client.force_login(engineer)

    response = client.post("/logout/", {"next": URL})

    assert response.url == URL
    assert 'data-testid="accept-submit"' in client.get(URL).text


def test_an_email_that_got_a_login_meanwhile_is_refused_and_the_invitation_stays_usable(
    client, invitation, outsider
):
    User.objects.create_user(email="nia@example.com", password="x", account=outsider)

    response = client.post(URL, GOOD)

    assert response.status_code == 409
    assert 'data-testid="accept-error"' in response.text
    assert Invitation.unscoped.get(pk=invitation.pk).status == "pending"
