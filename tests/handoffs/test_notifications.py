"""Emails: a new high or critical escalation, to the account's engineers and admins, queued
with the escalation and sent by the worker."""

import pytest
from django.core import mail

from handoffs import services
from handoffs.models import Delivery
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory
from tests.tasks import run_due_tasks


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Exchange rejects outside mail",
                          client_name="Harbor Dental", ticket_ref="T-77")


@pytest.fixture
def colleagues(personas, northwind, outsider):
    """Besides the personas: a deactivated engineer and a foreign one, who must hear nothing."""
    UserFactory(account=northwind, role="engineer", email="gone@northwind.test", is_active=False)
    UserFactory(account=outsider, role="engineer", email="otto@contoso.test")
    return personas


def escalate(session, actor, capture, urgency):
    with capture(execute=True):
        handoff = services.handoff_escalate(session=session, actor=actor, note="550 5.4.1 on every outside mail",
                                            urgency=urgency)
    run_due_tasks()
    return handoff


@pytest.mark.parametrize("urgency", ["high", "critical"])
def test_a_high_or_critical_escalation_emails_everyone_who_could_pick_it_up(
        session, engineer, colleagues, django_capture_on_commit_callbacks, urgency):
    handoff = escalate(session, engineer, django_capture_on_commit_callbacks, urgency)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@northwind.test", "sam@northwind.test"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    message = mail.outbox[0]
    assert message.subject == f"[Northwind IT] {urgency.capitalize()} escalation: Exchange rejects outside mail"
    assert "Client: Harbor Dental" in message.body and "Ticket: T-77" in message.body
    assert "Stuck on: 550 5.4.1" in message.body
    assert f"/escalations/{handoff.pk}/" in message.body


@pytest.mark.parametrize("urgency", ["low", "normal"])
def test_a_low_or_normal_escalation_emails_nobody(session, engineer, colleagues, django_capture_on_commit_callbacks,
                                                  urgency):
    escalate(session, engineer, django_capture_on_commit_callbacks, urgency)
    assert mail.outbox == []


def test_a_peer_escalation_tells_neither_the_owner_nor_the_escalator(session, senior, colleagues,
                                                                     django_capture_on_commit_callbacks):
    escalate(session, senior, django_capture_on_commit_callbacks, "critical")
    assert [m.to[0] for m in mail.outbox] == ["ada@northwind.test"]
    assert "Technician: Jamie Junior (escalated by Sam Senior)" in mail.outbox[0].body


def test_nothing_is_sent_on_the_request_only_queued_with_the_escalation(session, engineer, colleagues):
    handoff = services.handoff_escalate(session=session, actor=engineer, note="Stuck on it", urgency="critical")
    assert mail.outbox == []
    queued = Delivery.objects.for_account(handoff.account).filter(kind="email")
    assert sorted(queued.values_list("target", flat=True)) == ["ada@northwind.test", "sam@northwind.test"]
    assert {d.status for d in queued} == {"pending"}
    assert {d.event.kind for d in queued} == {"created"}
    run_due_tasks()
    assert len(mail.outbox) == 2
    assert {d.status for d in queued.all()} == {"delivered"}


def test_a_mail_server_failure_is_retried_then_failed_visibly_and_the_escalation_stands(
        session, engineer, colleagues, settings, caplog):
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 3
    # A real SMTP backend pointed at a port where nothing listens: connection refused.
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}
    handoff = services.handoff_escalate(session=session, actor=engineer, note="Stuck on it", urgency="critical")
    run_due_tasks()
    handoff.refresh_from_db()
    assert handoff.status == "open"
    rows = list(Delivery.objects.for_account(handoff.account).filter(kind="email"))
    assert len(rows) == 2
    for row in rows:
        assert (row.status, row.attempts) == ("failed", 3)
        assert "ConnectionRefusedError" in row.last_error
    assert any("failed for good after 3 try(s)" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)
