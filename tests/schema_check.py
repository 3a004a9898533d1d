"""Every /api/v1/ response a test receives is checked against the OpenAPI schema.

``ResponseSchemaMiddleware`` is the first middleware of the test settings
(``resolutionflow/settings_test.py``), so it sees every answer of the API: a view's, DRF's
refusals, the NUL guard's 400, the login lockout's 429, the 503 of an unreachable database,
the JSON 404 of an unknown id. For each one it checks that

* the operation (path and method) is in the schema (an unknown path may only be a 404 or 405),
* the status code is declared for that operation (5xx crashes other than 503 are left to the
  test, which sees the exception itself),
* a JSON body is valid against the declared response schema; in a 2xx body a field the schema
  does not declare is drift too (``additionalProperties`` is false there).

A mismatch raises ``SchemaMismatch`` in the request (the test client re-raises it) and is also
recorded, so the root conftest's autouse fixture fails the test at teardown even when the
request ran in a live server's thread and the test only saw a 500.
"""

import copy
import json
import re
import threading

from django.conf import settings
from jsonschema import Draft7Validator

API_PREFIX = "/api/v1/"
# The schema and the docs describe the API; they are not operations of it.
NOT_OPERATIONS = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")

_lock = threading.Lock()
_state: dict = {}
mismatches: list[str] = []


class SchemaMismatch(AssertionError):
    """A response disagrees with the OpenAPI schema."""


def _openapi_to_json_schema(node, *, strict: bool):
    """OpenAPI 3.0 schema objects → JSON Schema (draft 7): ``nullable`` becomes a null type;
    with ``strict``, objects with declared properties allow no others."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi_to_json_schema(value, strict=strict) if key not in ("enum", "required", "example")
            else value for key, value in node.items()}
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if node.get(exclusive) is True:  # OpenAPI 3.0's boolean form
            node[exclusive] = node.pop(bound)
        elif node.get(exclusive) is False:
            del node[exclusive]
    if strict and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if any(key in node for key in ("allOf", "oneOf", "anyOf", "$ref")):
            node = {"anyOf": [node, {"type": "null"}]}
        elif "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _load():
    with _lock:
        if "operations" in _state:
            return _state
        from drf_spectacular.generators import SchemaGenerator

        document = SchemaGenerator().get_schema(request=None, public=True)
        components = document.get("components", {})
        operations = []
        for template, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            operations.append((pattern, template, item))
        # flows/import/ before flows/{id}/: literal segments win over parameters.
        operations.sort(key=lambda operation: operation[1].count("{"))
        _state.update(operations=operations, components={
            "strict": _openapi_to_json_schema(copy.deepcopy(components), strict=True),
            "loose": _openapi_to_json_schema(copy.deepcopy(components), strict=False),
        }, validators={})
        return _state


def _validator(template: str, method: str, status: str, schema: dict) -> Draft7Validator:
    state = _load()
    key = (template, method, status)
    if key not in state["validators"]:
        strict = status.startswith("2")
        root = {"allOf": [_openapi_to_json_schema(schema, strict=strict)],
                "components": state["components"]["strict" if strict else "loose"]}
        state["validators"][key] = Draft7Validator(root, format_checker=Draft7Validator.FORMAT_CHECKER)
    return state["validators"][key]


def problems_of(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with this response against the schema (empty: nothing)."""
    if not path.startswith(API_PREFIX) or path.startswith(NOT_OPERATIONS):
        return []
    state = _load()
    method = method.lower()
    found = next(((template, item) for pattern, template, item in state["operations"] if pattern.match(path)), None)
    if found is None:
        return [] if status in (404, 405) else [f"{method.upper()} {path}: no such path in the schema ({status})"]
    template, item = found
    operation = item.get(method)
    if operation is None:
        # HEAD and OPTIONS are answered by DRF for every view; other methods are 405.
        return [] if method in ("head", "options") or status == 405 else [
            f"{method.upper()} {template}: no such operation in the schema ({status})"]
    where = f"{method.upper()} {template} → {status}"
    if status >= 500 and status != 503:
        return []  # a crash: the test client re-raises the exception itself
    declared = operation["responses"].get(str(status)) or operation["responses"].get("default")
    if declared is None:
        return [f"{where}: status not declared (declared: {', '.join(sorted(operation['responses']))})"]
    content = declared.get("content")
    if not content:
        return [f"{where}: a body where the schema declares none"] if body.strip() else []
    media = content_type.split(";")[0].strip()
    if media not in content:
        return [f"{where}: content type {media or 'none'} not declared ({', '.join(content)})"]
    if media != "application/json":
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return [f"{where}: the body is not JSON"]
    validator = _validator(template, method, str(status), content[media]["schema"])
    return [f"{where}: {error.message} at {'/'.join(map(str, error.absolute_path)) or 'the top'}"
            for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))[:5]]


class ResponseSchemaMiddleware:
    """Test-only: checks every API response against the schema (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or getattr(response, "streaming", False):
            return response
        found = problems_of(request.method, request.path, response.status_code,
                            response.get("Content-Type", ""), response.content)
        if found:
            mismatches.extend(found)
            raise SchemaMismatch("The response disagrees with the OpenAPI schema:\n" + "\n".join(found))
        return response


def enabled() -> bool:
    return "tests.schema_check.ResponseSchemaMiddleware" in settings.MIDDLEWARE
