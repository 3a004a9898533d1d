import uuid
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from resolutionflow.counters import KeepsCounters

from .tenancy import AccountOwned


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example Europe/London).")


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    ENGINEER = "engineer", "Engineer"
    ADMIN = "admin", "Admin"


class Account(KeepsCounters, models.Model):
    """An MSP: the tenant. Everything a technician sees belongs to exactly one account."""

    counter_fields = ("event_seq",)  # resolutionflow.counters: a stale save never rewinds it

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    unclaimed_alert_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="Escalations left unclaimed this long are highlighted and alerted.",
    )
    # Optional outgoing webhook (handoffs/webhooks.py): every escalation event is POSTed here
    # as JSON that Slack and Teams incoming webhooks accept, signed with webhook_secret. The
    # secret is generated on the server when a URL is first set and never leaves it through
    # the API (``manage.py webhook_secret <slug>`` prints it for the receiver's verification).
    webhook_url = models.URLField(
        max_length=500, blank=True, validators=[URLValidator(schemes=["http", "https"])],
        help_text="Escalation events are POSTed here (Slack, Teams or your own endpoint). Empty: none.",
    )
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    # The last realtime event sequence number of this account (handoffs.HandoffEvent.seq):
    # taken with a conditional increment in the event's own transaction, so a gap a client
    # sees in ``seq`` always means an event of its own account it missed.
    event_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Technicians (junior and senior) are engineers; platform staff have no account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ENGINEER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform staff: may use /admin/.")
    date_joined = models.DateTimeField(default=timezone.now, editable=False)
    # Raised by deactivation: part of the session hash, so it ends every cookie session.
    login_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    # Who may do what, role included, is ``accounts.rules`` (and each app's rules.py), not here.

    def set_password(self, raw_password):
        """Django's, marking the change: once saved, the person's cookie logins have ended and
        their sockets close (``accounts.sockets.on_user_saved``)."""
        super().set_password(raw_password)
        self._password_changed = True

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_changed = True

    def _get_session_auth_hash(self, secret=None):
        """Django's session hash (of the password), plus ``login_generation`` once it moved:
        deactivation raises it, so every cookie session of that person ends for good, and a
        later reactivation does not bring them back (``user_update``)."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password if not self.login_generation else f"{self.password}:{self.login_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Invitation(AccountOwned):
    """An emailed, single-use, expiring offer to join an account with a role.

    Only a SHA-256 of the token is stored; the link with the raw token exists once, in the
    email or the command output that created it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ENGINEER)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display().lower()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked: it may be resent (even when expired) or revoked."""
        return self.accepted_at is None and self.revoked_at is None


class ApiToken(models.Model):
    """An API key for ``Authorization: Token <key>``: hashed at rest, expiring, revocable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False, help_text="First characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class StaffAuditEntry(models.Model):
    """One change platform staff made to a person in Django admin (issue 8, kind 12): their
    role, active flag, name, staff rights, password or API keys. Append-only; the emails are
    copied so an entry outlives both people."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.EmailField(max_length=254)
    subject = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    subject_email = models.EmailField(max_length=254)
    # The person's account when the change was made (None for platform staff): who may read it.
    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "staff audit entry"
        verbose_name_plural = "staff audit log"

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.subject_email}"


class RealtimeTicket(models.Model):
    """A short-lived, single-use pass that authenticates one websocket handshake
    (``/ws/v1/…?ticket=<t>``) for a browser on another origin, which can set neither an
    ``Authorization`` header nor our first-party cookie on a handshake.

    Only a SHA-256 of the ticket is stored. It is consumed by a conditional UPDATE
    (``accounts.services.realtime_ticket_redeem``), so two handshakes in two processes cannot
    both use it. ``api_token`` is the token that asked for it (None for a cookie login): the
    socket it opens closes when that token is revoked. ``login_group`` is the socket group of
    the cookie login that asked for it (``accounts.sockets.login_group``, a digest of the
    session key; empty for a token): logging out deletes the login's unused tickets and closes
    the sockets its tickets opened. ``session_key`` is that login's key: a ticket whose login
    has ended by the time it is redeemed is refused (one issued in a race with the logout).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    api_token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    login_group = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    # The person's session hash when a cookie login asked for it: a new password or a
    # deactivation since then changes it, and the ticket is refused (realtime_ticket_redeem).
    session_auth_hash = models.CharField(max_length=128, blank=True, default="", editable=False)
    # The key of the cookie login that asked for it (empty for a token): redeem refuses the
    # ticket once that login has ended or expired, and its socket closes when the login expires
    # (accounts.sockets.credentials_expire_at). The session table holds the same key; redeem
    # clears it.
    session_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"realtime ticket of {self.user_id} until {self.expires_at:%H:%M:%S}"
