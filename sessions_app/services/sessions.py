from django.db import transaction
from django.utils import timezone

from accounts.errors import ServiceError
from accounts.models import Account, User
from sessions_app.models import (
    Flow,
    Message,
    MessageKind,
    SessionMode,
    SessionStatus,
    TroubleshootingSession,
)

from .access import require_open, require_write, session_activity

EDITABLE_FIELDS = ("title", "problem", "client_name", "ticket_ref")


def _require_engineer(user: User) -> None:
    if not user.is_engineer_or_admin:
        raise ServiceError("Viewers have read-only access; starting a session needs an engineer.",
                           code="permission_denied", status=403)


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
        raise ServiceError("The owner must belong to the account.", code="permission_denied", status=403)
    title, problem = title.strip(), problem.strip()
    if mode not in SessionMode.values:
        raise ServiceError(f"{mode!r} is not a mode; use assistant or flow.", code="invalid_mode")
    session = TroubleshootingSession(account=account, owner=owner, mode=mode, problem=problem,
                                     client_name=client_name.strip(), ticket_ref=ticket_ref.strip())
    if mode == SessionMode.FLOW:
        if flow is None:
            raise ServiceError("A FlowPilot session needs a flow.", code="flow_required")
        if not Flow.objects.available_to(account).filter(pk=flow.pk).exists():
            raise ServiceError("That flow is not in this account's library.", code="not_found", status=404)
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
    first_line = problem.splitlines()[0].strip()
    return first_line if len(first_line) <= 80 else first_line[:77].rstrip() + "…"


@transaction.atomic
def session_update(*, session: TroubleshootingSession, actor: User, **changes) -> TroubleshootingSession:
    require_write(user=actor, session=session)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", code="invalid")
    for field, value in changes.items():
        setattr(session, field, value.strip())
    if not session.title:
        raise ServiceError("A session needs a title.", code="invalid")
    session.full_clean()
    session.save(update_fields=[*changes, "updated_at"])
    return session


@transaction.atomic
def session_resolve(*, session: TroubleshootingSession, actor: User, resolution: str) -> TroubleshootingSession:
    """Close the session as fixed, with what fixed it (it feeds the assistant's matching)."""
    require_write(user=actor, session=session)
    resolution = resolution.strip()
    if not resolution:
        raise ServiceError("Say what fixed it: the resolution note goes into the ticket.", code="resolution_required")
    now = timezone.now()
    # Conditional: a session resolved (or escalated elsewhere) a moment ago is not resolved twice.
    updated = TroubleshootingSession.objects.for_account(session.account).filter(
        pk=session.pk, status__in=[SessionStatus.ACTIVE, SessionStatus.ESCALATED]
    ).update(status=SessionStatus.RESOLVED, resolution=resolution, resolved_at=now, updated_at=now, assignee=None)
    session.refresh_from_db()
    if not updated:
        require_open(session)
    Message.objects.for_account(session.account).create(
        session=session, account=session.account, author=actor, kind=MessageKind.SYSTEM,
        body=f"Resolved by {actor.name}: {resolution}",
    )
    session_activity(session=session, actor=actor, kind="resolve")
    return session


def touch(session: TroubleshootingSession) -> None:
    """Move the session to the top of recent lists after any write in it."""
    now = timezone.now()
    TroubleshootingSession.objects.for_account(session.account).filter(pk=session.pk).update(updated_at=now)
    session.updated_at = now
