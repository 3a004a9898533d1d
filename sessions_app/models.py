"""Troubleshooting sessions, their transcript, facts and fixes, and the flow library (docs/architecture.md#domain-and-
state-machine).

The invariants a database can hold are constraints here, not checks in services: one current
value per fact key, at most one active fix per session, the closed sets of statuses, modes
and kinds, and "the assignee exists only while escalated". Services still check them first
so people get a readable refusal; the constraints stop the races and the forgotten paths.
"""

import uuid

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import AccountOwned, UnscopedQueryError
from resolutionflow.counters import KeepsCounters

from .flows.graph import FlowValidationError, validate_graph


class SessionMode(models.TextChoices):
    ASSISTANT = "assistant", "Assistant"
    FLOW = "flow", "FlowPilot"


class SessionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    ABANDONED = "abandoned", "Abandoned"


class MessageKind(models.TextChoices):
    TECH = "tech", "Technician"
    ASSISTANT = "assistant", "Assistant"
    NOTE = "note", "Note"
    SYSTEM = "system", "System"


class FactSource(models.TextChoices):
    TECH = "tech", "Technician"
    ASSISTANT = "assistant", "Assistant"
    EXTRACTED = "extracted", "Extracted"


class FixStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    WORKED = "worked", "Worked"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


def _one_of(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


# ---- flows --------------------------------------------------------------------------------


class FlowManager(models.Manager):
    """Flows are read through an account, like every tenant model, but the answer includes
    the global starter library (``account`` null), which ``AccountOwned.for_account`` would
    hide. So Flow keeps the same "refuse unscoped use" default and names its scopes instead:

    - ``available_to(account)``: what the account's people may run: its own flows plus the
      global ones it has not replaced. An account flow with the same slug as a global one
      shadows it (an account customises "vpn-will-not-connect" by importing its own copy).
    - ``owned_by(account)``: what the account's admins may edit: its own flows only.
    - ``global_library()``: the starter library, for platform code.

    ``Flow.unscoped`` remains for Django admin and cross-account platform code.
    """

    def get_queryset(self):
        raise UnscopedQueryError(
            "Flow.objects must be scoped: use .available_to(account), .owned_by(account), "
            ".global_library(), or Flow.unscoped for platform code."
        )

    def none(self):
        return super().get_queryset().none()

    def available_to(self, account, *, include_inactive: bool = False):
        if account is None:
            raise UnscopedQueryError("Flow.objects.available_to(None)")
        base = super().get_queryset()
        own_slugs = base.filter(account=account).values("slug")
        flows = base.filter(Q(account=account) | (Q(account__isnull=True) & ~Q(slug__in=own_slugs)))
        return flows if include_inactive else flows.filter(is_active=True)

    def owned_by(self, account):
        if account is None:
            raise UnscopedQueryError("Flow.objects.owned_by(None)")
        return super().get_queryset().filter(account=account)

    def global_library(self):
        return super().get_queryset().filter(account__isnull=True)


def _is_string_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


class Flow(models.Model):
    """A FlowPilot runbook: a validated graph of question, action and resolution steps.

    Global flows (``account`` null) are the starter library every account may run; account
    flows are the account's own. ``version`` is what imports compare: the library loader
    updates a flow only when a file carries a newer version, so an edit made in admin is
    never silently overwritten by the same version from disk.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty for the global starter library.",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    graph = models.JSONField(help_text='{"start": step id, "steps": {id: {type, text, detail, options}}}')
    tags = models.JSONField(default=list, blank=True, help_text="Categories shown in the library.")
    keywords = models.JSONField(
        default=list, blank=True, help_text="Symptoms, products and error codes the assistant matches on."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    unscoped = models.Manager()
    objects = FlowManager()

    class Meta:
        default_manager_name = "unscoped"
        base_manager_name = "unscoped"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "slug"], name="flow_account_slug_unique",
                                    violation_error_message="This account already has a flow with this slug."),
            # NULLs are distinct in a unique index, so global slugs need their own constraint.
            models.UniqueConstraint(fields=["slug"], condition=Q(account__isnull=True),
                                    name="flow_global_slug_unique",
                                    violation_error_message="The library already has a flow with this slug."),
            models.CheckConstraint(condition=Q(version__gte=1), name="flow_version_positive"),
            models.CheckConstraint(condition=~Q(slug=""), name="flow_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs):
        # docs/architecture.md#domain-and-state-machine: an invalid graph is refused on save, whichever path
        # saves it (admin,
        # import, a service, the shell), not only where a form remembered to clean. A save
        # that leaves the graph alone (deactivating an old flow) is not held to it.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "graph" in update_fields:
            validate_graph(self.graph)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {field: "Use a list of non-empty strings." for field in ("tags", "keywords")
                  if not _is_string_list(getattr(self, field))}
        try:
            validate_graph(self.graph)
        except FlowValidationError as exc:
            errors["graph"] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_global(self) -> bool:
        return self.account_id is None


# ---- sessions -----------------------------------------------------------------------------


class TroubleshootingSession(KeepsCounters, AccountOwned):
    """One problem a technician works on: an Assistant chat or a FlowPilot walk.

    ``assignee`` is the engineer holding the claim of the session's open escalation. The
    handoffs service sets and clears it (sessions_app never imports handoffs); permission
    checks here read it to let that engineer write. It may only be set while the session is
    escalated, so a forgotten clear fails loudly instead of leaving write access behind.

    A flow session keeps ``flow_graph``, the graph as it was when the session started: a
    newer library version mid-session never strands the technician on a step that no longer
    exists, and history shows the path exactly as walked. ``path`` is the list of answers,
    ``[{"step": id, "option": label, "answered_at": iso}]``; ``current_step`` is where the
    walk stands.
    """

    counter_fields = ("event_seq",)  # resolutionflow.counters: a stale save never rewinds it

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # RESTRICT: a person with sessions is deactivated, not deleted (the history keeps them);
    # deleting a whole account still cascades through users and sessions alike.
    owner = models.ForeignKey("accounts.User", on_delete=models.RESTRICT, related_name="+")
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The engineer holding the claim of this session's open escalation.",
    )
    mode = models.CharField(max_length=16, choices=SessionMode.choices, default=SessionMode.ASSISTANT)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.ACTIVE)
    title = models.CharField(max_length=200)
    problem = models.TextField(blank=True)
    client_name = models.CharField(max_length=200, blank=True)
    ticket_ref = models.CharField(max_length=64, blank=True, help_text="The PSA ticket number.")
    flow = models.ForeignKey(Flow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    flow_version = models.PositiveIntegerField(null=True, blank=True)
    flow_graph = models.JSONField(null=True, blank=True, editable=False)
    current_step = models.CharField(max_length=64, blank=True)
    path = models.JSONField(default=list, blank=True)
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The number of the last ``session.changed`` event (sessions_app/events.py): incremented
    # in the transaction of each change, so pages can tell a missed event from a late one.
    event_seq = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta(AccountOwned.Meta):
        ordering = ["-updated_at"]
        indexes = [
            # Session History's default order (API list, recent sessions) with no filter.
            models.Index(fields=["account", "-updated_at"], name="session_account_recent_idx"),
            # The History page: one mode, one owner ("mine"), most recent first.
            models.Index(fields=["account", "owner", "mode", "-updated_at"], name="session_owner_mode_idx"),
            models.Index(fields=["account", "status", "-updated_at"], name="session_account_status_idx"),
            models.Index(fields=["account", "owner", "-updated_at"], name="session_account_owner_idx"),
            models.Index(fields=["account", "mode", "-updated_at"], name="session_account_mode_idx"),
            # The API list by cursor (``?cursor=``: newest created first, ties by id): without it
            # every request sorts all of the account's sessions to take one page.
            models.Index(fields=["account", "-created_at", "-id"], name="session_account_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=_one_of("mode", SessionMode), name="session_mode_valid"),
            models.CheckConstraint(condition=_one_of("status", SessionStatus), name="session_status_valid"),
            models.CheckConstraint(
                condition=Q(mode=SessionMode.ASSISTANT, flow__isnull=True, flow_graph__isnull=True, current_step="")
                | Q(mode=SessionMode.FLOW, flow_graph__isnull=False),
                name="session_flow_matches_mode",
                violation_error_message="A flow session needs a flow; an assistant session has none.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="session_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(status=SessionStatus.ESCALATED),
                name="session_assignee_only_escalated",
                violation_error_message="Only an escalated session has an assignee.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (SessionStatus.ACTIVE, SessionStatus.ESCALATED)


class SessionChild(AccountOwned):
    """A row that belongs to a session and carries the session's account.

    The account is denormalised so these rows are scoped by construction like every tenant
    model (``Fact.objects.for_account(account)`` for the assistant's cross-session search;
    a bare ``Fact.objects.get(pk=...)`` fails loudly). It is copied from the session and a
    mismatch is refused: a composite foreign key would say this in the database, but Django
    has none.
    """

    class Meta(AccountOwned.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        session_account_id = self.session.account_id
        if self.account_id is None:
            self.account_id = session_account_id
        elif self.account_id != session_account_id:
            raise ValueError(f"{type(self).__name__} must belong to its session's account.")
        super().save(*args, **kwargs)


class Message(SessionChild):
    """One line of the transcript. The assistant writes with no author."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(TroubleshootingSession, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    body = models.TextField()
    # What an assistant reply suggested, best first (empty when nothing fits):
    # [{"kind": "flow"|"session", "id": str, "slug": str, "score": float, "why": str}]
    suggestions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(SessionChild.Meta):
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "created_at"], name="message_session_time_idx")]
        constraints = [
            models.CheckConstraint(condition=_one_of("kind", MessageKind), name="message_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=MessageKind.ASSISTANT) | Q(author__isnull=True),
                name="message_assistant_has_no_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.body[:60]}"


class Fact(SessionChild):
    """What is known about the environment (``os`` = "Windows 11", ``error_code`` = ...).

    One current value per key: a new value for a known key replaces the old one, and when
    several values of one key are known at once (two products) they are stored joined, see
    ``assistant.extract.merge_facts``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(TroubleshootingSession, on_delete=models.CASCADE, related_name="facts")
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=500)
    source = models.CharField(max_length=16, choices=FactSource.choices, default=FactSource.TECH)
    author = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(SessionChild.Meta):
        ordering = ["key"]
        indexes = [models.Index(fields=["account", "key", "value"], name="fact_account_key_value_idx")]
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="fact_one_value_per_key",
                                    violation_error_message="This session already has a value for this fact."),
            models.CheckConstraint(condition=_one_of("source", FactSource), name="fact_source_valid"),
            models.CheckConstraint(condition=~Q(key=""), name="fact_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Fix(SessionChild):
    """A proposed remedy and what came of it. At most one is ``active`` (being tried) at a
    time, so the handoff context can say what the technician is in the middle of.

    ``steps`` is plain text, one step per line. ``source`` says where a proposal came from
    ("flow: outlook-will-not-start", a resolved session) and is blank for a person's own
    idea; ``proposed_by`` is empty when the assistant proposed it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(TroubleshootingSession, on_delete=models.CASCADE, related_name="fixes")
    title = models.CharField(max_length=200)
    steps = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=FixStatus.choices, default=FixStatus.PROPOSED)
    outcome_note = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    proposed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    outcome_at = models.DateTimeField(null=True, blank=True, help_text="When it was marked worked, failed or skipped.")

    class Meta(SessionChild.Meta):
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(status=FixStatus.ACTIVE),
                                    name="fix_one_active_per_session",
                                    violation_error_message="This session already has an active fix."),
            models.CheckConstraint(condition=_one_of("status", FixStatus), name="fix_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class SearchEntry(models.Model):
    """What the assistant searches: one row per runbook and per resolved session (issue 13).

    ``text`` is the searchable text (name, description, keywords and step text of a runbook;
    title, problem and resolution of a session) followed by the canonical concept tokens the
    synonym vocabulary reads in it, so "almost out of room" and "disk full" meet. Each
    database indexes it with its own engine: an FTS5 table kept in step by triggers on SQLite,
    a ``tsvector`` column (``vector``, set by a trigger, GIN-indexed) on PostgreSQL; see
    migration ``0003_search_entry``. Rows are written by ``sessions_app.assistant.index``,
    called by the services that write runbooks and resolve sessions.

    ``account`` is null for the global starter library. ``slug`` is the runbook's slug; for a
    session, the runbook it was closest to when it was resolved (empty when none fitted).
    """

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[("flow", "flow"), ("session", "session")])
    object_id = models.UUIDField()
    slug = models.SlugField(max_length=80, blank=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    vector = SearchVectorField(null=True, editable=False)
    # What the ranking reads from a session, worked out once when it is indexed (facts,
    # words, concepts): a reply never re-reads 20,000 sessions' texts.
    profile = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    # Not AccountOwned: global runbooks have no account. Every read filters by account.
    entries = models.Manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        indexes = [models.Index(fields=["account", "kind", "updated_at"], name="search_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
