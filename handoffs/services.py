"""Every state change of an escalation (docs/architecture.md#domain-and-state-machine and #claims): one
function per transition, each a single transaction that writes its HandoffEvent and publishes it after commit.

The state machine: ``open → claimed | cancelled``; ``claimed → open`` (release) ``| resolved |
returned``. Anything else is ``Conflict`` ``invalid_transition`` naming the current status.
Claims and first-action stamps are conditional UPDATEs whose row count decides, so they are
right under any number of concurrent callers, on SQLite and PostgreSQL alike.

Who may do what is ``handoffs.rules``; the session's side (its status, assignee and
transcript) is changed only through ``sessions_app.services``. Every transaction here locks
the session's row before it touches the escalation's (``session_lock``), the same order the
session writes take, so a claim racing a resolve or a release racing a message can never
deadlock (docs/architecture.md, "Locks").
"""

import logging
import zoneinfo
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import rules as account_rules
from accounts.errors import Conflict, NotFound, ServiceError
from accounts.models import Account, User
from accounts.rules import require
from accounts.services import account_next_event_seq
from sessions_app import services as session_services
from sessions_app.models import MessageKind, TroubleshootingSession

from . import context as handoff_context
from . import notifications, rules, webhooks
from .events import event_message, publish_on_commit
from .models import (
    LIVE_STATUSES,
    NOTE_MAX,
    BaselineSample,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    Urgency,
)

logger = logging.getLogger(__name__)


def _handoffs(account):
    return Handoff.objects.for_account(account)


def _record(handoff: Handoff, event_kind: str, actor: User | None, **payload) -> HandoffEvent:
    """Write the audit event with the account's next ``seq``; publish it after commit and hand
    it to the webhook (its delivery row commits or rolls back with the event)."""
    handoff.refresh_from_db()
    event = HandoffEvent.objects.for_account(handoff.account).create(
        account=handoff.account, handoff=handoff, kind=event_kind, actor=actor, payload=payload,
        seq=account_next_event_seq(account_id=handoff.account_id),
    )
    message = event_message(event, handoff)
    publish_on_commit(message, account_id=handoff.account_id, session_id=handoff.session_id)
    webhooks.event_recorded(event, handoff, message)
    return event


def _transition_error(handoff: Handoff, action: str) -> Conflict:
    handoff.refresh_from_db()
    return Conflict(f"This escalation is {handoff.get_status_display().lower()}; it cannot be {action}.",
                    code="invalid_transition", extra={"status": handoff.status})


def _not_found(actor: User, handoff_or_session) -> None:
    if actor.account_id != handoff_or_session.account_id:
        # Callers look objects up through the account, so this is a programming error.
        raise NotFound("Escalation not found.", code="not_found")


def _clean_note(note: str, *, required: str | None = None) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ServiceError(required, code="note_required")
    if len(note) > NOTE_MAX:
        raise ServiceError(f"A note has at most {NOTE_MAX} characters.", code="note_too_long")
    return note


def live_handoff(*, session: TroubleshootingSession) -> Handoff | None:
    return _handoffs(session.account).filter(session=session, status__in=LIVE_STATUSES).first()


def _locked(handoff: Handoff) -> TroubleshootingSession:
    """Lock the escalation's session (first: the lock order), then re-read the escalation."""
    session = session_services.session_lock(handoff.session)
    handoff.refresh_from_db()
    handoff.session = session
    return session


# ---- escalate -------------------------------------------------------------------------------


