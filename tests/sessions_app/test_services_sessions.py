"""Opening, editing and resolving sessions through the services."""

from contextlib import contextmanager

import pytest
from django.utils import timezone

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from sessions_app.models import Message, MessageKind, SessionMode, SessionStatus, TroubleshootingSession
from sessions_app.services import session_create, session_resolve, session_update
from sessions_app.services.preview import session_preview

from .factories import FlowFactory, FlowSessionFactory, SessionFactory


@contextmanager
def refused(code, status=None):
    """The block raises a ServiceError with this code (and HTTP status)."""
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


def transcript(session):
    return list(Message.objects.for_account(session.account).filter(session=session).values_list("kind", "body"))


def test_an_engineer_opens_an_assistant_session_and_the_problem_starts_the_transcript(northwind, engineer):
    session = session_create(account=northwind, owner=engineer, mode=SessionMode.ASSISTANT,
                             problem="  Outlook hangs on Loading profile  ", client_name=" Fabrikam ")
    assert session.status == SessionStatus.ACTIVE
    assert session.title == "Outlook hangs on Loading profile"
    assert session.client_name == "Fabrikam"
    assert transcript(session)[0] == (MessageKind.TECH, "Outlook hangs on Loading profile")
    assert [kind for kind, _ in transcript(session)] == [MessageKind.TECH, MessageKind.ASSISTANT]


LONG_LINE = ("Outlook 2016 on the reception PC hangs on Loading profile after the November update, "
             "only for the shared mailbox of the front desk, and safe mode does not help")  # 157 characters


def test_the_title_is_the_whole_first_line_of_the_problem(northwind, engineer):
    session = session_create(account=northwind, owner=engineer, mode="assistant",
                             problem=f"{LONG_LINE}\nIt started on Monday.")
    assert session.title == LONG_LINE
    assert session_preview(session=session).text.splitlines()[0] == LONG_LINE


def test_a_first_line_longer_than_a_title_is_cut_on_a_word_boundary(northwind, engineer):
    line = f"{LONG_LINE} {LONG_LINE}"  # 315 characters; a title holds 200
    session = session_create(account=northwind, owner=engineer, mode="assistant", problem=line)
    assert len(session.title) <= 200 and session.title.endswith("…")
    kept = session.title.removesuffix("…")
    assert line.startswith(kept) and line[len(kept)] == " "  # ends with a whole word
    assert line in session_preview(session=session).text  # the ticket note's Problem has it whole


def test_an_assistant_session_needs_a_title_or_a_problem(northwind, engineer):
    with refused("problem_required", 400):
        session_create(account=northwind, owner=engineer, mode="assistant")


def test_a_flow_session_snapshots_the_graph_and_stands_on_the_start_step(northwind, engineer):
    flow = FlowFactory(account=northwind, name="Printer offline", version=3)
    session = session_create(account=northwind, owner=engineer, mode=SessionMode.FLOW, flow=flow)
    assert session.title == "Printer offline"
    assert (session.flow_version, session.current_step, session.flow_graph) == (3, "restart", flow.graph)
    assert transcript(session) == []


def test_a_flow_session_needs_a_flow(northwind, engineer):
    with refused("flow_required", 400):
        session_create(account=northwind, owner=engineer, mode=SessionMode.FLOW)


def test_a_flow_session_cannot_run_another_accounts_flow(northwind, outsider, engineer):
    with refused("not_found", 404):
        session_create(account=northwind, owner=engineer, mode=SessionMode.FLOW, flow=FlowFactory(account=outsider))


def test_a_global_library_flow_may_be_run_by_any_account(northwind, engineer):
    session = session_create(account=northwind, owner=engineer, mode="flow", flow=FlowFactory(account=None))
    assert session.mode == SessionMode.FLOW


def test_an_assistant_session_has_no_flow(northwind, engineer):
    with refused("invalid_mode"):
        session_create(account=northwind, owner=engineer, mode="assistant", title="x", flow=FlowFactory())


def test_an_unknown_mode_is_refused(northwind, engineer):
    with refused("invalid_mode"):
        session_create(account=northwind, owner=engineer, mode="chat", title="x")


def test_a_viewer_cannot_open_a_session(northwind, viewer):
    with refused("permission_denied", 403):
        session_create(account=northwind, owner=viewer, mode="assistant", title="Printer")
    assert not TroubleshootingSession.objects.for_account(northwind).exists()


def test_an_owner_must_belong_to_the_account(northwind, outsider_admin):
    with refused("permission_denied", 403):
        session_create(account=northwind, owner=outsider_admin, mode="assistant", title="Printer")


def test_the_owner_edits_the_details_of_a_session(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    session_update(session=session, actor=engineer, title=" VPN drops ", ticket_ref="T-1001")
    session.refresh_from_db()
    assert (session.title, session.ticket_ref) == ("VPN drops", "T-1001")


def test_a_session_keeps_a_title(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    with refused("invalid"):
        session_update(session=session, actor=engineer, title="  ")


def test_only_the_details_of_a_session_can_be_edited(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    with refused("invalid"):
        session_update(session=session, actor=engineer, status="resolved")


def test_a_colleague_cannot_edit_a_session(northwind, engineer, senior):
    session = SessionFactory(account=northwind, owner=engineer)
    with refused("permission_denied", 403):
        session_update(session=session, actor=senior, title="Mine now")


def test_resolving_closes_the_session_with_the_resolution_and_a_system_line(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    session_resolve(session=session, actor=engineer, resolution=" Rebuilt the Outlook profile ")
    session.refresh_from_db()
    assert session.status == SessionStatus.RESOLVED
    assert session.resolution == "Rebuilt the Outlook profile"
    assert session.resolved_at <= timezone.now()
    assert transcript(session)[-1] == (MessageKind.SYSTEM, "Resolved by Jamie Junior: Rebuilt the Outlook profile")


def test_resolving_needs_a_resolution_note(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    with refused("resolution_required"):
        session_resolve(session=session, actor=engineer, resolution=" ")


def test_a_resolved_session_is_not_resolved_twice(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    session_resolve(session=session, actor=engineer, resolution="Rebooted")
    with refused("session_closed", 409):
        session_resolve(session=session, actor=engineer, resolution="Rebooted again")
    assert transcript(session).count((MessageKind.SYSTEM, "Resolved by Jamie Junior: Rebooted")) == 1


def test_resolving_an_escalated_session_clears_its_assignee(northwind, engineer, senior):
    session = FlowSessionFactory(account=northwind, owner=engineer)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ESCALATED, assignee=senior)
    session.refresh_from_db()
    session_resolve(session=session, actor=senior, resolution="Cleared the print queue")
    session.refresh_from_db()
    assert (session.status, session.assignee) == (SessionStatus.RESOLVED, None)
