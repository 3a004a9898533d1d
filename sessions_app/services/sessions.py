from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict, NotFound, NotPermitted, ServiceError
from accounts.models import Account, User
from accounts.rules import require
from sessions_app import events, rules
from sessions_app.models import (
    Flow,
    Message,
    MessageKind,
    SessionMode,
    SessionStatus,
    TroubleshootingSession,
)
from sessions_app.rendering import shorten

from .access import session_activity_send, session_for_write

EDITABLE_FIELDS = ("title", "problem", "client_name", "ticket_ref")


def _require_engineer(user: User) -> None:
    require(rules.may_start_session(user), "Viewers have read-only access; starting a session needs an engineer.")


def session_create(*, account: Account, owner: User, mode: str, title: str = "", problem: str = "",
                   client_name: str = "", ticket_ref: str = "", flow: Flow | None = None,
                   answer: bool = True) -> TroubleshootingSession:
    """Open a session. FlowPilot sessions snapshot the flow's graph and stand on its start step.

    An Assistant session's opening (title + problem) is answered by the assistant after the
    create transaction (``answer=False`` skips it, for scripted demo sessions); what that
    produced is on ``session.opening`` (a ``PostedMessage``, or None).
    """
    with transaction.atomic():
        session = _session_create(account=account, owner=owner, mode=mode, title=title, problem=problem,
                                  client_name=client_name, ticket_ref=ticket_ref, flow=flow)
    session.opening = None
    if answer and session.mode == SessionMode.ASSISTANT:
        from .opening import session_answer_opening

        session.opening = session_answer_opening(session=session)
    return session


def _session_create(*, account, owner, mode, title, problem, client_name, ticket_ref, flow) -> TroubleshootingSession:
    _require_engineer(owner)
    if owner.account_id != account.id:
        raise NotPermitted("The owner must belong to the account.", code="permission_denied")
    title, problem = title.strip(), problem.strip()
    if mode not in SessionMode.values:
        raise ServiceError(f"{mode!r} is not a mode; use assistant or flow.", code="invalid_mode")
    session = TroubleshootingSession(account=account, owner=owner, mode=mode, problem=problem,
                                     client_name=client_name.strip(), ticket_ref=ticket_ref.strip())
    if mode == SessionMode.FLOW:
        if flow is None:
            raise ServiceError("A FlowPilot session needs a flow.", code="flow_required")
        if not Flow.objects.available_to(account).filter(pk=flow.pk).exists():
            raise NotFound("That flow is not in this account's library.", code="not_found")
        session.flow, session.flow_version, session.flow_graph = flow, flow.version, flow.graph
        session.current_step = flow.graph["start"]
        session.title = title or flow.name
    else:
        if flow is not None:
            raise ServiceError("An Assistant session has no flow.", code="invalid_mode")
        if not (title or problem):
            raise ServiceError("Say what the problem is (a title or a problem description).", code="problem_required")
        session.title = title or _title_from(problem)
    session.full_clean()
    session.save()
    if problem:
        Message.objects.for_account(account).create(session=session, account=account, author=owner,
                                                    kind=MessageKind.TECH, body=problem)
    return session


def _title_from(problem: str) -> str:
    # The whole first line: the title goes into the ticket note people copy out. Only a line
    # longer than the column is cut, on a word boundary (the note's Problem has it whole).
    first_line = problem.strip().splitlines()[0]
    return shorten(first_line, TroubleshootingSession._meta.get_field("title").max_length)


@transaction.atomic
def session_update(*, session: TroubleshootingSession, actor: User, **changes) -> TroubleshootingSession:
    """Change title, problem, client or ticket (also of a resolved session: a ticket number
    may need correcting). Raises ``NotPermitted`` and ``ServiceError`` (``invalid``)."""
    session_for_write(session=session, actor=actor, open_only=False)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", code="invalid")
    for field, value in changes.items():
        setattr(session, field, value.strip())
    if not session.title:
        raise ServiceError("A session needs a title.", code="invalid")
    session.full_clean()
    session.save(update_fields=[*changes, "updated_at"])
    events.session_changed(session=session, actor=actor, reload=True)
    return session


