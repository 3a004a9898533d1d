"""Every state change of accounts, users, invitations and API tokens (STYLE.md §1).

API views, pages, management commands and admin actions all call these functions, so a
rule such as "an account always keeps an admin" is written once.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from .errors import ServiceError
from .models import Account, ApiToken, Invitation, Role, User
from .tokens import digest, new_secret

logger = logging.getLogger(__name__)


# ---- accounts -------------------------------------------------------------------------


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


def account_update(*, account: Account, actor: User, **changes) -> Account:
    _require_admin(actor, account)
    allowed = {"name", "time_zone", "unclaimed_alert_minutes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"Unknown account settings: {', '.join(sorted(unknown))}.", code="invalid")
    for field, value in changes.items():
        setattr(account, field, value.strip() if isinstance(value, str) else value)
    account.full_clean()
    account.save(update_fields=list(changes) or None)
    return account


# ---- users ----------------------------------------------------------------------------


def _require_admin(actor: User, account: Account) -> None:
    if not (actor.is_account_admin and actor.account_id == account.id):
        raise ServiceError("Only an admin of this account may do that.", code="permission_denied", status=403)


def _other_active_admins(user: User):
    return User.objects.filter(account_id=user.account_id, role=Role.ADMIN, is_active=True).exclude(
        pk=user.pk
    )


@transaction.atomic
def user_update(*, user: User, actor: User, role: str | None = None, is_active: bool | None = None,
                display_name: str | None = None) -> User:
    """Change a member's role or active flag. The last active admin cannot be demoted or
    deactivated: the account would lose the only person who can manage it."""
    _require_admin(actor, user.account)
    # Lock the account's admins so two admins demoting each other at once cannot both win.
    list(User.objects.select_for_update().filter(account_id=user.account_id, role=Role.ADMIN))
    user.refresh_from_db()
    if role is not None and role not in Role.values:
        raise ServiceError(f"{role!r} is not a role; use one of {', '.join(Role.values)}.", code="invalid_role")
    loses_admin = user.role == Role.ADMIN and user.is_active and (
        (role is not None and role != Role.ADMIN) or is_active is False
    )
    if loses_admin and not _other_active_admins(user).exists():
        raise ServiceError(
            "This is the account's last active admin; make someone else an admin first.",
            code="last_admin",
            status=409,
        )
    fields = []
    if role is not None and role != user.role:
        user.role = role
        fields.append("role")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        fields.append("is_active")
    if display_name is not None:
        user.display_name = display_name.strip()
        fields.append("display_name")
    if fields:
        user.full_clean(exclude=["password"])
        user.save(update_fields=fields)
        if "is_active" in fields and not user.is_active:
            # A deactivated member's API keys stop working at once, not at their expiry.
            ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        logger.info("user %s updated by %s: %s", user.pk, actor.pk, ", ".join(fields))
    return user


def user_create(*, account: Account | None, email: str, password: str | None, role: str = Role.ENGINEER,
                display_name: str = "", is_staff: bool = False) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(f"A user with the email {email} already exists.", code="user_exists", status=409)
    if password:
        validate_password(password, user=User(email=email, display_name=display_name))
    return User.objects.create_user(
        email=email, password=password, account=account, role=role,
        display_name=display_name.strip(), is_staff=is_staff,
    )


# ---- invitations ----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return invitation_url(self.token)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", args=[token])


def _issue_token(invitation: Invitation) -> str:
    token = new_secret()
    invitation.token_hash = digest(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    return token


def _send_invitation_email(issued: IssuedInvitation) -> None:
    invitation = issued.invitation
    inviter = invitation.invited_by.name if invitation.invited_by else "ResolutionFlow"
    try:
        send_mail(
            subject=f"You are invited to {invitation.account.name} on ResolutionFlow",
            message=(
                f"{inviter} invited you to join {invitation.account.name} on ResolutionFlow "
                f"as {invitation.get_role_display().lower()}.\n\n"
                f"Accept the invitation (valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n"
                f"{issued.url}\n"
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except Exception:
        # The invitation stands; the admin sees it as "not sent" and can resend.
        logger.exception("could not send the invitation email to %s", invitation.email)
        return
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


@transaction.atomic
def invitation_create(*, account: Account, email: str, role: str, invited_by: User | None,
                      send_email: bool = True) -> IssuedInvitation:
    """Invite someone by email. Re-inviting a pending address replaces the old link."""
    if invited_by is not None:
        _require_admin(invited_by, account)
    email = email.strip().lower()
    if role not in Role.values:
        raise ServiceError(f"{role!r} is not a role; use one of {', '.join(Role.values)}.", code="invalid_role")
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(f"{email} already has a ResolutionFlow login.", code="user_exists", status=409)
    now = timezone.now()
    Invitation.objects.for_account(account).filter(
        email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    invitation = Invitation(account=account, email=email, role=role, invited_by=invited_by)
    token = _issue_token(invitation)
    invitation.full_clean()
    invitation.save()
    issued = IssuedInvitation(invitation, token)
    if send_email:
        transaction.on_commit(lambda: _send_invitation_email(issued))
    return issued


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> IssuedInvitation:
    """A fresh link and expiry; the old link stops working."""
    _require_admin(actor, invitation.account)
    if invitation.status in ("accepted", "revoked"):
        raise ServiceError(
            f"This invitation is {invitation.status} and cannot be resent.", code="invalid_transition",
            status=409,
        )
    token = _issue_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    issued = IssuedInvitation(invitation, token)
    transaction.on_commit(lambda: _send_invitation_email(issued))
    return issued


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _require_admin(actor, invitation.account)
    updated = Invitation.objects.for_account(invitation.account).filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if not updated:
        raise ServiceError(
            f"This invitation is {invitation.status} and cannot be revoked.", code="invalid_transition",
            status=409,
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its status, or None when the link is unknown."""
    return Invitation.unscoped.select_related("account").filter(token_hash=digest(token)).first()


