"""Login required by construction (docs/architecture.md#pages): every view needs a signed-in user unless it
is marked ``login_not_required`` (the login page, invitation acceptance, ``/healthz``, the
admin's login). DRF views are marked by DRF itself: they authenticate a token or the cookie
and answer 401/403 as JSON. ``tests/test_login_required.py`` walks every URL, so a new page
without a decision fails the suite.
"""

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def answers_json(view):
    """Mark a page script's JSON endpoint: an anonymous caller gets 401 JSON, not a redirect."""
    view.answers_json = True
    return view


def _same_site_referer(request) -> str | None:
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return None
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's, answering each kind of caller in its own terms: htmx requests get a client
    redirect (a 302 would be swapped into the page), a POST comes back to the page it was
    sent from, and JSON endpoints get ``401 {"detail", "code": "not_authenticated"}``."""

    def handle_no_permission(self, request, view_func):
        if getattr(view_func, "answers_json", False):
            return JsonResponse({"detail": "Log in first.", "code": "not_authenticated"}, status=401)
        htmx = getattr(request, "htmx", None)
        if request.method == "GET":
            next_url = request.get_full_path()
        else:  # after logging in, come back to the page the form was on, not to a POST-only URL
            next_url = (htmx.current_url_abs_path if htmx else None) or _same_site_referer(request) or reverse("home")
        response = redirect_to_login(next_url, self.get_login_url(view_func))
        return HttpResponseClientRedirect(response.url) if htmx else response
