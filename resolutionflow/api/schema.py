"""The OpenAPI schema tells the truth about errors, by rule (README "API").

Every error the API answers has one shape, the ``Error`` component (``resolutionflow.api.errors``
builds it). ``AutoSchema`` adds to every operation the error responses it can really answer,
decided from what the view declares, so a new endpoint gets them without remembering to:

=====  ==================================================================================
400    every operation: a NUL character in any query parameter is refused before the view
       (``resolutionflow.guards``); operations with a body or query parameters, and lists,
       say more (``errors`` per field, ``invalid_filter``/``unknown_filter`` with ``parameter``)
401    operations that need a signed-in user (``WWW-Authenticate: Token``)
403    the same (a role, an object rule, or a cookie request without its CSRF token)
404    operations whose path names an object, and paged lists (a page past the end)
409    declared by each view where a service raises ``Conflict`` (``conflict(...)`` below)
413    writes (POST, PUT, PATCH, DELETE): a body is parsed even where the action takes none
       (``accounts.api.base``), past ``DATA_UPLOAD_MAX_MEMORY_SIZE``
415    writes, with a body that is not JSON
429    views with throttles (``throttle_classes``) and the login lockout (``retry_after``)
503    every operation: the connection budget or an unreachable database (``Retry-After``)
=====  ==================================================================================

A view that declares one of these statuses itself keeps its description; the body schema is
filled in when it gave none. In responses, fields always sent are required (model serializers
send every field); ``postprocess`` adds ``servers`` from ``SITE_URL``.
"""

import re

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance, get_doc
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from resolutionflow.api import serializers as api
from resolutionflow.api.parsers import WRITE_METHODS

# ---- the error components -------------------------------------------------------------------


class FieldErrorSerializer(api.Serializer):
    message = serializers.CharField(help_text="For people.")
    code = serializers.CharField(help_text="For programs (`required`, `max_length`, `invalid`, ...).")


class ErrorSerializer(api.Serializer):
    """Every error: a human ``detail`` and a machine ``code``; the fields below only where they
    apply."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="What went wrong, for programs (`not_found`, `invalid`, ...).")
    errors = serializers.DictField(
        child=serializers.ListField(child=FieldErrorSerializer()), required=False,
        help_text="Validation errors (`code` `invalid` and `invalid_filter`): every message per field "
                  "(`non_field_errors` for the whole body; nested fields dotted: `keywords.3`, `steps.0.text`).")
    parameter = serializers.CharField(required=False, help_text="The query parameter refused "
                                                                "(`invalid_filter`, `unknown_filter`).")
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429).")


class PersonRefSerializer(api.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    """A 409: the object's current state refuses the change. ``status`` is that state where
    one applies."""

    status = serializers.CharField(required=False, help_text="The object's current status.")


class HandoffConflictSerializer(ConflictSerializer):
    """409 of an escalation: ``already_claimed`` (with ``claimed_by`` and ``status``),
    ``invalid_transition`` (``status``), ``already_escalated`` (``handoff``, ``status``)."""

    claimed_by = PersonRefSerializer(required=False, allow_null=True, help_text="Who holds the claim.")
    handoff = serializers.UUIDField(required=False, help_text="The session's live escalation.")


class SessionConflictSerializer(ConflictSerializer):
    """409 of a session: ``session_closed`` (``status``), ``not_current_step``
    (``current_step``), ``not_a_flow_session``, ``at_start``, ``not_resolved`` (``status``)."""

    current_step = serializers.CharField(required=False, allow_null=True,
                                         help_text="The step the session is at now.")


class FixConflictSerializer(ConflictSerializer):
    """409 of a fix: ``invalid_transition`` (``status``), ``another_fix_active`` (``active_fix``),
    ``session_closed``."""

    active_fix = serializers.UUIDField(required=False, help_text="The fix being tried.")


def conflict(description: str, body=ConflictSerializer) -> OpenApiResponse:
    """A view's 409: which codes, and the component with their extra fields."""
    return OpenApiResponse(response=body, description=description)


# ---- the rules -----------------------------------------------------------------------------

RETRY_AFTER = {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}