@transaction.atomic
def handoff_escalate(*, session: TroubleshootingSession, actor: User, note: str = "",
                     urgency: str = Urgency.NORMAL) -> Handoff:
    """Escalate a session: its owner, or a colleague for them (peer escalation).

    Raises ``NotPermitted`` (``permission_denied``: ``rules.may_escalate``), ``ServiceError``
    (``note_required`` for an empty note, ``invalid_urgency``, ``note_too_long``), ``Conflict``
    (``already_escalated`` with ``handoff`` and ``status``; ``session_closed`` with ``status``)."""
    _not_found(actor, session)
    require(rules.may_escalate(session, actor), "Viewers cannot escalate; ask an engineer.")
    if urgency not in Urgency.values:
        raise ServiceError(f"{urgency!r} is not an urgency; use low, normal, high or critical.",
                           code="invalid_urgency")
    note = _clean_note(note, required="Say where you are stuck: what you tried and what happened. "
                                      "Whoever picks it up starts from this note.")
    session_services.session_lock(session)
    existing = live_handoff(session=session)
    if existing is not None:
        raise Conflict("This session is already escalated.", code="already_escalated",
                       extra={"handoff": str(existing.pk), "status": existing.status})
    who = actor.name if actor.pk == session.owner_id else f"{actor.name} (for {session.owner.name})"
    session_services.session_mark_escalated(session=session, line=f"Escalated by {who}, urgency {urgency}: {note}")
    handoff = Handoff(account=session.account, session=session, requested_by=session.owner, handed_off_by=actor,
                      note=note, urgency=urgency,
                      context=handoff_context.snapshot(session=session, note=note, handed_off_by=actor))
    try:
        with transaction.atomic():
            handoff.save()
    except IntegrityError:  # pragma: no cover - the session lock serialises escalations first
        raise Conflict("This session is already escalated.", code="already_escalated") from None
    _record(handoff, EventKind.CREATED, actor, urgency=urgency, peer=actor.pk != session.owner_id)
    notifications.escalation_created(handoff)  # queued in this transaction (handoffs/deliveries.py)
    return handoff


# ---- claim and release ----------------------------------------------------------------------


def _already_claimed(handoff: Handoff) -> Conflict:
    holder = handoff.claimed_by
    return Conflict(f"{holder.name if holder else 'Someone'} picked this up first.", code="already_claimed",
                    extra={"claimed_by": {"id": str(holder.pk), "name": holder.name} if holder else None,
                           "status": handoff.status})


def handoff_claim(*, handoff: Handoff, actor: User) -> Handoff:
    """Pick up an escalation. One conditional UPDATE decides among any number of claimers.

    A claim by the engineer who already holds it changes nothing and returns the escalation as
    a won claim does: a double-clicked or retried pick-up is not told that they lost to
    themselves ("<their own name> picked this up first").

    Raises ``NotPermitted`` (``own_escalation``, or ``permission_denied`` for viewers:
    ``rules.may_claim``), ``Conflict`` (``already_claimed`` with ``claimed_by`` and
    ``status``; ``invalid_transition`` when it is closed)."""
    _not_found(actor, handoff)
    require(account_rules.may_work(actor), "Viewers cannot pick up escalations.")
    require(rules.may_claim(handoff, actor),
            "You raised this escalation (or it is your session); a colleague picks it up.", code="own_escalation")
    handoff.refresh_from_db()
    if _held_by(handoff, actor):
        return handoff
    if handoff.status != HandoffStatus.OPEN:
        # The common case of a lost race: answered without taking a write lock.
        raise _already_claimed(handoff) if handoff.status == HandoffStatus.CLAIMED else \
            _transition_error(handoff, "picked up")
    with transaction.atomic():
        session = _locked(handoff)
        now = timezone.now()
        won = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN).update(
            status=HandoffStatus.CLAIMED, claimed_by=actor, claimed_at=now)
        if won:  # the first pick-up stays: a release and a second claim do not reset it
            _handoffs(handoff.account).filter(pk=handoff.pk, first_claimed_at=None).update(
                first_claimed_at=now, first_claimed_by=actor)
        if won:
            session_services.session_assign(session=session, engineer=actor, line=f"Picked up by {actor.name}.")
            _record(handoff, EventKind.CLAIMED, actor)
            return handoff
    handoff.refresh_from_db()
    if _held_by(handoff, actor):  # the same engineer's other request won the race
        return handoff
    if handoff.status == HandoffStatus.CLAIMED:
        raise _already_claimed(handoff)
    raise _transition_error(handoff, "picked up")


def _held_by(handoff: Handoff, actor: User) -> bool:
    return handoff.status == HandoffStatus.CLAIMED and handoff.claimed_by_id == actor.pk


# The verb of each claimant action, for refusals: ``action`` is the past participle
# ("released") that _transition_error puts in "cannot be released".
_CLAIMANT_VERBS = {"released": "release", "returned": "return", "resolved": "resolve"}


def _require_claimant(handoff: Handoff, actor: User, action: str) -> None:
    verb = _CLAIMANT_VERBS[action]
    require(account_rules.may_work(actor), f"Viewers cannot {verb} escalations.")
    if handoff.status != HandoffStatus.CLAIMED:
        raise _transition_error(handoff, action)
    require(rules.may_act_on_claim(handoff, actor),
            f"Only the engineer who picked this up (or an admin) may {verb} it.")


