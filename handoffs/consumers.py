"""Websockets of Escalation Mode (docs/architecture.md#realtime-events).

``/ws/v1/queue/`` carries every handoff event of the user's account; ``/ws/v1/sessions/<id>/``
those of one session of that account. Both forward what ``handoffs.events`` publishes,
``{"event": "handoff.<kind>", "seq": <the account's event number>, "handoff": {...}}``, and greet with
``{"event": "hello", ..., "seq": <the account's newest event number>}`` so a client that
rendered an older state (or reconnects) knows at once that it must resync. The queue socket
also carries ``{"event": "queue.count", "open": n}`` after each escalation event, and its
hello the same ``open`` count, for the navigation of every page. The session socket also
carries ``session.changed`` (``sessions_app.events``).
"""

from channels.db import database_sync_to_async

from accounts.realtime import AccountConsumer
from accounts.sockets import CLOSE_NOT_FOUND

from . import rules, selectors
from .events import account_group, message_for_reader, session_group

# Refusals (after accept): 4401 not signed in and 4403 a foreign Origin (accounts.realtime),
# 4404 no such session in the user's account. Another account's session is "not found",
# never "forbidden" (docs/architecture.md#rules).


@database_sync_to_async
def _last_seq(user) -> int:
    return selectors.last_event_seq(account=user.account)


@database_sync_to_async
def _open_count(user) -> int:
    return selectors.handoff_open_count(account=user.account)


@database_sync_to_async
def _session_visible(user, session_id) -> bool:
    return selectors.session_get(account=user.account, session_id=session_id) is not None


@database_sync_to_async
def _session_seq(user, session_id) -> int:
    session = selectors.session_get(account=user.account, session_id=session_id)
    return session.event_seq if session is not None else 0


class HandoffActionsMixin:
    """Gives each socket's user their own ``actions`` on the escalation of a ``handoff.*``
    message, so a socket receives exactly the REST object. The message is built once per event
    for everyone (``events.event_message``); the actions come from its fields and the pure rules
    (``events.message_for_reader``), with no query per socket. The user is the one the
    socket opened with: a role change or a deactivation closes the socket (4403 / 4401)."""

    async def realtime_event(self, message):
        payload = message.get("payload")
        reader_payload = message_for_reader(payload, self.user)
        if reader_payload is not payload:
            message = {**message, "payload": reader_payload}
        await super().realtime_event(message)


class QueueConsumer(HandoffActionsMixin, AccountConsumer):
    """``/ws/v1/queue/``: the account's escalation events."""

    async def get_groups(self):
        return [account_group(self.user.account_id)]

    async def on_accepted(self):
        await self.send_json({"event": "hello", "account": str(self.user.account_id),
                              "seq": await _last_seq(self.user), "open": await _open_count(self.user)})


class SessionConsumer(HandoffActionsMixin, AccountConsumer):
    """``/ws/v1/sessions/<id>/``: the escalation events of one session of the account."""

    async def connect(self):
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        await super().connect()

    async def refusal(self):
        if not rules.may_view_escalations(self.user) or not await _session_visible(self.user, self.session_id):
            return CLOSE_NOT_FOUND, "not_found"
        return None

    async def get_groups(self):
        return [session_group(self.session_id)]

    async def on_accepted(self):
        # Read after joining the group: every session.changed from here on has a larger seq.
        await self.send_json({"event": "hello", "session": str(self.session_id),
                              "seq": await _last_seq(self.user),
                              "session_seq": await _session_seq(self.user, self.session_id)})
