"""Realtime group names and publishing for handoffs (STYLE.md §1: group names live here only).

Every handoff change writes one HandoffEvent in its transaction and publishes it after
commit to the account's group (the queue) and the session's group (the session page):
``{"event": "handoff.claimed", "seq": <event id>, "handoff": {...}}``.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def account_group(account_id) -> str:
    return f"account-{account_id}"


def session_group(session_id) -> str:
    return f"session-{session_id}"


def handoff_payload(handoff) -> dict:
    """What a realtime client needs to update a queue row or a session banner without a fetch."""

    def person(user):
        return {"id": str(user.pk), "name": user.name} if user else None

    return {
        "id": str(handoff.pk),
        "session": str(handoff.session_id),
        "session_title": handoff.session.title,
        "client_name": handoff.session.client_name,
        "status": handoff.status,
        "urgency": handoff.urgency,
        "note": handoff.note,
        "requested_by": person(handoff.requested_by),
        "handed_off_by": person(handoff.handed_off_by),
        "claimed_by": person(handoff.claimed_by),
        "created_at": handoff.created_at.isoformat(),
        "claimed_at": handoff.claimed_at.isoformat() if handoff.claimed_at else None,
        "first_action_at": handoff.first_action_at.isoformat() if handoff.first_action_at else None,
        "alerted_at": handoff.alerted_at.isoformat() if handoff.alerted_at else None,
        "closed_at": handoff.closed_at.isoformat() if handoff.closed_at else None,
        "closing_note": handoff.closing_note,
    }


def publish_on_commit(event, handoff) -> None:
    """Send the event to the account's and the session's groups once the transaction commits.
    A failed publish is logged, never raised: the change is committed, and clients resync."""
    message = {
        "type": "realtime.event",
        "payload": {"event": f"handoff.{event.kind}", "seq": event.id, "handoff": handoff_payload(handoff)},
    }
    groups = (account_group(handoff.account_id), session_group(handoff.session_id))

    def send():
        layer = get_channel_layer()
        for group in groups:
            try:
                async_to_sync(layer.group_send)(group, message)
            except Exception:
                logger.exception("could not publish %s to %s", message["payload"]["event"], group)

    transaction.on_commit(send)
