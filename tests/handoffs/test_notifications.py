"""Emails: a new high or critical escalation, to the account's engineers and admins."""

import pytest
from django.core import mail

from handoffs import notifications, services
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory


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
        return services.handoff_escalate(session=session, actor=actor, note="550 5.4.1 on every outside mail",
                                         urgency=urgency)


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


def test_nothing_is_sent_before_the_escalation_commits(session, engineer, colleagues):
    services.handoff_escalate(note="Stuck on it", session=session, actor=engineer, urgency="critical")
    assert mail.outbox == []  # still inside the test's transaction


def test_a_mail_server_failure_is_logged_and_the_escalation_stands(
        session, engineer, colleagues, django_capture_on_commit_callbacks, monkeypatch, caplog):
    class Broken:
        def send_messages(self, messages):
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "mailers", type("M", (), {"default": Broken()})())
    handoff = escalate(session, engineer, django_capture_on_commit_callbacks, "critical")
    handoff.refresh_from_db()
    assert handoff.status == "open"
    assert any("could not send the critical escalation" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)
