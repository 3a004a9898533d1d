"""Who may write to a session (DESIGN.md §4), and the activity hook handoffs listens to.

Reading is for everyone in the account (scoped selectors do that). Writing is for the
owner, for an admin of the account, and for the engineer holding the claim of the session's
open escalation (``session.assignee``, set and cleared by the handoffs service). Viewers
never write.
"""

import logging
from collections.abc import Callable

from accounts.errors import ServiceError
from accounts.models import Role, User
from sessions_app.models import TroubleshootingSession

logger = logging.getLogger("sessions_app.services")

SessionActivityHook = Callable[..., None]
_activity_hooks: list[SessionActivityHook] = []


def can_write(*, user: User, session: TroubleshootingSession) -> bool:
    if not user.is_active or user.account_id != session.account_id:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.ENGINEER:
        return False
    return session.owner_id == user.id or session.assignee_id == user.id


def require_write(*, user: User, session: TroubleshootingSession) -> None:
    if user.account_id != session.account_id:
        # Callers look sessions up through the account, so this is a programming error.
        raise ServiceError("Session not found.", code="not_found", status=404)
    if not can_write(user=user, session=session):
        if user.role == Role.VIEWER:
            detail = "Viewers have read-only access to sessions."
        else:
            detail = "Only the session's owner, an admin, or the engineer who picked up its escalation may change it."
        raise ServiceError(detail, code="permission_denied", status=403)


def require_open(session: TroubleshootingSession) -> None:
    if not session.is_open:
        raise ServiceError(f"This session is {session.status}; reopen work in a new session.",
                           code="session_closed", status=409, extra={"status": session.status})


def session_activity_register(hook: SessionActivityHook) -> SessionActivityHook:
    """Called as ``hook(session=, actor=, kind=)`` inside the transaction of every write a
    person makes in a session (message, note, fact, fix status, flow answer, resolve).
    handoffs registers one to stamp an escalation's first action; sessions_app does not
    import handoffs (DESIGN.md §2)."""
    if hook not in _activity_hooks:
        _activity_hooks.append(hook)
    return hook


def session_activity(*, session: TroubleshootingSession, actor: User, kind: str) -> None:
    for hook in list(_activity_hooks):
        hook(session=session, actor=actor, kind=kind)
