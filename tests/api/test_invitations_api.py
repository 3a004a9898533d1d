"""Invitations through the API: emailed once, listed without their link, resent, revoked."""

import re

from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, User
from accounts.tokens import digest
from tests.tasks import run_due_tasks


def invite(api, admin_user, email="new.tech@northwind.test", role="engineer"):
    return api.as_user(admin_user).post(reverse("invitation-list"), {"email": email, "role": role}, format="json")


def link_token(message):
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


def test_an_admin_invites_by_email_and_the_link_is_mailed(api, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(api, admin_user, email="New.Tech@Northwind.test")
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.tech@northwind.test"
    assert body["status"] == "pending"
    assert "token" not in body and "token_hash" not in body
    run_due_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.tech@northwind.test"]
    token = link_token(mail.outbox[0])
    invitation = Invitation.objects.for_account(admin_user.account).get()
    assert invitation.token_hash == digest(token)
    assert invitation.sent_at is not None


def test_inviting_a_member_of_the_account_is_a_409(api, admin_user, engineer):
    response = invite(api, admin_user, email=engineer.email.upper())
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_re_inviting_a_pending_address_replaces_the_old_invitation(api, admin_user):
    first = invite(api, admin_user).json()
    second = invite(api, admin_user).json()
    assert Invitation.objects.for_account(admin_user.account).get(pk=first["id"]).status == "revoked"
    assert second["status"] == "pending"


def test_resend_issues_a_new_link_and_kills_the_old_one(api, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = invite(api, admin_user).json()
    run_due_tasks()  # the worker sends the first link
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(admin_user).post(reverse("invitation-resend", args=[created["id"]]))
    assert response.status_code == 200
    run_due_tasks()
    old, new = link_token(mail.outbox[0]), link_token(mail.outbox[1])
    assert old != new
    assert services.invitation_for_token(old) is None
    assert services.invitation_for_token(new).pk.hex == created["id"].replace("-", "")


def test_revoke_then_revoke_again_is_an_invalid_transition(api, admin_user):
    created = invite(api, admin_user).json()
    url = reverse("invitation-revoke", args=[created["id"]])
    assert api.as_user(admin_user).post(url).json()["status"] == "revoked"
    again = api.as_user(admin_user).post(url)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    resend = api.as_user(admin_user).post(reverse("invitation-resend", args=[created["id"]]))
    assert resend.status_code == 409


def test_an_accepted_invitation_cannot_be_revoked(api, admin_user):
    issued = services.invitation_create(account=admin_user.account, email="x@northwind.test", role="viewer",
                                        invited_by=admin_user, send_email=False)
    services.invitation_accept(token=issued.token, display_name="Xavier", password="a-long-enough-pass-42")
    response = api.as_user(admin_user).post(reverse("invitation-revoke", args=[issued.invitation.pk]))
    assert response.status_code == 409
    assert User.objects.get(email="x@northwind.test").is_active


def test_the_list_filters_by_role(api, admin_user):
    invite(api, admin_user, email="a@northwind.test", role="viewer")
    invite(api, admin_user, email="b@northwind.test", role="admin")
    rows = api.as_user(admin_user).get(reverse("invitation-list"), {"role": "admin"}).json()["results"]
    assert [row["email"] for row in rows] == ["b@northwind.test"]
