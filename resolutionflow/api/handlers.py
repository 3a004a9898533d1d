"""Django's error views, answering JSON under ``/api/`` (the API promises JSON for every
error, also for what never reaches a DRF view: an unknown path, an id that is not a UUID, a
crash) and the site's own templates elsewhere. Wired as ``handler400/403/404/500`` in
``resolutionflow.urls``."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(detail: str, code: str, status: int, **extra) -> JsonResponse:
    """``{"detail": <human>, "code": <machine>, **extra}`` with ``status``, not cached anywhere."""
    response = JsonResponse({"detail": detail, "code": code, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error("The request body is too large.", "request_too_large", 413)
    if isinstance(exception, TooManyFieldsSent):
        return api_error("The request has too many fields.", "too_many_fields", 400)
    return api_error("The request could not be understood.", "bad_request", 400)


def permission_denied(request, exception=None):
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return api_error("You do not have permission to do this.", "permission_denied", 403)


def page_not_found(request, exception=None):
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return api_error("Not found.", "not_found", 404)


def server_error(request):
    if not is_api(request):
        return defaults.server_error(request)
    return api_error("Something went wrong on our side; it has been logged.", "server_error", 500)


@login_not_required
def api_path_not_found(request, *args, **kwargs):
    """The last route under ``/api/v1/``: a path no endpoint has (or an id that is not a
    UUID) is the JSON 404 in every mode. ``handler404`` alone is not enough: with
    ``DEBUG=true`` (``make run``) Django answers its HTML debug page instead."""
    return page_not_found(request)
