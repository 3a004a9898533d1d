"""The optional per-account outgoing webhook: every handoff event, POSTed as JSON.

The body is what Slack and Microsoft Teams incoming webhooks accept (a ``text`` line),
plus our own fields for any other receiver::

    {"text": "…", "event": "handoff.claimed", "seq": 42, "occurred_at": "…",
     "handoff": {…same as the realtime payload…, "url": "…"},
     "account": {"id": "…", "name": "…", "slug": "…"}}

Headers: ``X-ResolutionFlow-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
account's webhook secret>``, ``X-ResolutionFlow-Timestamp`` (unix seconds when the delivery
was first attempted), ``X-ResolutionFlow-Event`` and ``X-ResolutionFlow-Delivery`` (an id that
stays the same across retries, so a receiver can drop duplicates). ``seq`` is the account's event number:
deliveries run in parallel and may arrive out of order; ``seq`` orders them.

Delivery never runs on the request path: the body is built when the event is recorded
(so it shows the handoff as it was then), handed to a small thread pool once the
transaction commits, and the pool POSTs it with retries and exponential backoff. Every
failed attempt is logged as a warning, the final one as an error; nothing is raised.

Settings (with defaults): ``HANDOFF_WEBHOOK_ATTEMPTS`` 3, ``HANDOFF_WEBHOOK_BACKOFF_SECONDS``
0.5 (then 1, 2, … between attempts), ``HANDOFF_WEBHOOK_TIMEOUT_SECONDS`` 5,
``HANDOFF_WEBHOOK_WORKERS`` 4.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ResolutionFlow-Signature"
TIMESTAMP_HEADER = "X-ResolutionFlow-Timestamp"
EVENT_HEADER = "X-ResolutionFlow-Event"
DELIVERY_HEADER = "X-ResolutionFlow-Delivery"
USER_AGENT = "ResolutionFlow-Webhook/1"

# Answers worth another attempt; any other 4xx means the request itself is wrong (a deleted
# Slack hook answers 404), and repeating it would only repeat the refusal.
RETRYABLE_STATUSES = {408, 425, 429}


def _setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class Delivery:
    url: str
    secret: str
    event: str
    seq: int
    body: bytes
    delivery_id: str


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    status: int | None  # the last HTTP status, None when no answer came


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
            line += f". Stuck on: {handoff.note}"
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


def build_body(event, handoff, message: dict) -> bytes:
    """The realtime ``message`` (the REST escalation object) plus chat ``text``, the actor,
    the escalation's page ``url`` and the account."""
    account = handoff.account
    body = {
        "text": summary_line(event, handoff),
        **message,
        "actor": {"id": str(event.actor.pk), "name": event.actor.name} if event.actor else None,
        "handoff": {**message["handoff"], "url": handoff_url(handoff)},
        "account": {"id": str(account.pk), "name": account.name, "slug": account.slug},
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


# ---- delivery -------------------------------------------------------------------------------

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: set[Future] = set()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_setting("HANDOFF_WEBHOOK_WORKERS", 4),
                                           thread_name_prefix="handoff-webhook")
        return _executor


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is reported as the failure it is: following it would turn the POST into a
    GET (urllib's behaviour) and could lead the signed body somewhere nobody configured."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: Delivery, timestamp: int) -> int:
    if urllib.parse.urlsplit(delivery.url).scheme not in ("http", "https"):
        # The model validates this too; a row written around it must not open file: URLs.
        raise ValueError("webhook URLs must be http or https")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(delivery.secret, delivery.body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.delivery_id,
    }
    request = urllib.request.Request(delivery.url, data=delivery.body, method="POST", headers=headers)  # noqa: S310
    try:
        with _opener.open(request, timeout=_setting("HANDOFF_WEBHOOK_TIMEOUT_SECONDS", 5)) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def deliver(delivery: Delivery) -> Outcome:
    """POST one event, retrying with exponential backoff. Logs, never raises."""
    attempts = max(1, int(_setting("HANDOFF_WEBHOOK_ATTEMPTS", 3)))
    backoff = float(_setting("HANDOFF_WEBHOOK_BACKOFF_SECONDS", 0.5))
    timestamp = int(time.time())
    status = None
    for attempt in range(1, attempts + 1):
        try:
            status = _post(delivery, timestamp)
            problem = None if 200 <= status < 300 else f"HTTP {status}"
        except Exception as exc:  # refused, reset, timed out, bad DNS: all worth a retry
            status, problem = None, f"{type(exc).__name__}: {exc}"
        if problem is None:
            logger.info("webhook %s seq %s delivered to %s (attempt %s)", delivery.event, delivery.seq,
                        _host(delivery.url), attempt)
            return Outcome(True, attempt, status)
        retryable = status is None or status >= 500 or status in RETRYABLE_STATUSES
        if attempt == attempts or not retryable:
            logger.error("webhook %s seq %s to %s failed for good after %s attempt(s): %s", delivery.event,
                         delivery.seq, _host(delivery.url), attempt, problem)
            return Outcome(False, attempt, status)
        delay = backoff * 2 ** (attempt - 1)
        logger.warning("webhook %s seq %s to %s failed (attempt %s of %s): %s; retrying in %.2f s",
                       delivery.event, delivery.seq, _host(delivery.url), attempt, attempts, problem, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")


def _host(url: str) -> str:
    # Slack and Teams URLs carry their credential in the path: log only where it went.
    return urllib.parse.urlsplit(url).netloc


def _forget(future: Future) -> None:
    with _executor_lock:
        _pending.discard(future)


def submit(delivery: Delivery) -> Future:
    """Hand a delivery to the pool; returns at once."""
    future = _pool().submit(deliver, delivery)
    with _executor_lock:
        _pending.add(future)
    future.add_done_callback(_forget)
    return future


def drain(timeout: float | None = None) -> bool:
    """Wait for deliveries in flight (tests, and a clean shutdown). True if all finished."""
    with _executor_lock:
        pending = list(_pending)
    done, not_done = wait(pending, timeout=timeout)
    return not not_done


def event_recorded(event, handoff, message: dict) -> None:
    """Called for every HandoffEvent inside its transaction: if the account has a webhook,
    build the body now and queue the POST for after commit (a rollback sends nothing)."""
    account = handoff.account
    if not account.webhook_url:
        return
    if not account.webhook_secret:
        logger.error("account %s has a webhook URL but no secret; set the URL again to generate one", account.pk)
        return
    delivery = Delivery(url=account.webhook_url, secret=account.webhook_secret, event=f"handoff.{event.kind}",
                        seq=event.seq, body=build_body(event, handoff, message), delivery_id=str(uuid.uuid4()))

    def queue():
        try:
            submit(delivery)
        except Exception:  # a pool shut down at interpreter exit: the change itself stands
            logger.exception("could not queue webhook %s seq %s", delivery.event, delivery.seq)

    transaction.on_commit(queue)
