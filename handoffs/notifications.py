"""Emails about escalations: a new high or critical one, and one left unclaimed too long.

Both go to the account's active engineers and admins, one message each (nobody sees the
others' addresses), never to the person who asked for help or pressed Escalate. The services
call these after commit; a failure to send is logged and never undoes or refuses the change.
"""

import logging

from django.core.mail import EmailMessage, mailers
from django.utils import timezone

from accounts.models import Role, User

from .models import Handoff, Urgency
from .webhooks import handoff_url

logger = logging.getLogger(__name__)

LOUD_URGENCIES = (Urgency.HIGH, Urgency.CRITICAL)


def recipients(handoff: Handoff, *, exclude: tuple = ()) -> list[str]:
    users = User.objects.filter(account_id=handoff.account_id, is_active=True,
                                role__in=(Role.ENGINEER, Role.ADMIN)).exclude(pk__in=[pk for pk in exclude if pk])
    return list(users.order_by("email").values_list("email", flat=True))


def _send(subject: str, body: str, to: list[str], *, what: str) -> int:
    if not to:
        return 0
    messages = [EmailMessage(subject, body, None, [address]) for address in to]
    try:
        sent = mailers.default.send_messages(messages) or 0
    except Exception:
        logger.exception("could not send the %s email to %s recipient(s)", what, len(to))
        return 0
    logger.info("sent the %s email to %s recipient(s)", what, sent)
    return sent


def _describe(handoff: Handoff) -> str:
    session = handoff.session
    lines = [f"Session: {session.title}"]
    if session.client_name:
        lines.append(f"Client: {session.client_name}")
    if session.ticket_ref:
        lines.append(f"Ticket: {session.ticket_ref}")
    lines.append(f"Urgency: {handoff.get_urgency_display()}")
    asker = handoff.requested_by.name
    if handoff.handed_off_by_id != handoff.requested_by_id:
        asker += f" (escalated by {handoff.handed_off_by.name})"
    lines.append(f"Technician: {asker}")
    if handoff.note:
        lines.append(f"Stuck on: {handoff.note}")
    summary = (handoff.context or {}).get("summary")
    if summary:
        lines += ["", summary]
    lines += ["", f"Pick it up: {handoff_url(handoff)}"]
    return "\n".join(lines)


def escalation_created(handoff: Handoff) -> int:
    """A new high or critical escalation: tell everyone who could pick it up."""
    if handoff.urgency not in LOUD_URGENCIES:
        return 0
    to = recipients(handoff, exclude=(handoff.requested_by_id, handoff.handed_off_by_id))
    subject = f"[{handoff.account.name}] {handoff.get_urgency_display()} escalation: {handoff.session.title}"
    return _send(subject, _describe(handoff), to, what=f"{handoff.urgency} escalation {handoff.pk}")


def escalation_idle(handoff: Handoff) -> int:
    """The sweep found an escalation picked up past the threshold with no first action yet:
    tell the claimant and the account's admins (someone may need to take it over)."""
    waited = max(0, int((timezone.now() - handoff.claimed_at).total_seconds() // 60))
    holder = handoff.claimed_by
    admins = User.objects.filter(account_id=handoff.account_id, is_active=True, role=Role.ADMIN)
    to = sorted({holder.email, *admins.values_list("email", flat=True)} - {""}) if holder else []
    subject = f"[{handoff.account.name}] Picked up {waited} min ago, no action yet: {handoff.session.title}"
    body = (f"{holder.name if holder else 'Someone'} picked this escalation up {waited} minutes ago and has not "
            f"acted in the session yet (the alert threshold of {handoff.account.name} is "
            f"{handoff.account.unclaimed_alert_minutes} minutes).\n\n{_describe(handoff)}")
    return _send(subject, body, to, what=f"idle alert {handoff.pk}")


def escalation_unclaimed(handoff: Handoff) -> int:
    """The sweep found an escalation nobody picked up within the account's threshold."""
    waited = max(0, int((timezone.now() - handoff.created_at).total_seconds() // 60))
    threshold = handoff.account.unclaimed_alert_minutes
    to = recipients(handoff, exclude=(handoff.requested_by_id,))
    subject = f"[{handoff.account.name}] Unclaimed for {waited} min: {handoff.session.title}"
    body = (f"Nobody has picked this escalation up for {waited} minutes "
            f"(the alert threshold of {handoff.account.name} is {threshold} minutes).\n\n{_describe(handoff)}")
    return _send(subject, body, to, what=f"unclaimed alert {handoff.pk}")
