"""The optional per-account outgoing webhook: every handoff event, POSTed as JSON.

The body is what Slack and Microsoft Teams incoming webhooks accept (a ``text`` line),
plus our own fields for any other receiver::

    {"text": "…", "event": "handoff.claimed", "seq": 42, "occurred_at": "…",
     "handoff": {…same as the realtime payload…, "url": "…"},
     "account": {"id": "…", "name": "…", "slug": "…"}}

Headers: ``X-ResolutionFlow-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
account's webhook secret>``, ``X-ResolutionFlow-Timestamp`` (unix seconds of this try),
``X-ResolutionFlow-Event`` and ``X-ResolutionFlow-Delivery`` (the delivery's id: the same on
every try, so a receiver can drop duplicates). ``seq`` is the account's event number and
orders events.

The body is built when the event is recorded (so it shows the handoff as it was then) and
stored as a ``Delivery`` row with its task, in the event's transaction
(handoffs/deliveries.py); the worker POSTs it. ``text`` carries user text (titles, notes,
names) escaped for chat markup, so a note cannot ping a channel or disguise a link.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from dataclasses import dataclass

import httpx
from django.conf import settings

from resolutionflow.outbound import DestinationRefused, resolve_destination

from .models import stuck_on

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ResolutionFlow-Signature"
TIMESTAMP_HEADER = "X-ResolutionFlow-Timestamp"
EVENT_HEADER = "X-ResolutionFlow-Event"
DELIVERY_HEADER = "X-ResolutionFlow-Delivery"
USER_AGENT = "ResolutionFlow-Webhook/1"

# Answers worth another attempt; any other 4xx means the request itself is wrong (a deleted
# Slack hook answers 404), and repeating it would only repeat the refusal.
RETRYABLE_STATUSES = {408, 425, 429}


@dataclass(frozen=True)
class PostResult:
    """One try: ``status`` is the HTTP status (None when no answer came), ``error`` says what
    went wrong (empty on a 2xx), ``retryable`` whether another try could succeed."""

    status: int | None
    error: str = ""
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (shown here for tests and documentation)."""
    return hmac.compare_digest(sign(secret, body), signature or "")


# ---- the body -------------------------------------------------------------------------------


def handoff_url(handoff) -> str:
    return f"{settings.SITE_URL}/escalations/{handoff.pk}/"


def _minutes_between(start, end) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def summary_line(event, handoff) -> str:
    """One human line for chat channels."""
    title = f"“{handoff.session.title}”"
    where = ", ".join(part for part in (handoff.session.client_name, handoff.session.ticket_ref) if part)
    if where:
        title += f" ({where})"
    actor = event.actor.name if event.actor else "ResolutionFlow"
    payload = event.payload or {}
    kind = event.kind
    if kind == "created":
        line = f"{handoff.get_urgency_display()} escalation from {handoff.requested_by.name}: {title}"
        if handoff.handed_off_by_id != handoff.requested_by_id:
            line += f", escalated by {handoff.handed_off_by.name}"
        if handoff.note:
            line += f". {stuck_on(handoff.note)}"
    elif kind == "claimed":
        line = f"{actor} picked up {title}"
    elif kind == "released":
        line = f"{actor} put {title} back on the queue"
    elif kind == "first_action":
        line = f"{actor} took the first action on {title}"
        if handoff.first_action_at:
            line += f", {_minutes_between(handoff.created_at, handoff.first_action_at)} min after it was escalated"
    elif kind == "returned":
        line = f"{actor} returned {title} to {handoff.requested_by.name}: {payload.get('note', '')}"
    elif kind == "resolved":
        line = f"{title} was resolved by {actor}"
        if handoff.closing_note:
            line += f": {handoff.closing_note}"
    elif kind == "cancelled":
        line = f"{actor} cancelled the escalation of {title}"
    elif kind == "alerted":
        line = (f"{title} has waited {_minutes_between(handoff.created_at, event.created_at)} min with nobody on it "
                f"(the alert threshold is {payload.get('threshold_minutes', '?')} min)")
    else:
        line = f"{title}: {kind}"
    return f"{line.rstrip('.')}. {handoff_url(handoff)}"


# ---- chat markup ------------------------------------------------------------------------------

_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Teams renders Markdown and a little HTML in ``text``: besides Slack's three, the brackets
# that would make ``[label](url)`` a disguised link become character references.
_TEAMS_ESCAPES = {**_SLACK_ESCAPES, "[": "&#91;", "]": "&#93;"}
TEAMS_HOST_SUFFIXES = (".webhook.office.com", "outlook.office.com", ".logic.azure.com")


