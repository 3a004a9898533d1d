"""The Invitations section of Account Management: invite, resend, revoke."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Invitation, Role
from tests.factories import InvitationFactory
from tests.tasks import run_due_tasks

HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def invitations_of(account):
    return Invitation.objects.for_account(account)


def link_in(message):
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body).group(1)


def invite(client, email, role="engineer", *, capture, headers=None):
    with capture(execute=True):
        return client.post("/account/invitations/", {"email": email, "role": role}, headers=headers or {})


def test_an_admin_invites_someone_and_the_list_is_swapped_with_the_new_row(
    as_admin, northwind, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    response = invite(as_admin, "New.Tech@Example.com", "engineer", capture=django_capture_on_commit_callbacks,
                      headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="invitations"')
    assert 'data-testid="invitations-table"' in response.text
    assert 'data-testid="invitation-row" data-email="new.tech@example.com"' in response.text
    invitation = invitations_of(northwind).get()
    assert (invitation.email, invitation.role, invitation.status) == ("new.tech@example.com", "engineer", "pending")
    assert invitation.invited_by == admin_user
    run_due_tasks()
    assert [m.to for m in mailoutbox] == [["new.tech@example.com"]]


def test_the_invitation_email_link_opens_the_acceptance_page(
    as_admin, client, django_capture_on_commit_callbacks, mailoutbox
):
    invite(as_admin, "new@example.com", "viewer", capture=django_capture_on_commit_callbacks)
    client.post("/logout/")

    run_due_tasks()
    response = client.get(link_in(mailoutbox[0]))

    assert response.status_code == 200
    assert 'data-testid="invitation-email">new@example.com<' in response.text
    assert 'data-testid="invitation-role">Viewer<' in response.text
    assert 'data-testid="accept-submit"' in response.text


def test_without_javascript_an_invitation_redirects_back_with_a_message(
    as_admin, northwind, django_capture_on_commit_callbacks
):
    response = invite(as_admin, "new@example.com", "admin", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == "/account/#invitations"
    page = as_admin.get("/account/").text
    assert "Invited new@example.com as an admin." in page
    assert 'data-email="new@example.com"' in page
    assert invitations_of(northwind).get().role == Role.ADMIN


@pytest.mark.parametrize(
    "email,role,status,message",
    [
        ("jamie@northwind.test", "engineer", 409, "is already a member of Northwind IT"),
        ("new@example.com", "owner", 400, "not one of the available choices"),
        ("not-an-email", "engineer", 400, "valid email address"),
        ("", "engineer", 400, "This field is required"),
    ],
    ids=["member", "invalid-role", "invalid-email", "no-email"],
)
def test_a_refused_invitation_is_explained_next_to_the_form_and_nothing_is_created(
    as_admin, northwind, engineer, outsider_admin, django_capture_on_commit_callbacks, mailoutbox,
    email, role, status, message,
):
    for headers in (HTMX, {}):
        response = invite(as_admin, email, role, capture=django_capture_on_commit_callbacks, headers=headers)

        assert response.status_code == status
        assert 'data-testid="invite-error"' in response.text
        assert message in response.text
    assert not invitations_of(northwind).exists()
    assert mailoutbox == []


def test_the_table_shows_status_sending_and_expiry_of_each_invitation(as_admin, northwind):
    now = timezone.now()
    InvitationFactory(account=northwind, email="pending@example.com", sent_at=now)
    InvitationFactory(account=northwind, email="expired@example.com", expires_at=now - timedelta(days=1))
    InvitationFactory(account=northwind, email="revoked@example.com", revoked_at=now)
    InvitationFactory(account=northwind, email="accepted@example.com", accepted_at=now)
    InvitationFactory(email="elsewhere@example.com")

    page = as_admin.get("/account/").text

    for state in ("pending", "expired", "revoked", "accepted"):
        assert re.search(rf'data-email="{state}@example.com" data-status="{state}"', page)
    assert "elsewhere@example.com" not in page
    assert page.count("Not sent") == 3


def test_dates_are_shown_in_the_accounts_time_zone(as_admin, northwind):
    northwind.time_zone = "Asia/Tokyo"
    northwind.save()
    InvitationFactory(account=northwind, email="tz@example.com",
                      expires_at=datetime(2030, 1, 1, 12, 0, tzinfo=UTC))

    page = as_admin.get("/account/").text

    assert "2030-01-01 21:00 JST" in page


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    as_admin, client, northwind, django_capture_on_commit_callbacks, mailoutbox
):
    invite(as_admin, "new@example.com", capture=django_capture_on_commit_callbacks)
    run_due_tasks()  # the worker sends the first link
    invitation = invitations_of(northwind).get()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(f"/account/invitations/{invitation.pk}/resend/", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="invitation-{invitation.pk}"')
    assert "the previous link no longer works" in response.text
    run_due_tasks()
    old_link, new_link = link_in(mailoutbox[0]), link_in(mailoutbox[1])
    assert old_link != new_link
    client.post("/logout/")
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_revoke_makes_the_link_say_revoked(
    as_admin, client, northwind, django_capture_on_commit_callbacks, mailoutbox
):
    invite(as_admin, "new@example.com", capture=django_capture_on_commit_callbacks)
    run_due_tasks()  # the worker sends the link
    invitation = invitations_of(northwind).get()

    response = as_admin.post(f"/account/invitations/{invitation.pk}/revoke/", headers=HTMX)

    assert response.status_code == 200
    assert 'data-status="revoked"' in response.text
    assert f'data-testid="invitation-revoke-{invitation.pk}"' not in response.text
    client.post("/logout/")
    page = client.get(link_in(mailoutbox[0]))
    assert page.status_code == 410
    assert "This invitation was revoked" in page.text


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_a_revoked_invitation_cannot_be_resent_or_revoked_again(as_admin, northwind, action, mailoutbox):
    invitation = InvitationFactory(account=northwind, revoked_at=timezone.now())

    response = as_admin.post(f"/account/invitations/{invitation.pk}/{action}/", headers=HTMX)

    assert response.status_code == 409
    assert f'data-testid="invitation-error-{invitation.pk}"' in response.text
    assert "revoked" in response.text
    assert mailoutbox == []


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_an_invitation_of_another_account_is_not_found_and_unchanged(as_admin, outsider, action):
    invitation = InvitationFactory(account=outsider)

    response = as_admin.post(f"/account/invitations/{invitation.pk}/{action}/")

    assert response.status_code == 404
    after = Invitation.unscoped.get(pk=invitation.pk)
    assert (after.token_hash, after.revoked_at) == (invitation.token_hash, None)
