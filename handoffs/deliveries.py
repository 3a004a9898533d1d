"""Outbound deliveries (docs/architecture.md#background-work): webhook POSTs and emails caused by escalation events,
as ``Delivery`` rows run by a task of Django's Tasks framework.

``delivery_create`` writes the row and enqueues its task in the caller's transaction. With
the database backend (django-tasks-db, the default) the task is a row too, so a rolled-back
change leaves neither and a committed one is never forgotten; ``manage.py db_worker`` runs
it. Backends that are not the database (RQ, immediate) are enqueued once the transaction
commits instead, so they never run a task for a row that was rolled back.

The task makes one try. A failure worth retrying (no answer, 5xx, 408/425/429, an SMTP
error) re-enqueues the task with ``run_after`` = now + ``DELIVERY_BACKOFF_SECONDS`` × 2^(tries
− 1) until ``max_attempts`` tries (``DELIVERY_MAX_ATTEMPTS``); then, or at once for a failure
no retry can fix (a 4xx, a refused destination, no webhook any more), the row is ``failed``
with the last error, shown to admins in Account Management and Django admin, where they can
re-send it (same delivery id, ``DELIVERY_MAX_ATTEMPTS`` more tries). Nothing here runs on a
request thread, and nothing raises into the change that caused the delivery.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from accounts.errors import Conflict, ServiceError
from accounts.models import Account, User
from accounts.rules import require_manage_account
from resolutionflow.outbound import DestinationRefused, resolve_destination
from resolutionflow.tasks import enqueue_with_transaction

from . import webhooks
from .models import Delivery, DeliveryKind, DeliveryStatus, HandoffEvent

logger = logging.getLogger(__name__)


def _max_attempts() -> int:
    return max(1, int(settings.DELIVERY_MAX_ATTEMPTS))


def backoff_seconds(tries_so_far: int) -> float:
    """Seconds to wait after the ``tries_so_far``-th failed try: base × 2^(tries − 1)."""
    return float(settings.DELIVERY_BACKOFF_SECONDS) * 2 ** max(0, tries_so_far - 1)


def _enqueue(delivery: Delivery, *, attempt: int, run_after=None) -> None:
    task_ = deliver.using(run_after=run_after) if run_after else deliver
    enqueue_with_transaction(task_, str(delivery.pk), attempt)


def delivery_create(*, account: Account, kind: str, topic: str, body: str, target: str = "", subject: str = "",
                    event: HandoffEvent | None = None) -> Delivery:
    """Write one pending delivery and enqueue its task, in the caller's transaction.

    ``kind``: ``webhook`` (``body`` is the JSON to POST, ``topic`` its event name) or
    ``email`` (``target`` the address, ``subject`` one line, ``body`` the text)."""
    now = timezone.now()
    delivery = Delivery.objects.for_account(account).create(
        account=account, kind=kind, topic=topic, target=target, subject=subject, body=body, event=event,
        max_attempts=_max_attempts(), next_attempt_at=now, created_at=now, updated_at=now)
    _enqueue(delivery, attempt=1)
    return delivery


@task
def deliver(delivery_id: str, attempt: int) -> str:
    """The task: try number ``attempt`` of one delivery. Returns the delivery's status
    afterwards (``pending`` when a retry is scheduled), or ``gone`` for a missing row."""
    delivery = delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    return delivery.status if delivery else "gone"


def delivery_attempt(*, delivery_id: str, attempt: int) -> Delivery | None:
    """Make try number ``attempt`` of a pending delivery and record the outcome (see the
    module docstring). Each try is taken once, by a conditional UPDATE on the try count: a
    duplicate task (one re-enqueued by ``deliveries_requeue_stale`` while the first still
    waits in a queue) or a delivery that is not pending any more is left alone. Never raises
    for a failed send."""
    delivery = Delivery.unscoped.select_related("account").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.attempts != attempt - 1:
        return delivery
    # next_attempt_at becomes the try's start: until an outcome is recorded, the sweep takes a
    # try older than STALE_AFTER for one whose worker died (a try lasts seconds: its timeouts).
    now = timezone.now()
    taken = Delivery.unscoped.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=attempt - 1).update(
        attempts=attempt, updated_at=now, next_attempt_at=now)
    if not taken:
        return delivery
    delivery.attempts, delivery.next_attempt_at = attempt, now
    if delivery.kind == DeliveryKind.WEBHOOK:
        status_code, error, retryable = _try_webhook(delivery)
    else:
        status_code, error, retryable = _try_email(delivery)
    return _record_outcome(delivery, status_code=status_code, error=error, retryable=retryable)


def _try_webhook(delivery: Delivery) -> tuple[int | None, str, bool]:
    # The account's URL and secret now: a fixed URL or a rotated secret applies to retries.
    account = Account.objects.filter(pk=delivery.account_id).first()
    if account is None or not account.webhook_url or not account.webhook_secret:
        return None, "Not sent: the account has no webhook any more.", False
    delivery.target = webhooks.host_of(account.webhook_url)
    result = webhooks.post(url=account.webhook_url, secret=account.webhook_secret, event=delivery.topic,
                           delivery_id=str(delivery.pk), body=delivery.body.encode())
    return result.status, result.error, result.retryable


def _try_email(delivery: Delivery) -> tuple[int | None, str, bool]:
    message = EmailMessage(delivery.subject, delivery.body, None, [delivery.target])
    try:
        sent = mailers.default.send_messages([message]) or 0
    except ValueError as exc:  # a malformed header or address: no retry can fix it
        return None, f"{type(exc).__name__}: {exc}", False
    except Exception as exc:  # refused, timed out, TLS, authentication: all may pass later
        return None, f"{type(exc).__name__}: {exc}", True
    if not sent:
        return None, "The mail server accepted nothing.", True
    return None, "", False


@transaction.atomic
def _record_outcome(delivery: Delivery, *, status_code: int | None, error: str, retryable: bool) -> Delivery:
    now = timezone.now()
    changes = {"last_status_code": status_code, "last_error": error[:2000], "updated_at": now,
               "target": delivery.target}
    what = f"{delivery.kind} {delivery.topic} {delivery.pk} to {_where(delivery)}"
    if not error:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
        logger.info("%s delivered (try %s)", what, delivery.attempts)
    elif retryable and delivery.attempts < delivery.max_attempts:
        run_after = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        changes.update(next_attempt_at=run_after)
        logger.warning("%s failed (try %s of %s): %s; next try at %s", what, delivery.attempts,
                       delivery.max_attempts, error, run_after.isoformat())
        _enqueue(delivery, attempt=delivery.attempts + 1, run_after=run_after)
    else:
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        logger.error("%s failed for good after %s try(s): %s", what, delivery.attempts, error)
    Delivery.unscoped.filter(pk=delivery.pk).update(**changes)
    for field, value in changes.items():
        setattr(delivery, field, value)
    return delivery


def _where(delivery: Delivery) -> str:
    if delivery.kind == DeliveryKind.EMAIL:
        return "1 recipient"  # addresses stay out of the logs
    return delivery.target or "the webhook"


# ---- recovery ---------------------------------------------------------------------------------

STALE_AFTER = timedelta(minutes=10)


def deliveries_requeue_stale(*, now=None) -> int:
    """Enqueue the next try again for pending deliveries whose try was due (or started) more
    than ``STALE_AFTER`` ago without an outcome: their task was lost (a worker killed in the
    middle of a try leaves its task "running" for ever; with a non-database backend, a
    process that died between commit and enqueue). The sweep runs this every pass. A task
    that was only slow to start is harmless to duplicate: each try is taken once. Returns
    how many were enqueued again."""
    now = now or timezone.now()
    requeued = 0
    stale = Delivery.unscoped.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - STALE_AFTER)
    for delivery in stale.only("pk", "attempts", "next_attempt_at"):
        with transaction.atomic():
            bumped = Delivery.unscoped.filter(pk=delivery.pk, status=DeliveryStatus.PENDING,
                                              attempts=delivery.attempts,
                                              next_attempt_at=delivery.next_attempt_at).update(next_attempt_at=now)
            if bumped:
                _enqueue(delivery, attempt=delivery.attempts + 1)
                requeued += 1
                logger.warning("delivery %s: try %s was due since %s and never ran; enqueued again", delivery.pk,
                               delivery.attempts + 1, delivery.next_attempt_at.isoformat())
    return requeued


# ---- what admins do ---------------------------------------------------------------------------


@transaction.atomic
def delivery_resend(*, delivery: Delivery, actor: User | None) -> Delivery:
    """Send a failed delivery again: the same id and body, ``DELIVERY_MAX_ATTEMPTS`` more
    tries. Admins of its account (or platform staff, ``actor=None``). Raises ServiceError
    ``permission_denied`` (403) or ``not_failed`` (409, it is pending or delivered)."""
    require_manage_account(actor, delivery.account)
    now = timezone.now()
    reopened = Delivery.unscoped.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, max_attempts=F("attempts") + _max_attempts(), next_attempt_at=now,
        updated_at=now)
    delivery.refresh_from_db()
    if not reopened:
        raise Conflict(f"This delivery is {delivery.get_status_display().lower()}; only a failed one is re-sent.",
                           code="not_failed", extra={"status": delivery.status})
    _enqueue(delivery, attempt=delivery.attempts + 1)
    logger.info("%s %s %s re-sent by %s", delivery.kind, delivery.topic, delivery.pk,
                actor.pk if actor else "platform staff")
    return delivery


@transaction.atomic
def webhook_test_send(*, account: Account, actor: User | None) -> Delivery:
    """Queue a ``ping`` delivery to the account's webhook. Raises ServiceError
    ``permission_denied`` (403), ``no_webhook`` (409) or the destination's refusal code
    (400: ``destination_not_public``, ``destination_unresolvable``, ``invalid_url``)."""
    require_manage_account(actor, account)
    account.refresh_from_db()
    if not account.webhook_url:
        raise Conflict("This account has no webhook URL; set one first.", code="no_webhook")
    try:
        resolve_destination(account.webhook_url)
    except DestinationRefused as exc:
        raise ServiceError(exc.detail, code=exc.code) from None
    return delivery_create(account=account, kind=DeliveryKind.WEBHOOK, topic="ping",
                           body=webhooks.ping_body(account).decode())
