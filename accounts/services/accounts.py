import copy
import logging
import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.errors import Conflict, NotPermitted, ServiceError
from accounts.models import Account, ApiToken, Role, User
from accounts.rules import require_manage_account
from accounts.signals import member_access_changed
from accounts.sockets import (
    CLOSE_ACCESS_CHANGED,
    CLOSE_CREDENTIALS_ENDED,
    sockets_close_on_commit,
    user_group,
)
from resolutionflow.outbound import DestinationRefused, resolve_destination

logger = logging.getLogger("accounts.services")


def validate_role(role: str) -> None:
    if role not in Role.values:
        raise ServiceError(f"{role!r} is not a role; use one of {', '.join(Role.values)}.", code="invalid_role")


def account_create(*, name: str, slug: str | None = None, time_zone: str = "UTC") -> Account:
    name = name.strip()
    if not name:
        raise ServiceError("An account needs a name.", code="invalid")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise ServiceError("The account name must contain letters or digits.", code="invalid")
    account = Account(name=name, slug=slug, time_zone=time_zone)
    account.full_clean()
    account.save()
    return account


def account_update(*, account: Account, actor: User | None, **changes) -> Account:
    """Change name, time zone, alert threshold or webhook URL. Validation runs on a copy, so a
    refused change leaves the caller's object as it was. Setting a webhook URL generates its
    signing secret on the server (kept when the URL changes); clearing the URL drops it."""
    require_manage_account(actor, account)
    allowed = {"name", "time_zone", "unclaimed_alert_minutes", "webhook_url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"Unknown account settings: {', '.join(sorted(unknown))}.", code="invalid")
    candidate = copy.copy(account)
    for field, value in changes.items():
        setattr(candidate, field, value.strip() if isinstance(value, str) else value)
    if "webhook_url" in changes:
        if candidate.webhook_url:
            _check_webhook_destination(candidate.webhook_url)
        if not candidate.webhook_url:
            candidate.webhook_secret = ""
        elif not candidate.webhook_secret:
            candidate.webhook_secret = new_webhook_secret()
        changes = {**changes, "webhook_secret": candidate.webhook_secret}
    candidate.full_clean()
    if changes:
        candidate.save(update_fields=list(changes))
        for field in changes:
            setattr(account, field, getattr(candidate, field))
    return account


def _check_webhook_destination(url: str) -> None:
    """Refuse a webhook URL whose host leads to a non-public address (resolutionflow.outbound);
    a ServiceError (400) with the refusal's code. A malformed URL is left to the model's
    validator, which names the field."""
    try:
        resolve_destination(url)
    except DestinationRefused as exc:
        if exc.code != "invalid_url":
            raise ServiceError(exc.detail, code=exc.code, extra={"field": "webhook_url"}) from None


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


def account_webhook_secret_rotate(*, account: Account, actor: User | None) -> str:
    """A fresh signing secret for the account's webhook; the old one stops verifying at once."""
    require_manage_account(actor, account)
    if not account.webhook_url:
        raise Conflict("This account has no webhook URL; set one first.", code="no_webhook")
    account.webhook_secret = new_webhook_secret()
    Account.objects.filter(pk=account.pk).update(webhook_secret=account.webhook_secret)
    return account.webhook_secret


def user_create(*, account: Account | None, email: str, password: str | None, role: str = Role.ENGINEER,
                display_name: str = "", is_staff: bool = False) -> User:
    """A new login. Email is the login and belongs to one account; Django's password
    validators apply (their ``ValidationError`` reaches the caller as field errors)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(f"A user with the email {email} already exists.", code="user_exists")
    if password:
        validate_password(password, user=User(email=email, display_name=display_name))
    return User.objects.create_user(
        email=email, password=password, account=account, role=role,
        display_name=display_name.strip(), is_staff=is_staff,
    )


def _other_active_admins(user: User):
    return User.objects.filter(account_id=user.account_id, role=Role.ADMIN, is_active=True).exclude(pk=user.pk)


@transaction.atomic
def user_update(*, user: User, actor: User | None, role: str | None = None, is_active: bool | None = None,
                display_name: str | None = None) -> User:
    """Change a member's role, active flag or name. The last active admin cannot be demoted
    or deactivated: the account would lose the only person who can manage it. A
    deactivated member's API keys stop working at once, not at their expiry."""
    if user.account_id is not None:
        require_manage_account(actor, user.account)
    elif actor is not None:
        raise NotPermitted("Platform staff are managed in Django admin.", code="permission_denied")
    # Lock the account's admins so two admins demoting each other at once cannot both win.
    list(User.objects.select_for_update().filter(account_id=user.account_id, role=Role.ADMIN))
    user.refresh_from_db()
    if role is not None:
        validate_role(role)
    loses_admin = user.account_id is not None and user.role == Role.ADMIN and user.is_active and (
        (role is not None and role != Role.ADMIN) or is_active is False
    )
    if loses_admin and not _other_active_admins(user).exists():
        raise Conflict(
            f"{user.name} is the last active admin of {user.account.name}; make someone else an admin first.",
            code="last_admin",
        )
    fields = []
    if role is not None and role != user.role:
        user.role = role
        fields.append("role")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        fields.append("is_active")
        if not is_active:  # every cookie session ends for good (see User._get_session_auth_hash)
            user.login_generation += 1
            fields.append("login_generation")
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = display_name.strip()
        fields.append("display_name")
    if fields:
        user.full_clean(exclude=["password"])
        user.save(update_fields=fields)
        if "is_active" in fields and not user.is_active:
            ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        if ("is_active" in fields and not user.is_active) or "role" in fields:
            deactivated = "is_active" in fields and not user.is_active
            member_access_changed.send(sender=User, user=user, actor=actor,
                                       reason="deactivated" if deactivated else "role_changed")
            sockets_close_on_commit(user_group(user.pk), reason="deactivated" if deactivated else "role_changed",
                                    code=CLOSE_CREDENTIALS_ENDED if deactivated else CLOSE_ACCESS_CHANGED)
        logger.info("user %s updated by %s: %s", user.pk, actor.pk if actor else "platform staff", ", ".join(fields))
    return user


def user_password_set(*, user: User, password: str) -> User:
    """Set a password chosen by platform staff (demo logins); Django's validators apply."""
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def account_next_event_seq(*, account_id) -> int:
    """The account's next realtime event number (1, 2, 3, …), taken inside the caller's
    transaction: the increment locks the account's row until it commits, so numbers are
    never shared, and a rolled-back event gives its number back. The account's row is the
    last lock any transaction takes (docs/architecture.md, "Locks")."""
    Account.objects.filter(pk=account_id).update(event_seq=F("event_seq") + 1)
    return Account.objects.filter(pk=account_id).values_list("event_seq", flat=True).get()
