"""Every state change of an escalation (DESIGN.md §3, §5): one function per transition, each a
single transaction that writes its HandoffEvent and publishes it after commit.

The state machine: ``open → claimed | cancelled``; ``claimed → open`` (release) ``| resolved |
returned``. Anything else is a 409 ``invalid_transition`` naming the current status. Claims
and first-action stamps are conditional UPDATEs whose row count decides, so they are right
under any number of concurrent callers, on SQLite and PostgreSQL alike.
"""

import logging
import zoneinfo
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import ServiceError
from accounts.models import Account, User
from sessions_app.models import Message, MessageKind, SessionStatus, TroubleshootingSession

from . import context as handoff_context
from . import notifications, rules, webhooks
from .events import publish_on_commit
from .models import LIVE_STATUSES, BaselineSample, EventKind, Handoff, HandoffEvent, HandoffStatus, Urgency

logger = logging.getLogger(__name__)

NOTE_MAX = 2000


def _sessions(account):
    return TroubleshootingSession.objects.for_account(account)


def _handoffs(account):
    return Handoff.objects.for_account(account)


def _record(handoff: Handoff, event_kind: str, actor: User | None, **payload) -> HandoffEvent:
    handoff.refresh_from_db()
    event = HandoffEvent.objects.for_account(handoff.account).create(
        account=handoff.account, handoff=handoff, kind=event_kind, actor=actor, payload=payload
    )
    publish_on_commit(event, handoff)
    webhooks.event_recorded(event, handoff)
    return event


def _transition_error(handoff: Handoff, action: str) -> ServiceError:
    handoff.refresh_from_db()
    return ServiceError(
        f"This escalation is {handoff.get_status_display().lower()}; it cannot be {action}.",
        code="invalid_transition", status=409, extra={"status": handoff.status},
    )


def _system_line(session: TroubleshootingSession, body: str, *, author: User | None = None,
                 kind: str = MessageKind.SYSTEM) -> None:
    Message.objects.for_account(session.account).create(session=session, account=session.account,
                                                        author=author, kind=kind, body=body)


def _clean_note(note: str, *, required: str | None = None) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ServiceError(required, code="note_required")
    if len(note) > NOTE_MAX:
        raise ServiceError(f"A note has at most {NOTE_MAX} characters.", code="note_too_long")
    return note


def live_handoff(*, session: TroubleshootingSession) -> Handoff | None:
    return _handoffs(session.account).filter(session=session, status__in=LIVE_STATUSES).first()


# ---- escalate -------------------------------------------------------------------------------


@transaction.atomic
def handoff_escalate(*, session: TroubleshootingSession, actor: User, note: str = "",
                     urgency: str = Urgency.NORMAL) -> Handoff:
    """Escalate a session: its owner, or a colleague for them (peer escalation)."""
    if actor.account_id != session.account_id:
        raise ServiceError("Session not found.", code="not_found", status=404)
    if not actor.is_engineer_or_admin:
        raise ServiceError("Viewers cannot escalate; ask an engineer.", code="permission_denied", status=403)
    if urgency not in Urgency.values:
        raise ServiceError(f"{urgency!r} is not an urgency; use low, normal, high or critical.",
                           code="invalid_urgency")
    note = _clean_note(note)
    existing = live_handoff(session=session)
    if existing is not None:
        raise ServiceError("This session is already escalated.", code="already_escalated", status=409,
                           extra={"handoff": str(existing.pk), "status": existing.status})
    if session.status != SessionStatus.ACTIVE:
        raise ServiceError(f"This session is {session.status}; only an active session can be escalated.",
                           code="session_closed", status=409, extra={"status": session.status})
    handoff = Handoff(account=session.account, session=session, requested_by=session.owner, handed_off_by=actor,
                      note=note, urgency=urgency,
                      context=handoff_context.snapshot(session=session, note=note, handed_off_by=actor))
    try:
        with transaction.atomic():
            handoff.save()
    except IntegrityError:
        # A double click or a colleague a moment earlier: the partial unique index decided.
        existing = live_handoff(session=session)
        raise ServiceError("This session is already escalated.", code="already_escalated", status=409,
                           extra={"handoff": str(existing.pk) if existing else None}) from None
    _sessions(session.account).filter(pk=session.pk).update(status=SessionStatus.ESCALATED, updated_at=timezone.now())
    who = actor.name if actor.pk == session.owner_id else f"{actor.name} (for {session.owner.name})"
    _system_line(session, f"Escalated by {who}, urgency {urgency}" + (f": {note}" if note else "."))
    _record(handoff, EventKind.CREATED, actor, urgency=urgency, peer=actor.pk != session.owner_id)
    transaction.on_commit(lambda: notifications.escalation_created(handoff))
    session.refresh_from_db()
    return handoff


# ---- claim and release ----------------------------------------------------------------------


