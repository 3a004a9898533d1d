"""FlowPilot: answering the current step of a runbook, and stepping back."""

from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict, ServiceError
from accounts.models import User
from sessions_app.models import Message, MessageKind, SessionMode, TroubleshootingSession

from .access import session_activity_send, session_for_write


def _require_flow(session: TroubleshootingSession) -> dict:
    if session.mode != SessionMode.FLOW or not session.flow_graph:
        raise Conflict("This is not a FlowPilot session.", code="not_a_flow_session")
    return session.flow_graph


def current_step(session: TroubleshootingSession) -> dict | None:
    if session.mode != SessionMode.FLOW or not session.flow_graph:
        return None
    return session.flow_graph["steps"].get(session.current_step)


@transaction.atomic
def flow_answer(*, session: TroubleshootingSession, actor: User, step: str, option: str) -> TroubleshootingSession:
    """Answer the current step with one of its options and move to the step it leads to.
    Answering any other step (a stale tab, a double click) is a 409 naming the current one."""
    session_for_write(session=session, actor=actor)
    graph = _require_flow(session)
    if step != session.current_step:
        raise Conflict(f"That step is no longer the current one; the session is at “{session.current_step}”.",
                       code="not_current_step", extra={"current_step": session.current_step})
    options = graph["steps"][step].get("options") or []
    chosen = next((o for o in options if o["label"] == option), None)
    if chosen is None:
        labels = ", ".join(o["label"] for o in options) or "none (this is a resolution step)"
        raise ServiceError(f"“{option}” is not an option of this step; the options are: {labels}.",
                           code="invalid_option")
    now = timezone.now()
    path = [*session.path, {"step": step, "option": option, "answered_at": now.isoformat()}]
    TroubleshootingSession.objects.for_account(session.account).filter(pk=session.pk).update(
        path=path, current_step=chosen["next"], updated_at=now)
    session.refresh_from_db()
    Message.objects.for_account(session.account).create(
        session=session, account=session.account, author=actor, kind=MessageKind.SYSTEM,
        body=f"{graph['steps'][step]['text']} → {option}",
    )
    session_activity_send(session=session, actor=actor, kind="flow_answer")
    return session


@transaction.atomic
def flow_step_back(*, session: TroubleshootingSession, actor: User) -> TroubleshootingSession:
    """Undo the last answer: back to the step it answered."""
    session_for_write(session=session, actor=actor)
    _require_flow(session)
    if not session.path:
        raise Conflict("This is the first step; there is nothing to go back to.", code="at_start")
    last = session.path[-1]
    session.path = session.path[:-1]
    session.current_step = last["step"]
    session.save(update_fields=["path", "current_step", "updated_at"])
    session_activity_send(session=session, actor=actor, kind="flow_answer")
    return session