DESCRIPTIONS = {
    "400": "The request is not valid (`code` says why; `errors` names each field).",
    "401": "Not signed in: no credentials, or a token that is wrong, expired or revoked "
           "(`not_authenticated`, `authentication_failed`).",
    "403": "Signed in but not allowed: the role or a rule of the object refuses it, or a cookie "
           "request lacks its CSRF token (`permission_denied`).",
    "404": "No such object in your account (another account's objects are not found either): "
           "`not_found`.",
    "409": "The object's current state refuses the change.",
    "413": "The request body is too large (`request_too_large`).",
    "415": "The body is not JSON (`unsupported_media_type`): send `Content-Type: application/json`.",
    "429": "Too many tries (`throttled`, `locked_out`): wait `retry_after` seconds.",
    "503": "The server is busy or cannot reach its database (`service_unavailable`): try again after "
           "`Retry-After` seconds.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses each operation can answer (module
    docstring)."""

    def _needs_user(self) -> bool:
        permissions = self.view.get_permissions()
        return not (permissions and all(isinstance(p, AllowAny) for p in permissions))

    def _get_paginator(self):
        paginator = super()._get_paginator()
        if paginator is not None:
            paginator.cursor_offered = bool(getattr(self.view, "cursor_ordering", None))
        return paginator

    def _is_paged_list(self) -> bool:
        return self._is_list_view() and self._get_paginator() is not None

    def error_statuses(self, operation) -> list[str]:
        has_body = "requestBody" in operation
        has_object = any(p["in"] == "path" for p in operation.get("parameters", []))
        statuses = ["400"]
        if self._needs_user():
            statuses += ["401", "403"]
        if has_object or self._is_paged_list():
            statuses.append("404")
        if has_body or self.method in WRITE_METHODS:
            statuses += ["413", "415"]
        if getattr(self.view, "throttle_classes", None):
            statuses.append("429")
        statuses.append("503")
        return statuses

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(status, {"description": DESCRIPTIONS[status]})
        for status, response in responses.items():
            if not status.startswith(("4", "5")):
                continue
            if "content" not in response:
                body = ConflictSerializer if status == "409" else ErrorSerializer
                filled = self._get_response_for_code(body, status)
                filled["description"] = response.get("description") or DESCRIPTIONS.get(status, "")
                responses[status] = response = filled
            if not response.get("description"):
                response["description"] = DESCRIPTIONS.get(status, "")
            if status in ("429", "503"):
                response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
            if status == "401":
                response.setdefault("headers", {})["WWW-Authenticate"] = {
                    "schema": {"type": "string"}, "description": "`Token`: how to authenticate."}
        operation["responses"] = dict(sorted(responses.items()))
        # A public operation says so (no credentials needed) rather than saying nothing.
        operation.setdefault("security", [{}])
        return operation

    def get_summary(self):
        """A view's own summary, else the first sentence of the action's docstring, else what the
        action does to what (``List invitations``), so every operation has one."""
        summary = super().get_summary()
        if summary:
            return summary
        action = getattr(self.view, "action", None) or self.method.lower()
        doc = (get_doc(getattr(self.view, action, None)) or "").strip()
        if not doc and (getattr(self.view, "action", None) is None
                        or len(getattr(self.view, "action_permissions", ())) == 1):
            doc = get_doc(type(self.view)).strip()  # a view of one operation: its own docstring
        if doc:
            first = doc.split("\n\n")[0].replace("\n", " ")
            return first.split(". ")[0].rstrip(".").replace("``", "`")
        model = getattr(self.view, "model", None)
        noun = model._meta.verbose_name if model is not None else self.path.strip("/").split("/")[-1]
        verbs = {"list": f"List {noun}s", "retrieve": f"One {noun}", "create": f"Add a {noun}",
                 "partial_update": f"Change a {noun}", "destroy": f"Delete a {noun}"}
        return verbs.get(action, f"{action.strip('_').replace('_', ' ').capitalize()} the {noun}")

    def _map_basic_serializer(self, serializer, direction):
        """In responses, every field of a model serializer is required: DRF sends each readable
        field of a model, ``null`` or not. A plain serializer's ``required=False`` fields stay
        optional: DRF leaves them out when the object has no such key (an error's extras)."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(force_instance(serializer), serializers.ModelSerializer):
            schema["required"] = list(schema.get("properties", {}))
        return schema


# ---- after generation ------------------------------------------------------------------------


def _typed_nullables(node, schemas):
    """OpenAPI 3.0 wants ``nullable`` beside a ``type``: a nullable ``allOf: [$ref]`` gets the
    type of the component it refers to."""
    if isinstance(node, list):
        for item in node:
            _typed_nullables(item, schemas)
    elif isinstance(node, dict):
        refs = node.get("allOf") or []
        if node.get("nullable") and "type" not in node and len(refs) == 1 and "$ref" in refs[0]:
            target = schemas.get(refs[0]["$ref"].rsplit("/", 1)[-1], {})
            node["type"] = target.get("type", "object")
        for value in node.values():
            _typed_nullables(value, schemas)


def _json_body_ref(response: dict) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1] or None


