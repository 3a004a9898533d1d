import base64
import hashlib
import logging
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.errors import Conflict, Gone, NotFound
from accounts.models import Account, Invitation, User
from accounts.rules import require_manage_account
from accounts.tokens import digest, new_secret
from resolutionflow.tasks import enqueue_with_transaction
from resolutionflow.text import one_line

from .accounts import user_create, validate_role

logger = logging.getLogger("accounts.services")


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its raw token: the only moment the link exists in clear."""

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
    invitation.sent_at = None  # a new link has not been sent until its email goes out
    return token


def _send_invitation_email(issued: IssuedInvitation) -> None:
    invitation = issued.invitation
    account = invitation.account
    inviter = invitation.invited_by.name if invitation.invited_by else "ResolutionFlow"
    local_expiry = invitation.expires_at.astimezone(zoneinfo.ZoneInfo(account.time_zone))
    try:
        send_mail(
            subject=one_line(f"You are invited to {account.name} on ResolutionFlow"),
            message=(
                f"{inviter} invited you to join {account.name} on ResolutionFlow "
                f"as {invitation.get_role_display().lower()}.\n\n"
                f"Accept the invitation (valid until {local_expiry:%Y-%m-%d %H:%M} {account.time_zone}):\n"
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
    Invitation.unscoped.filter(pk=invitation.pk, token_hash=invitation.token_hash).update(sent_at=invitation.sent_at)


def _refuse_existing_login(email: str) -> None:
    """The platform's path (pilot commands, run by operators who see every account)."""
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(f"{email} already has a ResolutionFlow login.", code="user_exists")