@transaction.atomic
def session_resolve(*, session: TroubleshootingSession, actor: User, resolution: str) -> TroubleshootingSession:
    """Close the session as fixed, with what fixed it (it feeds the assistant's matching).

    The one path to "resolved", for the session page, the API and the escalation's Resolve
    alike: the ``session_activity`` receivers (handoffs) close its live escalation in the same
    transaction. Raises ``ServiceError`` (``resolution_required``), ``NotPermitted``,
    ``Conflict`` (``session_closed``)."""
    resolution = resolution.strip()
    if not resolution:
        raise ServiceError("Say what fixed it: the resolution note goes into the ticket.", code="resolution_required")
    session_for_write(session=session, actor=actor)
    now = timezone.now()
    _set(session, status=SessionStatus.RESOLVED, resolution=resolution, resolved_at=now, assignee=None)
    session_system_line(session=session, body=f"Resolved by {actor.name}: {resolution}", author=actor)
    session_activity_send(session=session, actor=actor, kind="resolve")
    events.session_changed(session=session, actor=actor, reload=True)
    return session


# ---- the session's side of an escalation ----------------------------------------------
# sessions_app owns session state: the escalation services (handoffs) change a session only
# through these. Each expects to run inside the caller's transaction after ``session_lock``
# (the session's lock before the escalation's: docs/architecture.md, "Locks").


def _set(session: TroubleshootingSession, **changes) -> None:
    changes["updated_at"] = timezone.now()
    TroubleshootingSession.objects.for_account(session.account).filter(pk=session.pk).update(**changes)
    for field, value in changes.items():
        setattr(session, field if field != "assignee" else "assignee_id", getattr(value, "pk", value))


def session_system_line(*, session: TroubleshootingSession, body: str, author: User | None = None,
                        kind: str = MessageKind.SYSTEM) -> Message:
    """Add a line to the transcript that no assistant answers (system lines and notes)."""
    return Message.objects.for_account(session.account).create(session=session, account=session.account,
                                                               author=author, kind=kind, body=body)


def session_mark_escalated(*, session: TroubleshootingSession, line: str) -> None:
    """active → escalated, with ``line`` in the transcript. The caller holds ``session_lock``
    and has checked the session is active (``Conflict`` ``session_closed`` otherwise)."""
    if session.status != SessionStatus.ACTIVE:
        raise Conflict(f"This session is {session.status}; only an active session can be escalated.",
                       code="session_closed", extra={"status": session.status})
    _set(session, status=SessionStatus.ESCALATED)
    session_system_line(session=session, body=line)
    events.session_changed(session=session, reload=True)


def session_assign(*, session: TroubleshootingSession, engineer: User, line: str) -> None:
    """The engineer who picked up the escalation may now write in the session."""
    _set(session, status=SessionStatus.ESCALATED, assignee=engineer)
    session_system_line(session=session, body=line)
    events.session_changed(session=session, actor=engineer, reload=True)


def session_unassign(*, session: TroubleshootingSession, line: str, reopen: bool, author: User | None = None,
                     kind: str = MessageKind.SYSTEM) -> None:
    """Take the assignee away: a release (``reopen=False``: still escalated) or a return or a
    cancel (``reopen=True``: active again, for the technician)."""
    changes = {"assignee": None}
    if reopen and session.status == SessionStatus.ESCALATED:
        changes["status"] = SessionStatus.ACTIVE
    _set(session, **changes)
    session_system_line(session=session, body=line, author=author, kind=kind)
    events.session_changed(session=session, actor=author, reload=True)


def touch(session: TroubleshootingSession) -> None:
    """Move the session to the top of recent lists after any write in it."""
    now = timezone.now()
    TroubleshootingSession.objects.for_account(session.account).filter(pk=session.pk).update(updated_at=now)
    session.updated_at = now
