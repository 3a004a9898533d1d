"""Emails about escalations: a new high or critical one, and one left unclaimed too long.

Both go to the account's active engineers and admins, one message each (nobody sees the
others' addresses), never to the person who asked for help or pressed Escalate. The services
call these INSIDE the event's transaction: each message becomes a pending email ``Delivery``
with its task (handoffs/deliveries.py), sent by the worker with retries; a failure never
undoes or refuses the change, and a message that failed for good is shown to the account's
admins (Account Management, Notifications) and platform staff (Django admin).

User text in a header is reduced to one line (``one_line``): a title with a line break
must not break the message or add headers.
"""

import logging

from django.utils import timezone

from accounts.models import Role, User
from resolutionflow.text import one_line

from .models import DeliveryKind, EventKind, Handoff, HandoffEvent, Urgency, stuck_on
from .webhooks import handoff_url

logger = logging.getLogger(__name__)

LOUD_URGENCIES = (Urgency.HIGH, Urgency.CRITICAL)


def recipients(handoff: Handoff, *, exclude: tuple = ()) -> list[str]:
    users = User.objects.filter(account_id=handoff.account_id, is_active=True,
                                role__in=(Role.ENGINEER, Role.ADMIN)).exclude(pk__in=[pk for pk in exclude if pk])
    return list(users.order_by("email").values_list("email", flat=True))


def _queue(handoff: Handoff, event_kind: str, subject: str, body: str, to: list[str]) -> int:
    """One pending email delivery per recipient, in the caller's transaction."""
    from . import deliveries  # deliveries sends what this module writes

    if not to:
        return 0
    event = (HandoffEvent.objects.for_account(handoff.account).filter(handoff=handoff, kind=event_kind)
             .order_by("-id").first())
    subject = one_line(subject)
    for address in to:
        deliveries.delivery_create(account=handoff.account, kind=DeliveryKind.EMAIL, topic=f"email.{event_kind}",
                                   target=address, subject=subject, body=body, event=event)
    logger.info("queued the %s email about escalation %s for %s recipient(s)", event_kind, handoff.pk, len(to))
    return len(to)


def _describe(handoff: Handoff) -> str:
    session = handoff.session
    lines = [f"Session: {one_line(session.title)}"]
    if session.client_name:
        lines.append(f"Client: {one_line(session.client_name)}")
    if session.ticket_ref:
        lines.append(f"Ticket: {one_line(session.ticket_ref)}")
    lines.append(f"Urgency: {handoff.get_urgency_display()}")
    asker = one_line(handoff.requested_by.name)
    if handoff.handed_off_by_id != handoff.requested_by_id:
        asker += f" (escalated by {one_line(handoff.handed_off_by.name)})"
    lines.append(f"Technician: {asker}")
    if handoff.note:
        lines.append(stuck_on(handoff.note))
    summary = (handoff.context or {}).get("summary")
    if summary:
        lines += ["", summary]
    lines += ["", f"Pick it up: {handoff_url(handoff)}"]
    return "\n".join(lines)


def escalation_created(handoff: Handoff) -> int:
    """A new high or critical escalation: tell everyone who could pick it up. Call it inside
    the escalation's transaction; returns how many emails were queued."""
    if handoff.urgency not in LOUD_URGENCIES:
        return 0
    to = recipients(handoff, exclude=(handoff.requested_by_id, handoff.handed_off_by_id))
    subject = f"[{handoff.account.name}] {handoff.get_urgency_display()} escalation: {handoff.session.title}"
    return _queue(handoff, EventKind.CREATED, subject, _describe(handoff), to)


def escalation_idle(handoff: Handoff) -> int:
    """The sweep found an escalation picked up past the threshold with no first action yet:
    tell the claimant and the account's admins (someone may need to take it over). Call it
    inside the alert's transaction; returns how many emails were queued."""
    waited = max(0, int((timezone.now() - handoff.claimed_at).total_seconds() // 60))
    holder = handoff.claimed_by
    admins = User.objects.filter(account_id=handoff.account_id, is_active=True, role=Role.ADMIN)
    to = sorted({holder.email, *admins.values_list("email", flat=True)}) if holder else []
    subject = f"[{handoff.account.name}] Picked up {waited} min ago, no action yet: {handoff.session.title}"
    who = one_line(holder.name) if holder else "Someone"
    body = (f"{who} picked this escalation up {waited} minutes ago and has not acted in the session yet "
            f"(the alert threshold of {handoff.account.name} is {handoff.account.unclaimed_alert_minutes} "
            f"minutes).\n\n{_describe(handoff)}")
    return _queue(handoff, EventKind.ALERTED, subject, body, to)


def escalation_unclaimed(handoff: Handoff) -> int:
    """The sweep found an escalation nobody picked up within the account's threshold. Call it
    inside the alert's transaction; returns how many emails were queued."""
    waited = max(0, int((timezone.now() - handoff.created_at).total_seconds() // 60))
    threshold = handoff.account.unclaimed_alert_minutes
    to = recipients(handoff, exclude=(handoff.requested_by_id,))
    subject = f"[{handoff.account.name}] Unclaimed for {waited} min: {handoff.session.title}"
    body = (f"Nobody has picked this escalation up for {waited} minutes "
            f"(the alert threshold of {handoff.account.name} is {threshold} minutes).\n\n{_describe(handoff)}")
    return _queue(handoff, EventKind.ALERTED, subject, body, to)