def _close_claim(handoff: Handoff, *, status: str, note: str) -> None:
    """claimed → ``status`` (the caller holds the session's lock and saw it claimed)."""
    changes = {"status": status}
    if status == HandoffStatus.OPEN:
        changes.update(claimed_by=None, claimed_at=None)
    else:
        changes.update(closed_at=timezone.now(), closing_note=note)
    if not _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.CLAIMED).update(**changes):
        raise _transition_error(handoff, status)  # pragma: no cover - the session lock decided first


@transaction.atomic
def handoff_release(*, handoff: Handoff, actor: User) -> Handoff:
    """Put a claimed escalation back on the queue. Raises ``NotPermitted``
    (``rules.may_act_on_claim``) and ``Conflict`` (``invalid_transition``)."""
    _not_found(actor, handoff)
    session = _locked(handoff)
    _require_claimant(handoff, actor, "released")
    _close_claim(handoff, status=HandoffStatus.OPEN, note="")
    session_services.session_unassign(session=session, reopen=False,
                                      line=f"{actor.name} put the escalation back on the queue.")
    _record(handoff, EventKind.RELEASED, actor)
    return handoff


def on_member_access_changed(*, user: User, actor: User | None, reason: str, **_signal) -> int:
    """Receiver of ``accounts.signals.member_access_changed`` (in ``user_update``'s transaction):
    a member who may no longer act on their claims (deactivated, or demoted to viewer) gives
    every escalation they hold back to the queue, with a ``released`` event that says why and
    the session's assignee cleared. Returns how many were released."""
    if account_rules.may_work(user):
        return 0
    released = 0
    why = "was deactivated" if reason == "deactivated" else "is no longer an engineer"
    for handoff in _handoffs(user.account).filter(status=HandoffStatus.CLAIMED, claimed_by=user):
        session = _locked(handoff)
        if handoff.status != HandoffStatus.CLAIMED or handoff.claimed_by_id != user.pk:
            continue
        _close_claim(handoff, status=HandoffStatus.OPEN, note="")
        session_services.session_unassign(session=session, reopen=False,
                                          line=f"Back on the queue: {user.name} {why}.")
        _record(handoff, EventKind.RELEASED, actor, reason=reason,
                previous_claimant={"id": str(user.pk), "name": user.name})
        released += 1
    return released


# ---- first action ---------------------------------------------------------------------------


def _stamp_first_action(handoff: Handoff, actor: User, kind: str) -> bool:
    stamped = _handoffs(handoff.account).filter(
        pk=handoff.pk, status=HandoffStatus.CLAIMED, claimed_by=actor, first_action_at=None
    ).update(first_action_at=timezone.now(), first_action_kind=kind, first_action_by=actor)
    if stamped:
        _record(handoff, EventKind.FIRST_ACTION, actor, kind=kind)
    return bool(stamped)


def on_session_activity(*, session: TroubleshootingSession, actor: User, kind: str, **_signal) -> None:
    """Receiver of ``sessions_app.signals.session_activity`` (in the writer's transaction,
    after the session's lock): the claimant's first action in the session stamps
    ``first_action_at`` once, and a resolved session closes its live escalation, so the queue
    never shows a finished problem."""
    handoff = live_handoff(session=session)
    if handoff is None:
        return
    if handoff.status == HandoffStatus.CLAIMED and handoff.claimed_by_id == actor.pk:
        _stamp_first_action(handoff, actor, kind)
    if kind == "resolve":
        closed = _handoffs(session.account).filter(pk=handoff.pk, status__in=LIVE_STATUSES).update(
            status=HandoffStatus.RESOLVED, closed_at=timezone.now(), closing_note=session.resolution)
        if closed:
            _record(handoff, EventKind.RESOLVED, actor, resolution=session.resolution)


# ---- return, resolve, cancel ----------------------------------------------------------------


@transaction.atomic
def handoff_return(*, handoff: Handoff, actor: User, note: str) -> Handoff:
    """Hand the session back to the technician with a note (what to do next). Raises
    ``ServiceError`` (``note_required``, ``note_too_long``), ``NotPermitted``, ``Conflict``."""
    _not_found(actor, handoff)
    note = _clean_note(note, required="Say what the technician should do next.")
    session = _locked(handoff)
    _require_claimant(handoff, actor, "returned")
    _stamp_first_action(handoff, actor, "return")
    _close_claim(handoff, status=HandoffStatus.RETURNED, note=note)
    session_services.session_unassign(session=session, reopen=True, author=actor, kind=MessageKind.NOTE,
                                      line=f"{actor.name} returned the session: {note}")
    _record(handoff, EventKind.RETURNED, actor, note=note)
    return handoff


