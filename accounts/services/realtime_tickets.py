"""Websocket tickets (docs/architecture.md#realtime-events): how a browser on another origin
authenticates a socket handshake, where it can send neither an ``Authorization`` header nor
our first-party cookie.

``realtime_ticket_issue`` gives a signed-in user (by token or cookie) an opaque string, valid
``REALTIME_TICKET_TTL_SECONDS`` and once; the client opens ``/ws/v1/…?ticket=<t>`` and
``accounts.realtime.WebsocketAuthMiddleware`` calls ``realtime_ticket_redeem``. Only a SHA-256
digest is stored, and neither the ticket nor the socket's query string is ever logged.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.errors import ServiceError
from accounts.models import ApiToken, RealtimeTicket, User
from accounts.sockets import credentials_expire_at, login_group
from accounts.tokens import digest, new_secret


@dataclass(frozen=True)
class IssuedTicket:
    """``ticket``: the stored row; ``secret``: the ticket itself, shown once (never stored)."""

    ticket: RealtimeTicket
    secret: str

    @property
    def expires_in(self) -> int:
        """Whole seconds from issue to expiry (the TTL setting)."""
        return int((self.ticket.expires_at - self.ticket.created_at).total_seconds())


def realtime_ticket_issue(*, user: User, api_token: ApiToken | None = None,
                          session_key: str | None = None) -> IssuedTicket:
    """A new ticket for ``user``, valid ``settings.REALTIME_TICKET_TTL_SECONDS`` seconds and for
    one handshake. ``api_token``: the token the request authenticated with (None for a cookie
    login); the socket opened with the ticket closes (4401) when that token is revoked.
    ``session_key``: the cookie login's session key when there is no token; logging out of that
    login deletes the ticket if unused and closes (4401) the socket it opened
    (``realtime_tickets_end_login``), and so does the login's expiry
    (``accounts.sockets.credentials_expire_at``). The ticket keeps the key, as the session
    table does, so that redeem can see whether the login still exists.

    Expired tickets of everyone are deleted here, so the table holds only live ones.

    Raises ``ServiceError`` ``user_inactive`` for a deactivated user and ``token_unusable``
    for a revoked or expired ``api_token`` (the API's authentication refuses both first).
    """
    if not user.is_active:
        raise ServiceError("A deactivated user cannot open live sockets.", code="user_inactive")
    if api_token is not None and not api_token.is_usable:
        raise ServiceError("This API key is revoked or expired.", code="token_unusable")
    now = timezone.now()
    cookie = bool(session_key) and api_token is None
    RealtimeTicket.objects.filter(expires_at__lte=now).delete()
    secret = new_secret()
    ticket = RealtimeTicket.objects.create(
        user=user, api_token=api_token, digest=digest(secret), created_at=now,
        login_group=login_group(session_key) if cookie else "",
        session_auth_hash=user.get_session_auth_hash() if cookie else "",
        session_key=session_key if cookie else "",
        expires_at=now + timedelta(seconds=settings.REALTIME_TICKET_TTL_SECONDS),
    )
    return IssuedTicket(ticket, secret)


def realtime_ticket_redeem(*, secret: str) -> RealtimeTicket | None:
    """Consume the ticket ``secret`` and return it (``user``, ``user.account`` and
    ``api_token`` loaded), or None when it is unknown, expired, already used, or its user
    is deactivated or its token revoked or expired since, or — for a ticket a cookie login
    asked for — that login has ended or expired, or the person's session hash changed since (a
    new password, a deactivation), even when the ticket was issued in a race with the logout
    or the change.

    One conditional UPDATE (``used_at IS NULL AND expires_at > now``) marks it used, and its
    row count decides: of two handshakes racing with one ticket, in one process or two, on
    SQLite or PostgreSQL, exactly one gets it. A refused ticket stays refused.
    """
    if not secret or len(secret) > 200:
        return None
    key = digest(secret)
    now = timezone.now()
    taken = RealtimeTicket.objects.filter(digest=key, used_at=None, expires_at__gt=now).update(used_at=now)
    if not taken:
        return None
    ticket = RealtimeTicket.objects.select_related("user", "user__account", "api_token").get(digest=key)
    if ticket.session_key:  # a used ticket keeps no login key: the socket's scope carries it
        RealtimeTicket.objects.filter(pk=ticket.pk).update(session_key="")
    if not ticket.user.is_active:
        return None
    if ticket.api_token is not None and not ticket.api_token.is_usable:
        return None
    if ticket.session_auth_hash and not constant_time_compare(ticket.session_auth_hash,
                                                              ticket.user.get_session_auth_hash()):
        return None  # the cookie login that asked has ended since (a new password, deactivation)
    if ticket.session_key and credentials_expire_at(user_id=ticket.user_id,
                                                    session_key=ticket.session_key) <= timezone.now():
        return None  # logged out (the ticket was issued in a race with it) or expired
    return ticket


def realtime_tickets_end_login(*, session_key: str) -> int:
    """Delete the unused tickets the cookie login ``session_key`` asked for (on logout), so none
    opens a socket after it; returns how many. The sockets its used tickets opened are in the
    login's group and close with the cookie sockets (``accounts.sockets.login_ended``)."""
    deleted, _ = RealtimeTicket.objects.filter(login_group=login_group(session_key), used_at=None).delete()
    return deleted
