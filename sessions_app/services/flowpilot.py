"""FlowPilot: answering the current step of a runbook, and stepping back."""

from django.db import transaction
from django.utils import timezone

from accounts.errors import ServiceError
from accounts.models import User
from sessions_app.models import Message, MessageKind, SessionMode, TroubleshootingSession

from .access import require_open, require_write, session_activity
from .sessions import touch


def _require_flow(session: TroubleshootingSession) -> dict:
    if session.mode != SessionMode.FLOW or not session.flow_graph:
        raise ServiceError("This is not a FlowPilot session.", code="not_a_flow_session", status=409)
    return session.flow_graph


def current_step(session: TroubleshootingSession) -> dict | None:
    if session.mode != SessionMode.FLOW or not session.flow_graph:
        return None
    return session.flow_graph["steps"].get(session.current_step)


@transaction.atomic
def flow_answer(*, session: TroubleshootingSession, actor: User, step: str, option: str) -> TroubleshootingSession:
    """Answer the current step with one of its options and move to the step it leads to.
    Answering any other step (a stale tab, a double click) is a 409 naming the current one."""
    require_write(user=actor, session=session)
    require_open(session)
    graph = _require_flow(session)
    locked = TroubleshootingSession.objects.for_account(session.account).select_for_update().get(pk=session.pk)
    if step != locked.current_step:
        raise ServiceError(f"That step is no longer the current one; the session is at “{locked.current_step}”.",
                           code="not_current_step", status=409, extra={"current_step": locked.current_step})
    options = graph["steps"][step].get("options") or []
    chosen = next((o for o in options if o["label"] == option), None)
    if chosen is None:
        labels = ", ".join(o["label"] for o in options) or "none (this is a resolution step)"
        raise ServiceError(f"“{option}” is not an option of this step; the options are: {labels}.",
                           code="invalid_option")
    now = timezone.now()
    path = [*locked.path, {"step": step, "option": option, "answered_at": now.isoformat()}]
    updated = TroubleshootingSession.objects.for_account(session.account).filter(
        pk=session.pk, current_step=step
    ).update(path=path, current_step=chosen["next"], updated_at=now)
    if not updated:  # pragma: no cover - the row lock above makes this unreachable on PostgreSQL
        raise ServiceError("The session moved on a moment ago.", code="not_current_step", status=409)
    session.refresh_from_db()
    Message.objects.for_account(session.account).create(
        session=session, account=session.account, author=actor, kind=MessageKind.SYSTEM,
        body=f"{graph['steps'][step]['text']} → {option}",
    )
    session_activity(session=session, actor=actor, kind="flow_answer")
    return session


@transaction.atomic
def flow_step_back(*, session: TroubleshootingSession, actor: User) -> TroubleshootingSession:
    """Undo the last answer: back to the step it answered."""
    require_write(user=actor, session=session)
    require_open(session)
    _require_flow(session)
    locked = TroubleshootingSession.objects.for_account(session.account).select_for_update().get(pk=session.pk)
    if not locked.path:
        raise ServiceError("This is the first step; there is nothing to go back to.", code="at_start", status=409)
    last = locked.path[-1]
    locked.path = locked.path[:-1]
    locked.current_step = last["step"]
    locked.save(update_fields=["path", "current_step", "updated_at"])
    session.refresh_from_db()
    touch(session)
    session_activity(session=session, actor=actor, kind="flow_answer")
    return session
