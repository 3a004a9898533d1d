"""Django's database sessions, where the end of a login also ends what it opened live
(docs/architecture.md#realtime-events).

``flush()`` is how every login ends in Django: logging out, and signing in as someone else in
the same browser (``django.contrib.auth.login`` flushes the other person's session without a
``user_logged_out`` signal; Django admin's login page does that for a signed-in technician).
Before the session goes, its sockets close with 4401 and its unused websocket tickets are
deleted (``accounts.sockets.login_ended``). Sessions that expire are not flushed: each socket
closes itself at its login's expiry (``accounts.realtime.AccountConsumer.
close_when_credentials_expire``).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction

from accounts.sockets import login_ended


class SessionStore(DatabaseSessionStore):
    def flush(self):
        # The close goes out after the row's delete is committed: a socket that joins the
        # login's group after the close was sent then finds no login at its first look.
        key = self.session_key
        with transaction.atomic():
            super().flush()
            if key:
                login_ended(key, reason="logged_out")
