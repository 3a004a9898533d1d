"""Invitation emails are background work (issue 7: nothing outbound on the request thread):
the task row is written with the invitation, the worker sends the link, and the task row
never holds a usable link (the raw token exists only in the email)."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts import services
from accounts.models import Invitation, Role
from accounts.tokens import digest
from tests.tasks import pending_tasks, run_due_tasks


def test_inviting_sends_nothing_on_the_request_and_the_worker_sends_the_link(northwind, admin_user):
    issued = services.invitation_create(account=northwind, email="new.tech@example.test", role=Role.ENGINEER,
                                        invited_by=admin_user)
    assert mail.outbox == [] and pending_tasks() == 1
    assert Invitation.unscoped.get(pk=issued.invitation.pk).sent_at is None

    run_due_tasks()

    [message] = mail.outbox
    assert issued.url in message.body
    assert Invitation.unscoped.get(pk=issued.invitation.pk).sent_at is not None


def test_the_task_row_never_holds_a_usable_link(northwind, admin_user):
    issued = services.invitation_create(account=northwind, email="new.tech@example.test", role=Role.ENGINEER,
                                        invited_by=admin_user)
    stored = str(DBTaskResult.objects.get().args_kwargs)
    assert issued.token not in stored and digest(issued.token) not in stored


def test_a_rolled_back_invitation_enqueues_nothing(northwind, admin_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_create(account=northwind, email="new.tech@example.test", role=Role.ENGINEER,
                                   invited_by=admin_user)
        raise RuntimeError("the request failed after the invitation")
    assert pending_tasks() == 0 and not Invitation.unscoped.exists()


def test_a_link_replaced_before_the_worker_ran_is_not_sent(northwind, admin_user):
    issued = services.invitation_create(account=northwind, email="new.tech@example.test", role=Role.ENGINEER,
                                        invited_by=admin_user)
    fresh = services.invitation_resend(invitation=issued.invitation, actor=admin_user)

    run_due_tasks()

    [message] = mail.outbox  # only the fresh link: the first one no longer works anyway
    assert fresh.url in message.body and issued.url not in message.body
