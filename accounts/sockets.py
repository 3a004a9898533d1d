"""Closing live sockets when the credentials they were opened with end (docs/architecture.md#realtime-events).

Every account socket (``accounts.realtime.AccountConsumer``) joins a group for its user, one
for the API token it authenticated with, and one for the login (cookie session) it came from,
directly or through a ticket that login asked for.
``sockets_close_on_commit`` tells such a group, and each socket in it closes with:

- ``4401`` (``CLOSE_CREDENTIALS_ENDED``): the person was deactivated, the token revoked, the
  login logged out, or the password changed (which ends every cookie login of the person;
  their tokens stay). Reconnecting needs a new login.
- ``4403`` (``CLOSE_ACCESS_CHANGED``): still signed in, but what the socket may see changed
  (a role change): reconnect to get the new view, or be refused.

Credentials also end on their own: each socket itself closes with ``4401`` when its API token
or its cookie login expires (``credentials_expire_at``, which the consumer looks at right after
the socket joined its groups and again at that expiry).
"""

import hashlib
import logging
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import auth
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

logger = logging.getLogger(__name__)

CLOSE_CREDENTIALS_ENDED = 4401
CLOSE_ACCESS_CHANGED = 4403
# The same codes refuse a socket right after its handshake (accounts.realtime): 4401 no or
# bad credentials (cookie, token, ticket), 4403 not allowed (a foreign Origin, the role),
# 4404 no such object in the user's account.
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def user_group(user_id) -> str:
    return f"user-{user_id}"


def token_group(token_id) -> str:
    return f"token-{token_id}"


def logins_group(user_id) -> str:
    """Every socket a cookie login of the user opened (by cookie, or by a ticket it asked
    for): a password change ends all those logins at once."""
    return f"user-{user_id}-logins"


def login_group(session_key: str) -> str:
    # The session key is a credential: the group name carries only a digest of it.
    return "login-" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def sockets_close_on_commit(group: str, *, code: int, reason: str) -> None:
    """After the current transaction commits (at once outside one), close every socket in
    ``group`` with ``code``. A failed publish is logged: the credentials have ended anyway,
    and the socket's next handshake is refused."""

    def send():
        try:
            async_to_sync(get_channel_layer().group_send)(group, {"type": "access.ended", "code": code,
                                                                  "reason": reason})
        except Exception:
            logger.exception("could not close the sockets of %s (%s)", group, reason)

    transaction.on_commit(send)


def login_ended(session_key: str, *, reason: str) -> None:
    """The cookie login ``session_key`` ended (``accounts.session_store.SessionStore.flush``:
    logging out, or another person signing in in the same browser): the sockets it opened, by
    its cookie or by a ticket it asked for, close (4401) after commit, and its unused tickets
    are deleted now (with the session row, in the same transaction)."""
    from accounts.services import realtime_tickets_end_login  # services import this module

    realtime_tickets_end_login(session_key=session_key)
    sockets_close_on_commit(login_group(session_key), code=CLOSE_CREDENTIALS_ENDED, reason=reason)


def on_user_saved(*, instance, created, update_fields=None, **_signal) -> None:
    """Receiver of ``post_save`` for ``User``: after a password change (``User.set_password``:
    the admin's password form, ``changepassword``), every cookie login of the person has ended
    (Django's session hash covers the password), so their sockets close (4401) and the
    tickets those logins asked for and did not use are deleted. Token sockets stay: a token
    does not depend on the password. A save with ``update_fields`` that leaves the password
    out acts later, on the save that writes it; a new person's first save clears the mark.
    Django's own rehash at sign-in (a hasher upgrade) goes through ``set_password`` too, and
    ends the person's other logins as Django's session hash does."""
    if update_fields is not None and "password" not in update_fields:
        return  # the new password is not written yet: the save that writes it acts
    changed = instance.__dict__.pop("_password_changed", False)
    if created or not changed:
        return
    from accounts.models import RealtimeTicket  # the models module is not ready at import

    RealtimeTicket.objects.filter(user=instance, api_token=None, used_at=None).delete()
    sockets_close_on_commit(logins_group(instance.pk), code=CLOSE_CREDENTIALS_ENDED, reason="password_changed")


def credentials_expire_at(*, user_id, api_token_id=None, session_key: str | None = None) -> datetime | None:
    """When the credentials a socket of the person ``user_id`` was opened with end on their
    own, as an aware datetime; now (or earlier) when they have ended already, the person
    deactivated included. ``api_token_id`` (a token header, or a ticket a token asked for):
    the token's ``expires_at``, now once revoked or deleted. ``session_key`` (a cookie socket,
    or a ticket a cookie login asked for): the login's ``expire_date``, now once it is gone,
    expired, or no longer signs this person in (the check of ``auth.get_user``: a new
    password, a deactivation). ``accounts.realtime.AccountConsumer`` looks right after the
    socket joined its groups and again at that time (a session saved since expires later),
    and closes with 4401; ``realtime_ticket_redeem`` refuses a cookie login's ticket by it.
    None when given neither: nothing to watch."""
    from accounts.models import ApiToken, User  # the models module is not ready at import
    from accounts.session_store import SessionStore  # the store imports this module

    now = timezone.now()
    if api_token_id is not None:
        row = (ApiToken.objects.filter(pk=api_token_id, user_id=user_id, user__is_active=True)
               .values_list("expires_at", "revoked_at").first())
        return now if row is None or row[1] is not None else row[0]
    if session_key:
        row = (SessionStore.get_model_class().objects.filter(session_key=session_key, expire_date__gt=now)
               .values_list("session_data", "expire_date").first())
        if row is None:
            return now
        data = SessionStore().decode(row[0])
        person = User.objects.filter(pk=user_id, is_active=True).first()
        session_hash = data.get(auth.HASH_SESSION_KEY) or ""
        # Django's check of a login (auth.get_user), read only: that one also rotates the key.
        if (person is None or data.get(auth.SESSION_KEY) != str(person.pk)
                or not any(constant_time_compare(session_hash, known) for known in
                           [person.get_session_auth_hash(), *person.get_session_auth_fallback_hash()])):
            return now
        return row[1]
    return None
