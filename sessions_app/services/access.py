"""Locking and write access for every session write (docs/architecture.md, "Locks").

Every service that changes a session starts with ``session_for_write`` (or ``session_lock``
when the escalation services act on a session's state): the session row is locked first,
re-read, and only then are decisions taken on its state. Any transaction that touches a
session and its escalation takes the session's lock before the escalation's, so two of them
can never wait on each other (no deadlocks), and a decision is never taken on a state another
transaction is changing (no check-then-write races). On SQLite the whole transaction holds the
database's write lock from its start (``BEGIN IMMEDIATE``), which serialises the same way.
"""

import logging

from accounts.errors import Conflict, NotFound, NotPermitted
from accounts.models import Role, User
from sessions_app import events, rules
from sessions_app.models import TroubleshootingSession
from sessions_app.signals import ACTIVITY_KINDS, session_activity

logger = logging.getLogger("sessions_app.services")


def can_write(*, user: User, session: TroubleshootingSession) -> bool:
    """``sessions_app.rules.may_write_session`` (kept as the services' public name)."""
    return rules.may_write_session(user, session)


def require_write(*, user: User, session: TroubleshootingSession) -> None:
    """``NotFound`` (``not_found``) for another account's session, ``NotPermitted``
    (``permission_denied``) unless ``may_write_session``."""
    if user.account_id != session.account_id:
        # Callers look sessions up through the account, so this is a programming error.
        raise NotFound("Session not found.", code="not_found")
    if not rules.may_write_session(user, session):
        if user.role == Role.VIEWER:
            detail = "Viewers have read-only access to sessions."
        else:
            detail = "Only the session's owner, an admin, or the engineer who picked up its escalation may change it."
        raise NotPermitted(detail, code="permission_denied")


def require_open(session: TroubleshootingSession) -> None:
    """``Conflict`` (``session_closed``, with ``status``) unless the session is active or escalated."""
    if not session.is_open:
        raise Conflict(f"This session is {session.status}; reopen work in a new session.",
                       code="session_closed", extra={"status": session.status})


def session_lock(session: TroubleshootingSession) -> TroubleshootingSession:
    """Inside a transaction: lock the session's row and refresh ``session`` in place from it.
    Returns the same object, now showing the committed state no one else can change until
    this transaction ends."""
    session.refresh_from_db(
        from_queryset=TroubleshootingSession.objects.for_account(session.account).select_for_update())
    return session


def session_for_write(*, session: TroubleshootingSession, actor: User, open_only: bool = True
                      ) -> TroubleshootingSession:
    """Lock, refresh, then check ``require_write`` and (unless ``open_only=False``) ``require_open``.
    Raises ``NotFound``, ``NotPermitted`` or ``Conflict`` as those do."""
    if actor.account_id != session.account_id:
        raise NotFound("Session not found.", code="not_found")
    session_lock(session)
    require_write(user=actor, session=session)
    if open_only:
        require_open(session)
    return session


def session_activity_send(*, session: TroubleshootingSession, actor: User, kind: str) -> None:
    """Announce a person's write in ``session``: ``sessions_app.signals.session_activity`` now,
    in the writer's transaction, and ``session.changed`` to the page's watchers after commit."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown session activity {kind!r}")
    session_activity.send(sender=TroubleshootingSession, session=session, actor=actor, kind=kind)
    if kind in events.ACTIVITY_REGIONS:  # "resolve" and "return" re-render the whole page (services.sessions)
        events.session_changed(session=session, actor=actor, regions=events.ACTIVITY_REGIONS[kind])
