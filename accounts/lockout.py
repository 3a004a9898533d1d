"""Password guessing (issue 8, kind 9): django-axes counts failed logins, by the login name
and by the client address separately, on every path that checks a password (the login
page, Django admin's login, ``POST /api/v1/auth/token/``); after ``AXES_FAILURE_LIMIT``
failures either one is refused until ``AXES_COOLOFF_TIME`` has passed since the last try
(a try while locked out starts the wait again). This module holds the three hooks axes is
configured with, and the backend placed first in ``AUTHENTICATION_BACKENDS``.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render

from resolutionflow.api.handlers import api_error, is_api


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out logins before any password is checked. A call without a request
    (the test client's ``login``, a shell) is not a login from the web and is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        # DRF hands its own Request wrapper; axes marks the Django request underneath.
        request = getattr(request, "_request", request)
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or with ``TRUSTED_PROXY_COUNT`` = N > 0 proxies
    in front, the address the outermost trusted proxy saw (the N-th ``X-Forwarded-For`` entry
    from the right). Entries further left are the client's to invent and are never used, so
    a forged header cannot move the count to a fresh address."""
    request = getattr(request, "_request", request)
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


def login_name(request, credentials) -> str | None:
    """The login name tried (``email`` for the API, ``username`` for the login forms), in the
    one spelling the account has: trimmed and lower-cased."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username")
    return name.strip().lower() if isinstance(name, str) else None


def retry_after_seconds() -> int:
    return math.ceil(get_cool_off().total_seconds())


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (f"Too many failed logins. Try again in {minutes} minute{'s' if minutes != 1 else ''}; "
            "each further try starts the wait again.")


def lockout_response(request, original_response=None, credentials=None):
    """429 with ``Retry-After``: JSON (``code: locked_out``, ``retry_after`` seconds) under
    ``/api/``, the login page with the message elsewhere."""
    seconds = retry_after_seconds()
    message = lockout_message(seconds)
    if is_api(request):
        response = api_error(message, "locked_out", 429, retry_after=seconds)
    else:
        from accounts.forms import EmailAuthenticationForm

        form = EmailAuthenticationForm(request, initial={"username": login_name(request, credentials) or ""})
        response = render(request, "accounts/login.html", {"form": form, "locked_out": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
