"""Who may open a websocket (docs/architecture.md#realtime-events): the Origin check, the
authentication (token header, ``?ticket=``, cookie) and the base consumer every
account-scoped socket uses.

Every refusal accepts the handshake and then closes, so a browser's ``onclose`` reads the
code (a refused handshake shows it only 1006):

- ``4401`` — not authenticated: no, bad, expired or used credentials (cookie, token, ticket).
- ``4403`` — not allowed: a foreign Origin (``OriginValidator``, before credentials are read).
- ``4404`` — no such object in the user's account (``SessionConsumer``).

A socket lives only as long as the credentials it was opened with. Each one joins a group for
its user, one for the API token it authenticated with (directly or through a ticket), and one
for the login (cookie session) it came from; when those credentials end,
``sockets_close_on_commit`` tells the groups and every such socket closes at once with:

- ``4401`` — the credentials ended: the person was deactivated, the token revoked, the
  login logged out or its password changed. Reconnecting needs a new login. A socket also
  closes itself with 4401 when its token or login expires
  (``AccountConsumer.close_when_credentials_expire``).
- ``4403`` — still signed in, but what this socket may see changed (a role change):
  reconnect to get the new view, or be refused.
"""

import asyncio
import logging
from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils import timezone

from . import rules, services, sockets
from .sockets import (
    CLOSE_CREDENTIALS_ENDED,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_NOT_FOUND,
    login_group,
    logins_group,
    token_group,
    user_group,
)

logger = logging.getLogger(__name__)

# A socket whose credentials could not be looked at closes as a server error (RFC 6455's
# 1011): clients reconnect after it as after a restart.
CLOSE_CREDENTIALS_UNKNOWN = 1011


_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def normalized_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None for what is not
    an http(s) origin (``null`` from sandboxed frames and files, garbage)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and str(port) != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """May a websocket handshake with this ``Origin`` header (None: absent) and ``Host``
    header be served? Allowed: no Origin at all (not a browser: API clients), an origin in
    ``CORS_ALLOWED_ORIGINS``, the site's own (``SITE_URL``), or the handshake's own host when
    that host is one of ``ALLOWED_HOSTS`` (pages of the same origin). Anything else — another
    site, ``null`` — is a foreign origin."""
    if origin is None:
        return True
    normalized = normalized_origin(origin)
    if normalized is None:
        return False
    allowed = {normalized_origin(o) for o in [*settings.CORS_ALLOWED_ORIGINS, settings.SITE_URL]}
    if normalized in allowed:
        return True
    if not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = normalized.split("://", 1)[0]
    return normalized == normalized_origin(f"{scheme}://{host}")


async def refuse_after_accept(send, code: int, reason: str) -> None:
    """Accept the handshake, then close it with ``code``: a browser's ``onclose`` sees the code
    (a refused handshake shows it only a network error)."""
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code, "reason": reason})


class OriginValidator:
    """ASGI middleware in front of every websocket: a handshake from a foreign Origin
    (``origin_allowed``) is accepted and closed at once with 4403, before any credential
    is read, so neither its ticket is used up nor does the code say whether a cookie
    of ours signed someone in."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            headers = dict(scope.get("headers") or [])
            origin = headers.get(b"origin")
            host = headers.get(b"host")
            if not origin_allowed(origin.decode("latin-1") if origin is not None else None,
                                  host.decode("latin-1") if host is not None else None):
                message = await receive()
                if message["type"] == "websocket.connect":
                    logger.info("websocket refused: foreign origin (%s)", scope.get("path"))
                    await refuse_after_accept(send, CLOSE_FORBIDDEN, "forbidden_origin")
                return None
        return await self.inner(scope, receive, send)


@database_sync_to_async
def _token_for_key(key: str):
    return services.api_token_authenticate(key)


@database_sync_to_async
def _ticket_for_secret(secret: str):
    return services.realtime_ticket_redeem(secret=secret)


def ticket_from_query(query_string: bytes) -> str | None:
    """The ``ticket`` parameter of a socket URL's query string, or None when there is none."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("ticket")
    return values[0] if values else None


