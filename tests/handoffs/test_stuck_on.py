"""The escalation note as a labelled line, in every place that writes one (handoffs.models.stuck_on):
the context summary a senior reads, the escalation email, and the webhook's chat line. A note
the technician began with "Stuck" is not labelled twice ("Stuck on: Stuck on MFA")."""

import pytest

from handoffs import services
from handoffs.models import HandoffEvent, stuck_on
from handoffs.notifications import _describe
from handoffs.webhooks import summary_line
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db

NOTES = [("550 5.4.1 on every outside mail", "Stuck on: 550 5.4.1 on every outside mail"),
         ("Stuck on MFA for the CFO", "Stuck on MFA for the CFO"),
         ("stuck: the prompt comes back after a rebuild", "stuck: the prompt comes back after a rebuild"),
         # Begins with the word, but does not say where they are stuck: labelled.
         ("Stuck print jobs come back after clearing the spooler",
          "Stuck on: Stuck print jobs come back after clearing the spooler")]


@pytest.mark.parametrize(("note", "line"), NOTES)
def test_the_line_is_labelled_once(note, line):
    assert stuck_on(note) == line


@pytest.mark.parametrize(("note", "line"), NOTES)
def test_the_summary_the_email_and_the_webhook_label_the_note_once(northwind, engineer, note, line):
    session = SessionFactory(account=northwind, owner=engineer, title="Mail bounces")
    handoff = services.handoff_escalate(session=session, actor=engineer, note=note, urgency="high")
    created = HandoffEvent.unscoped.get(handoff=handoff, kind="created")

    for text in (handoff.context["summary"], _describe(handoff), summary_line(created, handoff)):
        assert line in text
        assert "Stuck on: Stuck on" not in text and "Stuck on: stuck:" not in text