def _refuse_member(account: Account, email: str) -> None:
    """An account admin learns only about their own account: a member of it is refused; a
    login in another account is invited exactly like a fresh address (issue 8, kind 10) and
    its owner gets a notice instead of a link (``_send_invitation_or_notice``)."""
    if User.objects.filter(account=account, email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {account.name}.", code="already_member")


def _send_existing_login_notice(issued: IssuedInvitation) -> None:
    invitation = issued.invitation
    account = invitation.account
    inviter = invitation.invited_by.name if invitation.invited_by else "ResolutionFlow"
    try:
        send_mail(
            subject=one_line(f"You are invited to {account.name} on ResolutionFlow"),
            message=(
                f"{inviter} invited you to join {account.name} on ResolutionFlow, but this address "
                "already has a ResolutionFlow login, and a login belongs to one account. Nothing "
                f"changes for your login. If you should work in {account.name}, ask {inviter} to "
                "invite another address of yours.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )
    except Exception:
        logger.exception("could not send the invitation notice to %s", invitation.email)
        return
    invitation.sent_at = timezone.now()
    Invitation.unscoped.filter(pk=invitation.pk, token_hash=invitation.token_hash).update(sent_at=invitation.sent_at)


# ---- the email, sent by the worker ----------------------------------------------------------
# The raw token exists only in the email (the database keeps its SHA-256). Between the request
# and the worker it travels sealed (Fernet, with a key derived from SECRET_KEY), so the task
# row never holds a usable link.


def _fernet() -> Fernet:
    key = hashlib.sha256(f"resolutionflow.invitation-token:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _queue_email(issued: IssuedInvitation) -> None:
    """Enqueue the invitation's email with the change that made the link (nothing outbound on
    the request thread; a rolled-back invitation sends nothing)."""
    sealed = _fernet().encrypt(issued.token.encode()).decode()
    enqueue_with_transaction(invitation_email_send, str(issued.invitation.pk), sealed)


@task
def invitation_email_send(invitation_id: str, sealed_token: str) -> str:
    """The worker's half: email the link (or, to an address with a login elsewhere, a notice)
    if this token is still the invitation's and it is still open. Returns what it did:
    ``sent``, ``superseded`` (a newer link, accepted or revoked meanwhile) or ``gone``. A
    failure to send leaves the invitation "Not sent" on the page (``sent_at`` empty), where
    an admin sees it and resends."""
    invitation = Invitation.unscoped.select_related("account", "invited_by").filter(pk=invitation_id).first()
    if invitation is None:
        return "gone"
    token = _fernet().decrypt(sealed_token.encode()).decode()
    if invitation.token_hash != digest(token) or invitation.accepted_at or invitation.revoked_at:
        return "superseded"
    _send_invitation_or_notice(IssuedInvitation(invitation, token))
    return "sent"


def _send_invitation_or_notice(issued: IssuedInvitation) -> None:
    """After commit: the link, or a notice when the address has a login (in another account)."""
    if User.objects.filter(email__iexact=issued.invitation.email).exists():
        _send_existing_login_notice(issued)
    else:
        _send_invitation_email(issued)


@transaction.atomic
def invitation_create(*, account: Account, email: str, role: str, invited_by: User | None,
                      send_email: bool = True, sees_every_account: bool = True) -> IssuedInvitation:
    """Invite someone by email. Re-inviting a pending address replaces the old link.
    ``invited_by=None`` is the platform path (pilot commands, Django admin); there
    ``sees_every_account=False`` (staff bound to one account) answers like an account admin:
    a login in another account is not revealed (issue 8, kind 10). Raises ``ServiceError``
    ``already_member`` , ``user_exists`` (409, platform-wide callers only),
    ``invalid_role``, ``permission_denied`` (``NotPermitted``)."""
    require_manage_account(invited_by, account)
    email = email.strip().lower()
    validate_role(role)
    if invited_by is None and sees_every_account:
        _refuse_existing_login(email)
    else:
        _refuse_member(account, email)
    Invitation.objects.for_account(account).filter(
        email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation = Invitation(account=account, email=email, role=role, invited_by=invited_by)
    token = _issue_token(invitation)
    invitation.full_clean()
    invitation.save()
    issued = IssuedInvitation(invitation, token)
    if send_email:
        _queue_email(issued)
    return issued


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User | None, send_email: bool = True) -> IssuedInvitation:
    """A fresh link and expiry; the old link stops working. Expired invitations may be
    resent; accepted and revoked ones may not."""
    require_manage_account(actor, invitation.account)
    invitation.refresh_from_db()
    locked = Invitation.unscoped.select_for_update().filter(pk=invitation.pk, accepted_at=None, revoked_at=None)
    if not locked.exists():
        raise Conflict(
            f"This invitation is {invitation.status} and cannot be resent.", code="invalid_transition",
        )
    token = _issue_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
    issued = IssuedInvitation(invitation, token)
    if send_email:
        _queue_email(issued)
    return issued


def invitation_revoke(*, invitation: Invitation, actor: User | None) -> Invitation:
    """One conditional update decides, so a link being accepted at the same moment either
    wins or is revoked, never both."""
    require_manage_account(actor, invitation.account)
    updated = Invitation.objects.for_account(invitation.account).filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if not updated:
        raise Conflict(
            f"This invitation is {invitation.status} and cannot be revoked.", code="invalid_transition",
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its status, or None when the link is unknown."""
    return Invitation.unscoped.select_related("account").filter(token_hash=digest(token)).first()


def invitation_pending(token: str) -> Invitation:
    """The invitation behind a link that may still be accepted. Raises ``NotFound``
    (``invalid_invitation``) for an unknown link, ``Gone`` (``invitation_accepted``,
    ``invitation_revoked``, ``invitation_expired``) for one that cannot be used."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise NotFound("This invitation link is not valid.", code="invalid_invitation")
    if invitation.status != "pending":
        raise Gone(f"This invitation is {invitation.status}.", code=f"invitation_{invitation.status}")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, display_name: str, password: str) -> User:
    """Create the invited login in the inviting account with the invited role. Single use.
    Raises what ``invitation_pending`` raises, ``Gone`` (``invitation_accepted``) when another
    request used it meanwhile, and the password validators' ``ValidationError``."""
    invitation = invitation_pending(token)
    # Single use even when two tabs submit at once: only one conditional update succeeds.
    claimed = Invitation.unscoped.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        raise Gone("This invitation has already been used.", code="invitation_accepted")
    user = user_create(
        account=invitation.account, email=invitation.email, password=password,
        role=invitation.role, display_name=display_name,
    )
    Invitation.unscoped.filter(pk=invitation.pk).update(accepted_user=user)
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
        _refuse_existing_login(email)
        return invitation_resend(invitation=open_invitation, actor=None, send_email=send_email), "reissued"
    issued = invitation_create(account=account, email=email, role=role, invited_by=None, send_email=send_email)
    return issued, "replaced" if open_invitation is not None else "created"