def _links(paths: dict, schemas: dict) -> None:
    """OpenAPI links, by rule: a success whose body is an object with an ``id`` leads to every
    operation under that object's own path (``/handoffs/{id}/`` and its actions), the ``id``
    taken from the body and the other path parameters from the request. An object's own path
    is the ``GET …/{id}/`` that answers the same component, or, for a create, the list path
    plus ``{id}/``. Clients and schemathesis' stateful tests follow them (create → claim → ...)."""
    detail_paths: dict[str, list[str]] = {}
    for path, item in paths.items():
        if path.endswith("/{id}/") and "get" in item:
            component = _json_body_ref(item["get"]["responses"].get("200", {}))
            if component:
                detail_paths.setdefault(component, []).append(path)
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put"):
                continue
            for status, response in operation["responses"].items():
                component = _json_body_ref(response) if status in ("200", "201") else None
                if not component or "id" not in schemas.get(component, {}).get("properties", {}):
                    continue
                owners = list(detail_paths.get(component, []))
                if method == "post" and status == "201" and path + "{id}/" in paths:
                    owners.append(path + "{id}/")
                request_params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                links = {}
                for owner in dict.fromkeys(owners):
                    # sessions/{id}/ owns sessions/{session_id}/facts/ too: the object's id under
                    # whatever name the nested path gives it.
                    prefix = re.compile(re.escape(owner).replace(re.escape("{id}"), r"\{(\w+)\}"))
                    for target_path, target_item in paths.items():
                        match = prefix.match(target_path)
                        if not match:
                            continue
                        own = match.group(1)
                        for target_method, target in target_item.items():
                            if target_method not in ("get", "post", "patch", "put", "delete") or (
                                    target_path, target_method) == (path, method):
                                continue
                            names = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
                            if not names <= request_params | {own}:
                                continue
                            links[target["operationId"]] = {
                                "operationId": target["operationId"],
                                "parameters": {name: "$response.body#/id" if name == own
                                               else f"$request.path.{name}" for name in sorted(names)},
                            }
                if links:
                    response["links"] = links


def _closed_request_bodies(paths: dict, schemas: dict) -> None:
    """Every request component a request body refers to (``…Request``: COMPONENT_SPLIT_REQUEST
    gives requests their own), and the objects written inline in it, say ``additionalProperties:
    false``: the serializers refuse unknown fields with 400 ``unknown_field``
    (resolutionflow.api.serializers). A component shared with responses (a flow's graph) stays
    open, so a key added to an answer later breaks no strict client."""
    seen: set[str] = set()

    def close(node):
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/components/schemas/"):
                name = reference.rsplit("/", 1)[1]
                if name not in seen and name in schemas and name.endswith("Request"):
                    seen.add(name)
                    close(schemas[name])
                return
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    for operations in paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                close(operation["requestBody"])


def postprocess(result, generator, request, public):
    """drf-spectacular postprocessing hook: request bodies are closed objects (unknown fields
    are refused), nullable references carry a type, successes carry their OpenAPI links, and
    the schema names its server (``SITE_URL``)."""
    schemas = result.get("components", {}).get("schemas", {})
    _closed_request_bodies(result.get("paths", {}), schemas)
    _typed_nullables(result, schemas)
    _links(result.get("paths", {}), schemas)
    result["servers"] = [{"url": settings.SITE_URL, "description": "This server (SITE_URL)."}]
    return result