def chat_flavour(url: str) -> str:
    """``teams`` for Microsoft Teams incoming webhook hosts, ``slack`` for anything else
    (Slack's escaping is also what most other chat receivers expect)."""
    host = (urllib.parse.urlsplit(url or "").hostname or "").lower()
    return "teams" if host.endswith(TEAMS_HOST_SUFFIXES) else "slack"


def chat_escape(text: str, flavour: str = "slack") -> str:
    """Make ``text`` inert in chat markup: Slack's control sequences (``<!here>``,
    ``<@U123>``, ``<https://x|label>``) and HTML entities per Slack's rules (``&``, ``<``,
    ``>``); for Teams also Markdown link brackets. Returns a new string."""
    table = _TEAMS_ESCAPES if flavour == "teams" else _SLACK_ESCAPES
    return "".join(table.get(char, char) for char in text)


def build_body(event, handoff, message: dict) -> bytes:
    """The JSON body for one event, UTF-8: the realtime ``message`` (the REST escalation
    object, built once per event) plus chat ``text``, the actor, the escalation's page ``url``
    and the account. ``text`` is escaped for the flavour of the account's webhook URL (every
    user field in it: titles, client, ticket, names, notes)."""
    account = handoff.account
    body = {
        "text": chat_escape(summary_line(event, handoff), chat_flavour(account.webhook_url)),
        **message,
        "actor": {"id": str(event.actor.pk), "name": event.actor.name} if event.actor else None,
        "handoff": {**message["handoff"], "url": handoff_url(handoff)},
        "account": {"id": str(account.pk), "name": account.name, "slug": account.slug},
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()




def ping_body(account) -> bytes:
    """The body of a test delivery sent from Account Management."""
    body = {
        "text": chat_escape(f"Test delivery from ResolutionFlow for {account.name}: the webhook works.",
                            chat_flavour(account.webhook_url)),
        "event": "ping",
        "seq": None,
        "occurred_at": None,
        "actor": None,
        "handoff": None,
        "account": {"id": str(account.pk), "name": account.name, "slug": account.slug},
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


# ---- one try ----------------------------------------------------------------------------------


def host_of(url: str) -> str:
    # Slack and Teams URLs carry their credential in the path: show and log only the host.
    return urllib.parse.urlsplit(url).netloc


def post(*, url: str, secret: str, event: str, delivery_id: str, body: bytes) -> PostResult:
    """POST ``body`` once, signed, to ``url``: never raises. The destination is checked
    first (resolutionflow.outbound) and the connection goes to the checked address; a
    refused destination is a non-retryable failure. Redirects are not followed (a 3xx is
    a failure: following one could carry the signed body somewhere nobody configured).
    Timeout: ``WEBHOOK_TIMEOUT_SECONDS`` per network operation."""
    try:
        destination = resolve_destination(url)
    except DestinationRefused as exc:
        return PostResult(None, f"Not sent: {exc.detail}", retryable=exc.code == "destination_unresolvable")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body),
        TIMESTAMP_HEADER: str(int(time.time())),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
    }
    extensions = {}
    if destination.addresses:
        parts = urllib.parse.urlsplit(url)
        headers["Host"] = parts.netloc.rpartition("@")[2]
        if parts.scheme == "https":
            extensions["sni_hostname"] = destination.host
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(destination.pinned_url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:  # refused, reset, timed out: all worth another try
        reason = str(exc)
        return PostResult(None, f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__, retryable=True)
    status = response.status_code
    if 200 <= status < 300:
        return PostResult(status)
    # A 4xx other than these means the request itself is wrong (a deleted Slack hook answers
    # 404): repeating it would only repeat the refusal.
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    return PostResult(status, f"HTTP {status}", retryable=retryable)


# ---- the entry point the services call --------------------------------------------------------


def event_recorded(event, handoff, message: dict):
    """Called for every HandoffEvent INSIDE its transaction: if the account has a webhook,
    build the body now and write its delivery and task with the event (a rollback sends
    nothing). Returns the ``Delivery`` or None (no webhook)."""
    from . import deliveries  # deliveries POSTs through this module

    account = handoff.account
    if not account.webhook_url:
        return None
    return deliveries.delivery_create(account=account, kind="webhook", topic=f"handoff.{event.kind}",
                                      body=build_body(event, handoff, message).decode(), event=event)