def handoff_claim(*, handoff: Handoff, actor: User) -> Handoff:
    """Pick up an escalation. One conditional UPDATE decides among any number of claimers;
    the losers get 409 ``already_claimed`` naming who holds it."""
    if actor.account_id != handoff.account_id:
        raise ServiceError("Escalation not found.", code="not_found", status=404)
    if not actor.is_engineer_or_admin:
        raise ServiceError("Viewers cannot pick up escalations.", code="permission_denied", status=403)
    if not rules.may_claim(handoff, actor):
        raise ServiceError("You raised this escalation (or it is your session); a colleague picks it up.",
                           code="own_escalation", status=403)
    with transaction.atomic():
        now = timezone.now()
        won = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN).update(
            status=HandoffStatus.CLAIMED, claimed_by=actor, claimed_at=now
        )
        if won:  # the first pick-up stays: a release and a second claim do not reset it
            _handoffs(handoff.account).filter(pk=handoff.pk, first_claimed_at=None).update(
                first_claimed_at=now, first_claimed_by=actor)
        if won:
            _sessions(handoff.account).filter(pk=handoff.session_id).update(
                status=SessionStatus.ESCALATED, assignee=actor, updated_at=now)
            _system_line(handoff.session, f"Picked up by {actor.name}.")
            _record(handoff, EventKind.CLAIMED, actor)
            return handoff
    handoff.refresh_from_db()
    if handoff.status == HandoffStatus.CLAIMED:
        holder = handoff.claimed_by
        raise ServiceError(f"{holder.name if holder else 'Someone'} picked this up first.", code="already_claimed",
                           status=409, extra={"claimed_by": {"id": str(holder.pk), "name": holder.name}
                                              if holder else None, "status": handoff.status})
    raise _transition_error(handoff, "picked up")


def _require_claimant(handoff: Handoff, actor: User, action: str) -> None:
    if actor.account_id != handoff.account_id:
        raise ServiceError("Escalation not found.", code="not_found", status=404)
    if handoff.status != HandoffStatus.CLAIMED:
        raise _transition_error(handoff, action)
    if not rules.may_act_on_claim(handoff, actor):
        raise ServiceError(f"Only the engineer who picked this up (or an admin) may {action.split()[0]} it.",
                           code="permission_denied", status=403)


def _close_claim(handoff: Handoff, *, status: str, actor: User, note: str) -> bool:
    """claimed → ``status``, conditionally: a concurrent release or resolve wins at most once."""
    now = timezone.now()
    changes = {"status": status}
    if status == HandoffStatus.OPEN:
        changes.update(claimed_by=None, claimed_at=None)
    else:
        changes.update(closed_at=now, closing_note=note)
    return bool(_handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.CLAIMED).update(**changes))


@transaction.atomic
def handoff_release(*, handoff: Handoff, actor: User) -> Handoff:
    """Put a claimed escalation back on the queue."""
    handoff.refresh_from_db()
    _require_claimant(handoff, actor, "released")
    if not _close_claim(handoff, status=HandoffStatus.OPEN, actor=actor, note=""):
        raise _transition_error(handoff, "released")
    _sessions(handoff.account).filter(pk=handoff.session_id).update(assignee=None, updated_at=timezone.now())
    _system_line(handoff.session, f"{actor.name} put the escalation back on the queue.")
    _record(handoff, EventKind.RELEASED, actor)
    return handoff


# ---- first action ---------------------------------------------------------------------------


def _stamp_first_action(handoff: Handoff, actor: User, kind: str) -> bool:
    stamped = _handoffs(handoff.account).filter(
        pk=handoff.pk, status=HandoffStatus.CLAIMED, claimed_by=actor, first_action_at=None
    ).update(first_action_at=timezone.now(), first_action_kind=kind, first_action_by=actor)
    if stamped:
        _record(handoff, EventKind.FIRST_ACTION, actor, kind=kind)
    return bool(stamped)


def first_action_stamp(*, session: TroubleshootingSession, actor: User, kind: str) -> None:
    """The session-activity hook: the claimant's first action in the session stamps
    ``first_action_at`` once. A session resolved in the session itself closes its live
    escalation too, so the queue never shows a finished problem."""
    handoff = live_handoff(session=session)
    if handoff is None:
        return
    if handoff.status == HandoffStatus.CLAIMED and handoff.claimed_by_id == actor.pk:
        _stamp_first_action(handoff, actor, kind)
    if kind == "resolve":
        session.refresh_from_db()
        closed = _handoffs(session.account).filter(pk=handoff.pk, status__in=LIVE_STATUSES).update(
            status=HandoffStatus.RESOLVED, closed_at=timezone.now(), closing_note=session.resolution)
        if closed:
            _record(handoff, EventKind.RESOLVED, actor, via="session")


# ---- return, resolve, cancel ----------------------------------------------------------------


@transaction.atomic
def handoff_return(*, handoff: Handoff, actor: User, note: str) -> Handoff:
    """Hand the session back to the technician with a note (what to do next)."""
    handoff.refresh_from_db()
    note = _clean_note(note, required="Say what the technician should do next.")
    _require_claimant(handoff, actor, "returned")
    _stamp_first_action(handoff, actor, "return")
    if not _close_claim(handoff, status=HandoffStatus.RETURNED, actor=actor, note=note):
        raise _transition_error(handoff, "returned")
    _sessions(handoff.account).filter(pk=handoff.session_id).update(
        status=SessionStatus.ACTIVE, assignee=None, updated_at=timezone.now())
    _system_line(handoff.session, f"{actor.name} returned the session: {note}", author=actor, kind=MessageKind.NOTE)
    _record(handoff, EventKind.RETURNED, actor, note=note)
    return handoff