@transaction.atomic
def invitation_accept(*, token: str, display_name: str, password: str) -> User:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ServiceError("This invitation link is not valid.", code="invalid_invitation", status=404)
    if invitation.status != "pending":
        raise ServiceError(f"This invitation is {invitation.status}.", code=f"invitation_{invitation.status}",
                           status=410)
    # Single use even when two tabs submit at once: only one conditional update succeeds.
    claimed = Invitation.unscoped.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        raise ServiceError("This invitation has already been used.", code="invitation_accepted", status=410)
    user = user_create(
        account=invitation.account, email=invitation.email, password=password,
        role=invitation.role, display_name=display_name,
    )
    Invitation.unscoped.filter(pk=invitation.pk).update(accepted_user=user)
    return user


# ---- API tokens -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


def api_token_create(*, user: User, name: str = "", ttl_days: int | None = None) -> IssuedToken:
    key = new_secret()
    days = ttl_days if ttl_days is not None else settings.API_TOKEN_TTL_DAYS
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=key[:8], key_hash=digest(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return IssuedToken(token, key)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The usable token for a key, or None. Stamps last use at most once a minute."""
    token = ApiToken.objects.select_related("user", "user__account").filter(key_hash=digest(key)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# ---- pilot setup -----------------------------------------------------------------------
# The management commands that set pilots up (create_pilot_account, invite_user, seed_demo)
# compose the functions above. Each function here is idempotent: it returns what it found or
# made and whether it made it, so a second run changes nothing and can say so.

StarterContentLoader = Callable[[Account], str | None]
_starter_content_loaders: list[StarterContentLoader] = []


def starter_content_register(loader: StarterContentLoader) -> StarterContentLoader:
    """Add a loader of starter content (the global flow library, ...) for every pilot account.

    Apps above accounts register from their ``AppConfig.ready()``: accounts may not import
    them (DESIGN.md §2). A loader must be idempotent and returns a line for the operator
    ("Loaded 12 starter flows") or None when it had nothing to do.
    """
    if loader not in _starter_content_loaders:
        _starter_content_loaders.append(loader)
    return loader


def starter_content_load(*, account: Account) -> list[str]:
    """Run every registered starter-content loader for the account; their report lines."""
    return [line for loader in list(_starter_content_loaders) if (line := loader(account))]


def account_ensure(*, name: str, slug: str | None = None, time_zone: str = "UTC") -> tuple[Account, bool]:
    """The account with this slug (from ``slug`` or the name), created when missing.

    An existing account is returned as it is: its name and time zone are not overwritten."""
    key = slugify(slug or name)[:60]
    existing = Account.objects.filter(slug=key).first() if key else None
    if existing is not None:
        return existing, False
    return account_create(name=name, slug=key or None, time_zone=time_zone), True


def member_ensure(*, account: Account, email: str, role: str, password: str | None,
                  display_name: str = "") -> tuple[User, bool]:
    """The user with this email in this account, created (with this role) when missing.

    An existing member is returned unchanged: the caller decides what a different role or
    password means. An address that signs in to another account, or is platform staff,
    is refused: one login belongs to one account."""
    email = email.strip().lower()
    user = User.objects.select_related("account").filter(email__iexact=email).first()
    if user is None:
        return user_create(account=account, email=email, password=password, role=role,
                           display_name=display_name), True
    if user.account_id != account.id:
        where = f"the account {user.account.name} ({user.account.slug})" if user.account else "platform staff"
        raise ServiceError(f"{email} already has a login in {where}; one login belongs to one account.",
                           code="user_exists", status=409)
    return user, False


def platform_staff_ensure(*, email: str, password: str, display_name: str = "",
                          superuser: bool = False) -> tuple[User, bool]:
    """A platform staff login (no account; may use /admin/), created when missing."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.account_id is not None:
            raise ServiceError(f"{email} belongs to an account and cannot be platform staff.",
                               code="user_exists", status=409)
        return user, False
    user = user_create(account=None, email=email, password=password, display_name=display_name,
                       is_staff=True)
    if superuser:
        User.objects.filter(pk=user.pk).update(is_superuser=True)
        user.is_superuser = True
    return user, True


def user_password_set(*, user: User, password: str) -> User:
    """Set a password chosen by platform staff (demo logins); Django's validators apply."""
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def invitation_issue(*, account: Account, email: str, role: str,
                     send_email: bool = True) -> tuple[IssuedInvitation, str]:
    """A fresh invitation link for this address from the platform (no inviting admin).

    Returns the issued link and what happened: ``created`` (a new invitation), ``reissued``
    (an open invitation with the same role got a fresh link; its old link stops working) or
    ``replaced`` (an open invitation with another role was revoked for a new one)."""
    email = email.strip().lower()
    open_invitation = Invitation.objects.for_account(account).filter(
        email__iexact=email, accepted_at=None, revoked_at=None
    ).first()
    if open_invitation is not None and open_invitation.role == role:
        # invitation_create would refuse an address with a login; keep that rule here too.
        if User.objects.filter(email__iexact=email).exists():
            raise ServiceError(f"{email} already has a ResolutionFlow login.", code="user_exists", status=409)
        return invitation_reissue_by_platform(invitation=open_invitation, send_email=send_email), "reissued"
    issued = invitation_create(account=account, email=email, role=role, invited_by=None,
                               send_email=send_email)
    return issued, "replaced" if open_invitation is not None else "created"


# ---- platform staff --------------------------------------------------------------------
# Django admin and the pilot commands act for an account without being one of its admins,
# so the admin check of the functions above does not fit them. These are those functions'
# platform paths: the same rules, no actor check. Whoever calls them has already been
# authorised (Django admin permissions on an account-scoped queryset, or shell access).


@transaction.atomic
def user_update_by_platform(*, user: User, role: str | None = None, is_active: bool | None = None,
                            display_name: str | None = None) -> User:
    """``user_update`` for platform staff: the last active admin still cannot be demoted or
    deactivated, and a deactivated member's API keys are revoked at once."""
    list(User.objects.select_for_update().filter(account_id=user.account_id, role=Role.ADMIN))
    user.refresh_from_db()
    if role is not None and role not in Role.values:
        raise ServiceError(f"{role!r} is not a role; use one of {', '.join(Role.values)}.", code="invalid_role")
    loses_admin = user.account_id is not None and user.role == Role.ADMIN and user.is_active and (
        (role is not None and role != Role.ADMIN) or is_active is False
    )
    if loses_admin and not _other_active_admins(user).exists():
        raise ServiceError(
            f"{user.email} is the last active admin of {user.account.name}; make someone else an "
            "admin first.",
            code="last_admin",
            status=409,
        )
    fields = []
    if role is not None and role != user.role:
        user.role = role
        fields.append("role")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        fields.append("is_active")
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = display_name.strip()
        fields.append("display_name")
    if fields:
        user.full_clean(exclude=["password"])
        user.save(update_fields=fields)
        if "is_active" in fields and not user.is_active:
            ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        logger.info("user %s updated by platform staff: %s", user.pk, ", ".join(fields))
    return user


@transaction.atomic
def invitation_reissue_by_platform(*, invitation: Invitation, send_email: bool = True) -> IssuedInvitation:
    """``invitation_resend`` for platform staff: a fresh link and expiry; the old link stops
    working. Accepted and revoked invitations cannot be reissued."""
    invitation.refresh_from_db()
    if invitation.status in ("accepted", "revoked"):
        raise ServiceError(
            f"This invitation is {invitation.status} and cannot be resent.", code="invalid_transition",
            status=409,
        )
    token = _issue_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    issued = IssuedInvitation(invitation, token)
    if send_email:
        transaction.on_commit(lambda: _send_invitation_email(issued))
    return issued


def invitation_revoke_by_platform(*, invitation: Invitation) -> Invitation:
    """``invitation_revoke`` for platform staff: one conditional update decides, so a link
    being accepted at the same moment either wins or is revoked, never both."""
    updated = Invitation.objects.for_account(invitation.account).filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if not updated:
        raise ServiceError(
            f"This invitation is {invitation.status} and cannot be revoked.", code="invalid_transition",
            status=409,
        )
    return invitation
