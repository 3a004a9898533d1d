"""Realtime group names and publishing for sessions (docs/architecture.md#realtime-events).

Every change to a session is announced, after its transaction commits, to the session's
group (``/ws/v1/sessions/<id>/``) as::

    {"event": "session.changed", "session": "<uuid>", "actor": "<user uuid>" | null,
     "regions": ["transcript", "facts", ...], "reload": bool, "status": "active" | ...,
     "seq": int}

``regions`` name the parts of the session page that changed (``sessions_app.views.common.
REGIONS``); ``reload`` says the whole page changed (status, assignee, who may write), so a
page re-renders all of it. ``actor`` is whoever made the change (``null`` for the assistant
and system lines). The event says only *what* changed: pages re-fetch it from the server,
which stays the source of truth. ``handoffs`` publishes its escalation events to the same
group (``session_group`` is defined here: ``handoffs`` → ``sessions_app``).

``seq`` numbers one session's ``session.changed`` events 1, 2, 3, …: the counter
``TroubleshootingSession.event_seq`` is incremented in the transaction of the change (the
row stays locked until it commits, so concurrent changes get consecutive numbers and none
is reused or lost with a rollback). The page is rendered with the number it includes
(``data-event-seq``) and re-renders whole when an event skips one (live.js, startSession).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

logger = logging.getLogger(__name__)

# What each kind of write in ``sessions_app.signals.ACTIVITY_KINDS`` changes on the page.
ACTIVITY_REGIONS = {
    "message": ("transcript", "head"),
    "note": ("transcript", "head"),
    "fact": ("facts", "preview", "head"),
    "fix": ("fixes", "preview", "head"),
    "flow_answer": ("flow_step", "flow_path", "transcript", "preview", "head"),
}
ALL_REGIONS = ("head", "transcript", "facts", "fixes", "preview", "flow_step", "flow_path")


def session_group(session_id) -> str:
    """The channel-layer group of one session's page watchers."""
    return f"session-{session_id}"


def session_changed_message(*, session, actor=None, regions=(), reload: bool = False, seq: int = 0) -> dict:
    """The ``session.changed`` event (shape in the module docstring); ``seq`` is the number
    ``next_event_seq`` gave it. Unknown region names raise ``ValueError``: a typo must not
    silently update nothing."""
    unknown = set(regions) - set(ALL_REGIONS)
    if unknown:
        raise ValueError(f"unknown session regions {sorted(unknown)}")
    return {"event": "session.changed", "session": str(session.pk),
            "actor": str(actor.pk) if actor is not None else None,
            "regions": [name for name in ALL_REGIONS if name in regions], "reload": bool(reload),
            "status": session.status, "seq": seq}


def next_event_seq(session) -> int:
    """Increment the session row's ``event_seq`` in the current transaction (its own one
    outside any) and return the new value (1 for the first change). The update locks the row
    until the transaction ends, so two changes never share a number; a rollback returns it.
    The in-memory ``session`` gets the value too, so a later ``save()`` of it keeps it."""
    from sessions_app.models import TroubleshootingSession

    with transaction.atomic():
        rows = TroubleshootingSession.unscoped.filter(pk=session.pk)
        rows.update(event_seq=F("event_seq") + 1)
        session.event_seq = rows.values_list("event_seq", flat=True).get()
    return session.event_seq


def send_to_groups(message: dict, groups) -> None:
    """Send ``message`` to each group now. A failed send is logged, never raised: the change
    is committed, and pages resync on their next reconnect."""
    layer = get_channel_layer()
    envelope = {"type": "realtime.event", "payload": message}
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, envelope)
        except Exception:
            logger.exception("could not publish %s to %s", message.get("event"), group)


def session_changed(*, session, actor=None, regions=(), reload: bool = False) -> None:
    """Publish ``session.changed`` for ``session`` once the current transaction commits
    (at once outside a transaction; nothing if it rolls back)."""
    session_changed_message(session=session, regions=regions)  # unknown regions fail before the write
    message = session_changed_message(session=session, actor=actor, regions=regions, reload=reload,
                                      seq=next_event_seq(session))
    group = session_group(session.pk)
    transaction.on_commit(lambda: send_to_groups(message, [group]))
