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


def _flatten(detail, codes):
    """DRF's nested ErrorDetail structures → {field: [{"message", "code"}]}."""
    if isinstance(detail, dict):
        return {key: _flatten(value, codes.get(key) if isinstance(codes, dict) else codes)
                for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            code_list = codes if isinstance(codes, list) else [codes] * len(detail)
            return [{"message": str(item), "code": str(code)} for item, code in zip(detail, code_list, strict=False)]
        return [_flatten(item, codes[i] if isinstance(codes, list) else codes) for i, item in enumerate(detail)]
    return [{"message": str(detail), "code": str(codes)}]


def _dotted(errors: dict, prefix: str = "") -> dict:
    """``{"keywords": {"3": [...]}, "steps": [{"text": [...]}]}`` → ``{"keywords.3": [...],
    "steps.0.text": [...]}``: every value a list of ``{"message", "code"}``, whatever nests
    (list items, nested objects), so a form finds each message by one key (the schema's
    ``Error.errors``)."""
    flat: dict = {}
    for key, value in errors.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_dotted(value, f"{path}."))
        elif isinstance(value, list) and value and all(isinstance(item, dict) and "message" in item
                                                       for item in value):
            flat[path] = value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and "message" not in item:
                    flat.update(_dotted(item, f"{path}.{index}."))
                elif isinstance(item, dict):
                    flat.setdefault(path, []).append(item)
                elif isinstance(item, list):
                    flat.update(_dotted({str(index): item}, f"{path}."))
    return flat


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
        errors = _flatten(exc.detail, exc.get_codes())
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        errors = _dotted(errors)
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