class WebsocketAuthMiddleware:
    """Session cookie auth (Channels' own), then ``Authorization: Token <key>`` if present,
    else ``?ticket=<t>`` if present (``accounts.services.realtime_ticket_redeem``).

    A token header or ticket that does not authenticate leaves the user anonymous, so the
    consumer closes the socket with 4401; it never falls back to a cookie silently. A ticket
    binds the socket to its user and to the API token that asked for it (``api_token_id``),
    so revoking that token closes the socket as it does a token-header socket, or to the cookie
    login that asked for it (``ticket_login_group``), so logging out closes it.
    """

    def __init__(self, inner):
        self.inner = CookieMiddleware(SessionMiddleware(AuthMiddleware(self._token_stage(inner))))

    @staticmethod
    def _token_stage(inner):
        async def app(scope, receive, send):
            headers = dict(scope.get("headers") or [])
            raw = headers.get(b"authorization", b"").decode("latin-1").strip()
            ticket = ticket_from_query(scope.get("query_string") or b"")
            if raw:
                keyword, _, key = raw.partition(" ")
                token = None
                if keyword.lower() == "token" and key.strip():
                    token = await _token_for_key(key.strip())
                scope = {**scope, "user": token.user if token else AnonymousUser(),
                         "api_token_id": token.pk if token else None, "auth_method": "token"}
            elif ticket is not None:
                redeemed = await _ticket_for_secret(ticket)
                scope = {**scope, "user": redeemed.user if redeemed else AnonymousUser(),
                         "api_token_id": redeemed.api_token_id if redeemed else None,
                         "ticket_login_group": redeemed.login_group if redeemed else "",
                         "ticket_session_key": redeemed.session_key if redeemed else "",
                         "auth_method": "ticket"}
            else:
                scope = {**scope, "auth_method": "cookie"}
            return await inner(scope, receive, send)

        return app

    async def __call__(self, scope, receive, send):
        return await self.inner(scope, receive, send)


