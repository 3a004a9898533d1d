"""The ticket note a session drafts for the PSA."""

import pytest

from sessions_app.models import FactSource, FixStatus
from sessions_app.services import flow_answer, session_preview, session_resolve

from .factories import FactFactory, FixFactory, FlowFactory, FlowSessionFactory, SessionFactory


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook will not start", ticket_ref="T-4711",
                          client_name="Fabrikam Dental", problem="Outlook hangs on Loading profile.")


def test_the_note_has_the_problem_environment_and_what_was_tried(session):
    FactFactory(session=session, key="os", value="Windows 11")
    FactFactory(session=session, key="error_code", value="0x80070005", source=FactSource.EXTRACTED)
    FixFactory(session=session, title="Disable COM add-ins", status=FixStatus.FAILED, outcome_note="Same hang")
    FixFactory(session=session, title="New Outlook profile", status=FixStatus.ACTIVE)
    note = session_preview(session=session)
    assert note.text == (
        "Outlook will not start\n"
        "Ticket T-4711\n"
        "Client: Fabrikam Dental\n"
        "Status: Active\n"
        "\n"
        "Problem:\n- Outlook hangs on Loading profile.\n\n"
        "Environment:\n- error code: 0x80070005\n- os: Windows 11\n\n"
        "Tried:\n- Disable COM add-ins (did not help) - Same hang\n- New Outlook profile (in progress)\n"
    )


def test_the_markdown_note_uses_headings_and_hard_line_breaks(session):
    note = session_preview(session=session)
    assert note.markdown.startswith("**Outlook will not start**\nTicket T-4711  \nClient: Fabrikam Dental  \n")
    assert "### Problem\n- Outlook hangs on Loading profile.\n" in note.markdown


def test_fixes_nobody_tried_stay_out_of_the_note(session):
    FixFactory(session=session, title="Reinstall Office", status=FixStatus.PROPOSED)
    assert "Reinstall Office" not in session_preview(session=session).text
    assert "Tried" not in session_preview(session=session).text


def test_a_resolved_session_ends_with_its_resolution(session, engineer):
    FixFactory(session=session, title="New Outlook profile", status=FixStatus.WORKED)
    session_resolve(session=session, actor=engineer, resolution="Rebuilt the profile; mail flows again.")
    note = session_preview(session=session)
    assert "Status: Resolved" in note.text
    assert note.text.endswith("Resolution:\n- Rebuilt the profile; mail flows again.\n")
    assert "- New Outlook profile (worked)" in note.text
    assert "### Resolution" in note.markdown


def test_a_flow_session_lists_the_runbook_answers(northwind, engineer):
    session = FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(account=northwind),
                                 problem="", ticket_ref="")
    flow_answer(session=session, actor=engineer, step="restart", option="No")
    note = session_preview(session=session)
    assert "Runbook:\n- Did a restart fix it? No\n" in note.text
    assert "Ticket" not in note.text
    assert f"Problem:\n- {session.title}\n" in note.text


def test_a_fix_title_ending_in_a_full_stop_reads_well_before_its_outcome(session):
    FixFactory(session=session, title="Start Outlook in safe mode.", status=FixStatus.FAILED)
    assert "- Start Outlook in safe mode (did not help)\n" in session_preview(session=session).text


def test_a_problem_of_several_lines_stays_inside_its_bullet(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer, title="Outlook prompts",
                             problem="Outlook keeps asking for the password.\nOnly this user.\n\nSince the migration.")
    note = session_preview(session=session)
    expected = "- Outlook keeps asking for the password.\n  Only this user.\n  Since the migration.\n"
    assert f"Problem:\n{expected}" in note.text
    assert f"### Problem\n{expected}" in note.markdown


def test_a_runbook_action_answered_reads_without_a_stray_full_stop(northwind, engineer):
    graph = {"start": "check", "steps": {
        "check": {"type": "action", "text": "Check the account the VPN signs in with.",
                  "options": [{"label": "Credentials fixed", "next": "done"}]},
        "done": {"type": "resolution", "text": "Fixed."}}}
    session = FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(account=northwind, graph=graph))
    flow_answer(session=session, actor=engineer, step="check", option="Credentials fixed")
    assert "- Check the account the VPN signs in with: Credentials fixed\n" in session_preview(session=session).text
