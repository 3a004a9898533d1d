"""The ticket note includes the escalation (handoffs contributes through sessions_app's
``ticket_note_sections`` signal): who raised and picked it up, what the claimant found and
tried in the session, and the coaching note of a return."""

import pytest

from handoffs import services
from sessions_app import services as session_services
from sessions_app.models import MessageKind
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="VPN drops", problem="VPN drops every 10 min")


def test_a_returned_escalation_is_in_the_note_with_findings_and_the_coaching_note(session, engineer, senior):
    session_services.message_post(session=session, actor=engineer, body="Before the pick-up", kind=MessageKind.NOTE)
    handoff = services.handoff_escalate(session=session, actor=engineer, note="Reinstall did not help",
                                        urgency="high")
    services.handoff_claim(handoff=handoff, actor=senior)
    session_services.message_post(session=session, actor=senior, body="Tried MTU 1400:\n no drops for 20 min",
                                  kind=MessageKind.NOTE)
    services.handoff_return(handoff=handoff, actor=senior, note="Set MTU 1400 on the other laptops")

    text = session_services.session_preview(session=session).text

    assert (
        "Escalation:\n"
        "- Escalated by Jamie Junior (high): Reinstall did not help\n"
        "- Picked up by Sam Senior after 0 min\n"
        "- Sam Senior in the session: Tried MTU 1400: no drops for 20 min\n"
        "- Returned by Sam Senior with a coaching note: Set MTU 1400 on the other laptops\n"
    ) in text
    assert "Before the pick-up" not in text
    assert "### Escalation" in session_services.session_preview(session=session).markdown


def test_a_resolved_escalation_comes_before_the_resolution(session, engineer, senior):
    handoff = services.handoff_escalate(session=session, actor=engineer, note="Stuck")
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_resolve(handoff=handoff, actor=senior, resolution="Replaced the router")
    session.refresh_from_db()

    text = session_services.session_preview(session=session).text

    assert "- Resolved by Sam Senior\n\nResolution:\n- Replaced the router" in text


def test_a_session_never_escalated_has_no_escalation_section(session):
    assert "Escalation" not in session_services.session_preview(session=session).text