class AccountConsumer(AsyncJsonWebsocketConsumer):
    """Serves only an active user with an account; subclasses name the groups to join.

    Every refusal accepts the handshake and then closes, so a browser reads the code:
    4401 not authenticated, 4403 authenticated but not allowed here (``get_groups`` returned
    None), or the subclass's own code from ``refusal`` (4404: no such session).
    """

    groups_for_user = None
    # The next look at the credentials: a timer while the socket waits (lighter than a
    # sleeping task per idle socket), the look itself while it runs.
    expiry_timer: asyncio.TimerHandle | None = None
    expiry_look: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
        finally:  # the socket is gone (or its server is stopping)
            if self.expiry_timer is not None:
                self.expiry_timer.cancel()
            if self.expiry_look is not None and self.expiry_look is not asyncio.current_task():
                self.expiry_look.cancel()

    async def connect(self):
        user = self.scope.get("user")
        if not rules.is_member(user):
            await self.refuse(CLOSE_NOT_AUTHENTICATED, "not_authenticated")
            return
        self.user = user
        refused = await self.refusal()
        if refused is not None:
            await self.refuse(*refused)
            return
        groups = await self.get_groups()
        if groups is None:
            await self.refuse(CLOSE_FORBIDDEN, "forbidden")
            return
        self.joined = [*groups, *self.credential_groups()]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.on_accepted()
        await self.close_when_credentials_expire()

    async def refuse(self, code: int, reason: str) -> None:
        logger.info("websocket refused: %s (%s)", reason, self.scope.get("path"))
        await self.accept()
        await self.close(code=code, reason=reason)

    async def refusal(self) -> tuple[int, str] | None:
        """``(close code, reason)`` when this member may not open this socket; None: go on."""
        return None

    async def get_groups(self) -> list[str] | None:
        raise NotImplementedError

    def credential_groups(self) -> list[str]:
        """The groups that close this socket when its credentials end (see the module doc)."""
        groups = [user_group(self.user.pk)]
        if self.scope.get("api_token_id"):
            groups.append(token_group(self.scope["api_token_id"]))
        elif self.scope.get("ticket_login_group"):
            # A ticket asked for with a cookie belongs to that login, whatever cookie this
            # handshake may carry.
            groups += [logins_group(self.user.pk), self.scope["ticket_login_group"]]
        elif self.scope.get("auth_method") == "cookie":
            groups.append(logins_group(self.user.pk))
            session = self.scope.get("session")
            if session is not None and session.session_key:
                groups.append(login_group(session.session_key))
        return groups

    def credentials(self) -> dict:
        """This socket's credentials, as ``accounts.sockets.credentials_expire_at`` takes them."""
        if self.scope.get("api_token_id"):
            return {"user_id": self.user.pk, "api_token_id": self.scope["api_token_id"]}
        if self.scope.get("ticket_login_group"):
            return {"user_id": self.user.pk, "session_key": self.scope.get("ticket_session_key")}
        session = self.scope.get("session")
        return {"user_id": self.user.pk, "session_key": session.session_key if session is not None else None}

    async def close_when_credentials_expire(self):
        """Look at this socket's credentials (``accounts.sockets.credentials_expire_at``): when
        they have ended, close with 4401 (``credentials_expired``); otherwise look again at
        their expiry, since a session saved meanwhile expires later. The first look, right
        after the socket joined its groups and said hello, also closes a socket whose
        credentials ended while it was opening (a logout's close sent before the join). A later
        look that fails closes the socket with 1011 and logs the error."""
        self.expiry_timer = None
        expires_at = await database_sync_to_async(sockets.credentials_expire_at)(**self.credentials())
        if expires_at is None:
            return
        delay = (expires_at - timezone.now()).total_seconds()
        if delay <= 0:
            logger.info("websocket closed (credentials_expired): %s", self.scope.get("path"))
            await self.close(code=CLOSE_CREDENTIALS_ENDED, reason="credentials_expired")
            return
        loop = asyncio.get_running_loop()
        self.expiry_timer = loop.call_later(delay, self._look_again)

    def _look_again(self):
        self.expiry_look = asyncio.get_running_loop().create_task(self._look_later())

    async def _look_later(self):
        try:
            await self.close_when_credentials_expire()
        except Exception:
            # Not knowing whether the credentials still hold (the database is down, say), the
            # socket closes: the client reconnects, and its handshake checks them again.
            logger.exception("websocket closed: its credentials could not be looked at (%s)", self.scope.get("path"))
            await self.close(code=CLOSE_CREDENTIALS_UNKNOWN)

    async def access_ended(self, message):
        """Group messages of type ``access.ended``: the credentials ended or changed."""
        logger.info("websocket closed (%s): %s", message.get("reason"), self.scope.get("path"))
        await self.close(code=message["code"])

    async def on_accepted(self):
        return None

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """What a client sends: ``{"type": "ping"}`` is answered ``{"event": "pong"}``; anything
        else — other JSON, text that is not JSON, binary frames — is ignored. A stray send
        never closes the socket (the base class would close it with 1011 on bad JSON)."""
        if text_data is None:
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong"})

    async def realtime_event(self, message):
        """Group messages of type ``realtime.event`` carry the JSON payload to forward."""
        await self.send_json(message["payload"])


class NotFoundConsumer(AsyncJsonWebsocketConsumer):
    """The last websocket route: a path no socket has (``/ws/v1/sessions/not-a-uuid/``) is
    accepted and closed with 4404, like a session that does not exist, instead of a handshake
    the browser sees only as 1006."""

    async def connect(self):
        logger.info("websocket refused: no such socket (%s)", self.scope.get("path"))
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND, reason="not_found")
