"""One error shape for the whole API: ``{"detail": <human>, "code": <machine>}``.

Validation errors add ``errors``: ``{field: [{"message": ..., "code": ...}]}`` so a form can
show each message beside its field; nested fields are dotted (``steps.0.text``, ``keywords.3``).
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import ServiceError
from resolutionflow.errors import http_status

logger = logging.getLogger(__name__)


def _field_errors(detail, codes, path: str) -> dict:
    """DRF's nested ErrorDetail structures → ``{"field": [{"message", "code"}], ...}`` in one
    walk: whatever nests (list items, nested objects) is named by a dotted key (``keywords.3``,
    ``steps.0.text``), so every value is a list of messages (the schema's ``Error.errors``).
    ``path`` is the key so far, ending in a dot."""
    if isinstance(detail, dict):
        found = {}
        for key, value in detail.items():
            found.update(_field_errors(value, codes.get(key) if isinstance(codes, dict) else codes, f"{path}{key}."))
        return found
    if isinstance(detail, list) and not all(isinstance(item, str) for item in detail):
        found = {}
        for index, item in enumerate(detail):
            found.update(_field_errors(item, codes[index] if isinstance(codes, list) else codes, f"{path}{index}."))
        return found
    items = detail if isinstance(detail, list) else [detail]
    code_list = codes if isinstance(codes, list) else [codes] * len(items)
    messages = [{"message": str(item), "code": str(code)} for item, code in zip(items, code_list, strict=False)]
    return {path.rstrip("."): messages} if messages else {}


def _first_message(errors, path=""):
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first_message(value, key if key != "non_field_errors" else "")
            if found:
                return found
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and "message" in item:
                return f"{path}: {item['message']}" if path else item["message"]
            found = _first_message(item, path)
            if found:
                return found
    return ""


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {"detail": exc.detail, "code": exc.code, **exc.extra}
        return Response(body, status=http_status(exc))
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        # Services validate models with full_clean and passwords with Django's validators.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = _field_errors(detail, exc.get_codes(), "" if isinstance(detail, dict) else "non_field_errors.")
        detail = _first_message(errors) or "The request is not valid."
        return Response({"detail": detail, "code": "invalid", "errors": errors},
                        status=status.HTTP_400_BAD_REQUEST)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        code = "not_found"
    elif isinstance(exc, PermissionDenied):
        code = "permission_denied"
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    else:
        code = "error"
    data = response.data if isinstance(response.data, dict) else {}
    detail = data.get("detail", str(exc))
    if isinstance(exc, Http404):
        # Django's text names the model ("No TroubleshootingSession matches the given query."):
        # internals, and no help to a person. Another account's object reads the same.
        detail = "Not found."
    body = {"detail": str(detail), "code": code}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = body
    if response.status_code >= 500:
        logger.error("API error %s on %s", code, context.get("request").path if context.get("request") else "?")
    return response
