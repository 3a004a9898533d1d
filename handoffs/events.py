"""Realtime group names and publishing for handoffs (docs/architecture.md#rooms-and-dependencies: group names live here
only).

Every handoff change writes one HandoffEvent in its transaction and publishes it after
commit to the account's group (the queue) and the session's group (the session page):
``{"event": "handoff.claimed", "seq": <the account's event number>, "handoff": {...}}``, where
``handoff`` is the REST API's escalation object without ``actions`` (``HandoffMessageSerializer``),
built once per event and shared with the webhook; each socket adds its own user's ``actions``
(``consumers.HandoffActionsMixin``), so what a socket receives is the REST object.
"""

import json
import logging

from django.db import transaction
from rest_framework.renderers import JSONRenderer

from handoffs.api.serializers import HandoffMessageSerializer
from handoffs.models import Handoff, HandoffStatus
from handoffs.selectors import handoff_actions_from_data
from sessions_app.events import send_to_groups, session_group

__all__ = ["account_group", "event_message", "handoff_data", "message_for_reader", "publish_on_commit",
           "session_group"]

logger = logging.getLogger(__name__)


def account_group(account_id) -> str:
    return f"account-{account_id}"


def handoff_data(handoff) -> dict:
    """The escalation as the REST API shows it, ``actions`` aside (they depend on the reader), as
    plain JSON types."""
    return json.loads(JSONRenderer().render(HandoffMessageSerializer(handoff).data))


def event_message(event, handoff) -> dict:
    """``{"event": "handoff.<kind>", "seq": int, "occurred_at": iso, "handoff": {…}}``."""
    return {"event": f"handoff.{event.kind}", "seq": event.seq, "occurred_at": event.created_at.isoformat(),
            "handoff": handoff_data(handoff)}


def message_for_reader(message: dict, user) -> dict:
    """``message`` as ``user`` reads it: a ``handoff.*`` message's escalation gets the user's own
    ``actions`` (``selectors.handoff_actions_from_data``: the message's fields and the rules, no
    query), so it is the REST object that user reads. Other messages come back as they are; the
    shared ``message`` is never changed. The websockets and ``GET /api/v1/events/`` use it."""
    handoff = message.get("handoff") if isinstance(message, dict) else None
    if not isinstance(handoff, dict) or not str(message.get("event", "")).startswith("handoff."):
        return message
    return {**message, "handoff": {**handoff, "actions": handoff_actions_from_data(data=handoff, user=user)}}


def publish_on_commit(message: dict, *, account_id, session_id) -> None:
    """Send ``message`` to the account's and the session's groups once the transaction
    commits. A failed publish is logged, never raised: the change is committed, and clients
    resync (their next ``seq`` shows the gap)."""
    groups = (account_group(account_id), session_group(session_id))

    def send():
        send_to_groups(message, groups)
        send_to_groups(queue_count_message(account_id), [account_group(account_id)])

    transaction.on_commit(send)


def queue_count_message(account_id) -> dict:
    """``{"event": "queue.count", "open": <escalations nobody has picked up>}``: sent to the
    account's group after each escalation event, so the navigation's count and the tab title
    of every open page follow the queue, not only the queue page."""
    open_count = Handoff.unscoped.filter(account_id=account_id, status=HandoffStatus.OPEN).count()
    return {"event": "queue.count", "open": open_count}