@transaction.atomic
def handoff_resolve(*, handoff: Handoff, actor: User, resolution: str) -> Handoff:
    """Resolve the problem: the session closes with the resolution through
    ``sessions_app.services.session_resolve`` (the one path to "resolved"), whose activity
    closes this escalation. Raises ``ServiceError`` (``note_required``), ``NotPermitted``,
    ``Conflict``."""
    _not_found(actor, handoff)
    resolution = _clean_note(resolution, required="Say what fixed it: the resolution goes into the ticket.")
    session = _locked(handoff)
    _require_claimant(handoff, actor, "resolved")
    session_services.session_resolve(session=session, actor=actor, resolution=resolution)
    handoff.refresh_from_db()
    return handoff


@transaction.atomic
def handoff_cancel(*, handoff: Handoff, actor: User, note: str = "") -> Handoff:
    """Withdraw an escalation nobody has picked up yet (the technician got unstuck). Raises
    ``NotPermitted`` (``rules.may_cancel``), ``Conflict`` (``invalid_transition``)."""
    _not_found(actor, handoff)
    require(rules.may_cancel(handoff, actor),
            "Only whoever raised the escalation, the session's owner or an admin may cancel it.")
    note = _clean_note(note)
    session = _locked(handoff)
    if handoff.status != HandoffStatus.OPEN:
        raise _transition_error(handoff, "cancelled")
    _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN).update(
        status=HandoffStatus.CANCELLED, closed_at=timezone.now(), closing_note=note)
    session_services.session_unassign(
        session=session, reopen=True, line=f"{actor.name} cancelled the escalation" + (f": {note}" if note else "."))
    _record(handoff, EventKind.CANCELLED, actor, note=note)
    return handoff


# ---- alerts ---------------------------------------------------------------------------------


def handoff_alert(*, handoff: Handoff) -> bool:
    """Alert, once each, an escalation left unclaimed past its account's threshold
    (``alerted_at``; event payload ``reason="unclaimed"``) and one picked up but with no first
    action that long after the pick-up (``idle_alerted_at``; ``reason="no_first_action"``).
    Returns whether this call alerted (False when a claim, an action or another sweep came
    first)."""
    threshold = handoff.account.unclaimed_alert_minutes
    with transaction.atomic():
        now = timezone.now()
        unclaimed = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.OPEN, alerted_at=None)
        if unclaimed.update(alerted_at=now):
            _record(handoff, EventKind.ALERTED, None, reason="unclaimed", threshold_minutes=threshold)
            notifications.escalation_unclaimed(handoff)  # queued in this transaction
            return True
        idle = _handoffs(handoff.account).filter(pk=handoff.pk, status=HandoffStatus.CLAIMED, first_action_at=None,
                                                  idle_alerted_at=None)
        if idle.update(idle_alerted_at=now):
            _record(handoff, EventKind.ALERTED, None, reason="no_first_action", threshold_minutes=threshold)
            notifications.escalation_idle(handoff)  # queued in this transaction
            return True
    return False


def handoffs_past_alert_threshold(*, account: Account, now=None):
    """Escalations of ``account`` to alert now, oldest first: open and unclaimed past its
    threshold, or claimed that long ago with no first action yet; each not alerted yet."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=account.unclaimed_alert_minutes)
    unclaimed = Q(status=HandoffStatus.OPEN, alerted_at=None, created_at__lte=cutoff)
    idle = Q(status=HandoffStatus.CLAIMED, first_action_at=None, idle_alerted_at=None, claimed_at__lte=cutoff)
    return _handoffs(account).filter(unclaimed | idle).order_by("created_at").select_related(
        "account", "session", "requested_by", "handed_off_by", "claimed_by")


# ---- the manual baseline --------------------------------------------------------------------


def _require_baseline_keeper(actor: User | None, account: Account) -> None:
    # ``None`` is the platform: Django admin, management commands.
    require(actor is None or (actor.account_id == account.id and rules.may_manage_baseline(actor)),
            "Only an admin of this account keeps the baseline.")


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
