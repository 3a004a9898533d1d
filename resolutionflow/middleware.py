"""Site-wide request guards."""

from django.http import HttpResponseBadRequest

from resolutionflow.api.handlers import api_error, is_api

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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
        if not found and request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.content_type in FORM_TYPES:
                found = _has_nul(request.POST)
        if found:
            detail = "Text must not contain NUL (\\u0000) characters."
            if is_api(request):
                return api_error(detail, "null_character", 400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
