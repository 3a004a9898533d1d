"""Escalations (docs/architecture.md#domain-and-state-machine): a handoff of a session from a stuck technician to
whoever
picks it up, its append-only audit trail, and the manual baseline it is measured against."""

import re
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import AccountOwned


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Queue order: most urgent first.
URGENCY_RANK = {Urgency.CRITICAL: 0, Urgency.HIGH: 1, Urgency.NORMAL: 2, Urgency.LOW: 3}


class HandoffStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    CLAIMED = "claimed", "Picked up"
    RESOLVED = "resolved", "Resolved"
    RETURNED = "returned", "Returned"
    CANCELLED = "cancelled", "Cancelled"


LIVE_STATUSES = (HandoffStatus.OPEN, HandoffStatus.CLAIMED)

# The longest escalation note, return note or resolution, in characters.
NOTE_MAX = 2000


class EventKind(models.TextChoices):
    CREATED = "created", "Escalated"
    CLAIMED = "claimed", "Picked up"
    RELEASED = "released", "Released"
    FIRST_ACTION = "first_action", "First action"
    RETURNED = "returned", "Returned"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"
    ALERTED = "alerted", "Alerted"



# A note that already says where the technician is stuck ("Stuck on MFA", "Stuck: …"), not one
# that merely begins with the word ("Stuck print jobs come back …").
LABELLED_STUCK = re.compile(r"stuck(?:\s+on\b|\s*[:\-\u2013\u2014])", re.IGNORECASE)


def stuck_on(note: str) -> str:
    """The escalation note as a labelled line of a summary, an email or a webhook: "Stuck on:
    <note>", unless the technician already began it that way ("Stuck on MFA", "Stuck: the
    prompt comes back"), which read "Stuck on: Stuck on MFA". Shapes: text in, text out."""
    note = note.strip()
    return note if LABELLED_STUCK.match(note) else f"Stuck on: {note}"


class Handoff(AccountOwned):
    """One escalation of a session. ``context`` is the snapshot taken when it was raised and
    never changes afterwards: it is what the technician had tried at that moment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: every index below starts with the account, and with a plain
    # account index SQLite (no statistics, bound parameters) walks every escalation the
    # account ever had for the queue, instead of the live ones (107 ms at 20,000, 2.4 s at
    # 200,000; 0.7 ms without it).
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    session = models.ForeignKey("sessions_app.TroubleshootingSession", on_delete=models.CASCADE,
                                related_name="handoffs")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.RESTRICT, related_name="+",
                                     help_text="The session's owner when it was escalated.")
    handed_off_by = models.ForeignKey("accounts.User", on_delete=models.RESTRICT, related_name="+",
                                      help_text="Who pressed Escalate: the owner or a colleague.")
    note = models.TextField(blank=True, help_text="Where the technician is stuck.")
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_rank = models.PositiveSmallIntegerField(default=URGENCY_RANK[Urgency.NORMAL], editable=False)
    status = models.CharField(max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.OPEN)
    context = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # RESTRICT like the raisers: SET_NULL broke handoff_claimed_has_claimant (the deletion nulls
    # the claimant before it deletes anything), so deleting an account with a claimed escalation,
    # or a user holding a claim, was an IntegrityError. A claimant is kept, as history is.
    claimed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.RESTRICT,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The first pick-up is kept apart from the current claim: a release and a second claim
    # do not reset time to pick-up (handoffs.metrics).
    first_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_claimed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", editable=False)
    first_action_at = models.DateTimeField(null=True, blank=True)
    first_action_kind = models.CharField(max_length=32, blank=True)
    first_action_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", editable=False)
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="Alerted for waiting unclaimed too long.")
    idle_alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="Alerted for being held with no first action too long.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta(AccountOwned.Meta):
        ordering = ["urgency_rank", "created_at"]
        indexes = [models.Index(fields=["account", "status", "urgency_rank", "created_at"],
                                name="handoff_queue_idx"),
                   # The queue (open + claimed) in its order, holding live rows only: it stays
                   # the size of the queue however many escalations were closed.
                   models.Index(fields=["account", "urgency_rank", "created_at", "id"],
                                condition=Q(status__in=["open", "claimed"]), name="handoff_live_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(status__in=["open", "claimed"]),
                                    name="handoff_one_live_per_session",
                                    violation_error_message="This session is already escalated."),
            models.CheckConstraint(condition=Q(status__in=HandoffStatus.values), name="handoff_status_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="handoff_urgency_valid"),
            models.CheckConstraint(condition=~Q(status="claimed") | Q(claimed_by__isnull=False,
                                                                      claimed_at__isnull=False),
                                   name="handoff_claimed_has_claimant"),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        self.urgency_rank = URGENCY_RANK[Urgency(self.urgency)]
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class HandoffEvent(AccountOwned):
    """Append-only audit trail. ``seq`` numbers the account's events 1, 2, 3, … with no
    gaps (``accounts.services.account_next_event_seq``): realtime clients use it to notice an
    event they missed (then they resync from the API)."""

    id = models.BigAutoField(primary_key=True)
    seq = models.PositiveBigIntegerField(editable=False)
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    payload = models.JSONField(default=dict, blank=True)

    class Meta(AccountOwned.Meta):
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.UniqueConstraint(fields=["account", "seq"], name="event_seq_unique_per_account"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class BaselineSample(AccountOwned):
    """One manual measurement before or beside the pilot: minutes from "I'm stuck" to a
    senior's first action. The account's baseline is the median of its samples."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    minutes = models.DecimalField(max_digits=7, decimal_places=1,
                                  validators=[MinValueValidator(0), MaxValueValidator(7 * 24 * 60)])
    note = models.CharField(max_length=500, blank=True)
    measured_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AccountOwned.Meta):
        ordering = ["-measured_on", "-created_at"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gte=0), name="baseline_minutes_positive")]


class DeliveryKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(AccountOwned):
    """One outbound message caused by an escalation event: a webhook POST or one email to one
    person. Written in the event's transaction together with its task (handoffs/deliveries.py),
    so a rolled-back change leaves neither and a committed one is never forgotten. The id is
    the delivery id a receiver sees on every try (``X-ResolutionFlow-Delivery``).

    One model for both kinds: they share the life cycle (pending → delivered | failed, tries,
    backoff, re-send), the admin list and the worker; only ``target`` and the content differ.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    event = models.ForeignKey(HandoffEvent, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="deliveries", help_text="Empty for a test delivery.")
    # Webhook: the event name (handoff.claimed, ping). Email: what it is about (for the lists).
    topic = models.CharField(max_length=64)
    # Webhook: the URL when last tried (the account's current URL is used on every try).
    # Email: the recipient's address.
    target = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=255, blank=True, help_text="Email only.")
    body = models.TextField(help_text="The JSON POSTed, or the email's text.")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(help_text="Tries allowed so far (a re-send adds more).")
    last_status_code = models.PositiveIntegerField(null=True, blank=True, help_text="The last HTTP status.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(AccountOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["account", "kind", "-created_at"], name="delivery_recent_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.topic} ({self.status})"
