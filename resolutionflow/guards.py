"""Site-wide request guards: NUL characters refused, private answers never cached."""

from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers

from resolutionflow.api.handlers import api_error, is_api


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values if isinstance(value, str))
               for key, values in querydict.lists())


class RejectNulCharactersMiddleware:
    """A NUL character in a query string or form field is refused with 400 before any view
    runs: PostgreSQL cannot store it in text, so it could only end as a server error or be
    silently altered. API answers are JSON (``null_character``). JSON bodies are checked by
    ``resolutionflow.api.parsers.JSONParser``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _has_nul(request.GET)
        if not found and request.content_type == "application/x-www-form-urlencoded":
            # From the raw body, which the view can still read (request.POST would consume a
            # stream a JSON-only API view must refuse with 415). Multipart bodies may carry
            # binary files; their text fields meet Django's and DRF's own NUL validators.
            text = request.body.decode(request.encoding or "utf-8", errors="replace")
            found = any("\x00" in key or "\x00" in value for key, value in parse_qsl(text, keep_blank_values=True))
        if found:
            detail = "Text must not contain NUL (\\u0000) characters."
            if is_api(request):
                return api_error(detail, "null_character", 400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Answers that may carry an account's data are never stored by a browser or a proxy:
    ``Cache-Control: no-store`` (with Django's never-cache set) on every API answer and on
    every page served to a signed-in person. Every answer also carries the
    ``Permissions-Policy`` of ``settings.PERMISSIONS_POLICY``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if is_api(request) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