@transaction.atomic
def handoff_resolve(*, handoff: Handoff, actor: User, resolution: str) -> Handoff:
    """Resolve the problem: the escalation and its session close with the resolution."""
    handoff.refresh_from_db()
    resolution = _clean_note(resolution, required="Say what fixed it: the resolution goes into the ticket.")
    _require_claimant(handoff, actor, "resolved")
    _stamp_first_action(handoff, actor, "resolve")
    if not _close_claim(handoff, status=HandoffStatus.RESOLVED, actor=actor, note=resolution):
        raise _transition_error(handoff, "resolved")
    now = timezone.now()
    _sessions(handoff.account).filter(pk=handoff.session_id).update(
        status=SessionStatus.RESOLVED, resolution=resolution, resolved_at=now, assignee=None, updated_at=now)
    _system_line(handoff.session, f"Resolved by {actor.name}: {resolution}")
    _record(handoff, EventKind.RESOLVED, actor, resolution=resolution)
    return handoff


@transaction.atomic
def handoff_cancel(*, handoff: Handoff, actor: User, note: str = "") -> Handoff:
    """Withdraw an escalation nobody has picked up yet (the technician got unstuck)."""
    handoff.refresh_from_db()
    if actor.account_id != handoff.account_id:
        raise ServiceError("Escalation not found.", code="not_found", status=404)
    if not rules.may_cancel(handoff, actor):
        raise ServiceError("Only whoever raised the escalation, the session's owner or an admin may cancel it.",
                           code="permission_denied", status=403)
    note = _clean_note(note)
    cancelled = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN).update(
        status=HandoffStatus.CANCELLED, closed_at=timezone.now(), closing_note=note)
    if not cancelled:
        raise _transition_error(handoff, "cancelled")
    _sessions(handoff.account).filter(pk=handoff.session_id, status=SessionStatus.ESCALATED).update(
        status=SessionStatus.ACTIVE, assignee=None, updated_at=timezone.now())
    _system_line(handoff.session, f"{actor.name} cancelled the escalation" + (f": {note}" if note else "."))
    _record(handoff, EventKind.CANCELLED, actor, note=note)
    return handoff


# ---- alerts ---------------------------------------------------------------------------------


def handoff_alert(*, handoff: Handoff) -> bool:
    """Mark an escalation left unclaimed past its account's threshold; once per escalation."""
    with transaction.atomic():
        alerted = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN, alerted_at=None).update(
            alerted_at=timezone.now())
        if alerted:
            _record(handoff, EventKind.ALERTED, None, threshold_minutes=handoff.account.unclaimed_alert_minutes)
            transaction.on_commit(lambda: notifications.escalation_unclaimed(handoff))
    return bool(alerted)


def handoffs_past_alert_threshold(*, account: Account, now=None):
    """Open escalations of ``account`` left unclaimed past its threshold and not yet alerted."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=account.unclaimed_alert_minutes)
    return _handoffs(account).filter(status=HandoffStatus.OPEN, alerted_at=None, created_at__lte=cutoff).order_by(
        "created_at").select_related("account", "session", "requested_by", "handed_off_by")


# ---- the manual baseline --------------------------------------------------------------------


def _require_baseline_keeper(actor: User | None, account: Account) -> None:
    if actor is None:  # the platform: Django admin, management commands
        return
    if not (actor.account_id == account.id and rules.may_manage_baseline(actor)):
        raise ServiceError("Only an admin of this account keeps the baseline.", code="permission_denied", status=403)


def baseline_sample_create(*, account: Account, actor: User | None, minutes, note: str = "",
                           measured_on: date | None = None) -> BaselineSample:
    """Record one manual measurement: minutes from "I'm stuck" to a senior's first action.
    Admins of the account (or the platform, ``actor=None``) keep the baseline
    (``rules.may_manage_baseline``); others get 403 ``permission_denied``. Bad minutes are
    400 ``invalid_minutes``; out of range (0 to 10080) a Django ``ValidationError``."""
    _require_baseline_keeper(actor, account)
    try:
        minutes = Decimal(str(minutes)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ServiceError("Minutes must be a number, such as 25 or 12.5.", code="invalid_minutes") from None
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(account.time_zone))
    sample = BaselineSample(account=account, minutes=minutes, note=(note or "").strip(), recorded_by=actor,
                            measured_on=measured_on or today)
    sample.full_clean()
    sample.save()
    return sample


def baseline_sample_delete(*, sample: BaselineSample, actor: User | None) -> None:
    """Delete one sample (same rule as recording one)."""
    _require_baseline_keeper(actor, sample.account)
    BaselineSample.objects.for_account(sample.account).filter(pk=sample.pk).delete()
