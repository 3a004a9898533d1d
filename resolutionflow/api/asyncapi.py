"""The AsyncAPI 3.0 document of the websockets, served at ``/api/v1/asyncapi.json`` beside the
OpenAPI schema (docs/architecture.md#realtime-events).

It describes both sockets (``/ws/v1/queue/`` and ``/ws/v1/sessions/{session_id}/``), how to
authenticate them (cookie, ``Authorization: Token``, or ``?ticket=`` from
``POST /api/v1/realtime/ticket/``), every message the server sends, the client's ``ping``, and
the close codes. The escalation messages' payload is not written here: it is the OpenAPI
component ``HandoffEventMessage`` (and the ``Handoff`` it holds, the REST escalation), taken
from the OpenAPI schema this server generates when the document is asked for, so the two
documents cannot disagree. OpenAPI 3.0's ``nullable`` becomes JSON Schema's ``"null"`` type.
"""

import copy
import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from handoffs.models import EventKind
from sessions_app.events import ALL_REGIONS

ASYNCAPI_VERSION = "3.0.0"
COMPONENT_PREFIX = "#/components/schemas/"
# The OpenAPI components the escalation messages use (and everything they reference).
OPENAPI_ROOTS = ("HandoffEventMessage", "SessionStatusEnum")

CLOSE_CODES = {
    4401: "Not authenticated: no, bad, expired or used ticket; a bad token; no login; or the credentials "
          "ended while open (deactivated, token revoked, logged out, a new password for a cookie login or its "
          "tickets), or expired while open (the API token's expires_at, the cookie login's session expiry). "
          "Get new credentials before reconnecting.",
    4403: "Not allowed: a foreign Origin (not the site's own, not in CORS_ALLOWED_ORIGINS), or the person's "
          "role changed while open (reconnect to get the new view).",
    4404: "The session does not exist or is another account's, or the path is no socket's.",
    1011: "Server error: among others, an open socket whose credentials could not be checked at their "
          "expiry (the database was unreachable). Reconnect with backoff; the handshake checks them again.",
}


def _nullable_to_json_schema(node):
    """OpenAPI 3.0 ``nullable: true`` → JSON Schema (``type: [t, "null"]`` or ``anyOf`` with
    ``{"type": "null"}``), everywhere in ``node``; other keywords are kept."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str) and not any(k in node for k in ("allOf", "oneOf", "anyOf", "$ref")):
            node["type"] = [node["type"], "null"]
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        else:
            annotations = {k: node.pop(k) for k in ("description", "readOnly", "title", "default") if k in node}
            node = {"anyOf": [node, {"type": "null"}], **annotations}
    return node


def _referenced(schema, names: set[str]) -> None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
            names.add(ref.removeprefix(COMPONENT_PREFIX))
        for value in schema.values():
            _referenced(value, names)
    elif isinstance(schema, list):
        for item in schema:
            _referenced(item, names)


def openapi_components(roots=OPENAPI_ROOTS) -> dict:
    """The OpenAPI components named in ``roots`` and every component they reference, as
    JSON Schema (their ``$ref``s stay ``#/components/schemas/<Name>``, which is where the
    AsyncAPI document keeps them too)."""
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    wanted, queue = set(), list(roots)
    while queue:
        name = queue.pop()
        if name in wanted:
            continue
        wanted.add(name)
        found: set[str] = set()
        _referenced(components[name], found)
        queue.extend(found - wanted)
    return {name: _nullable_to_json_schema(copy.deepcopy(components[name])) for name in sorted(wanted)}


def _object(properties: dict, *, description: str) -> dict:
    # Closed: a field the server starts sending must be documented here first (the tests check).
    return {"type": "object", "description": description, "properties": properties, "required": sorted(properties),
            "additionalProperties": False}


def _const(value: str) -> dict:
    return {"type": "string", "const": value}


def own_schemas() -> dict:
    """JSON Schemas of the messages that are not REST objects: the greetings, ``queue.count``,
    ``session.changed``, ``pong`` and the client's ``ping``."""
    seq_help = "The account's newest escalation event number: a client that rendered an older one resyncs " \
               "(GET /api/v1/events/?after=)."
    return {
        "QueueHello": _object({
            "event": _const("hello"),
            "account": {"type": "string", "format": "uuid", "description": "The user's account."},
            "seq": {"type": "integer", "minimum": 0, "description": seq_help},
            "open": {"type": "integer", "minimum": 0, "description": "Escalations nobody has picked up."},
        }, description="The first message on the queue socket, once it is open."),
        "SessionHello": _object({
            "event": _const("hello"),
            "session": {"type": "string", "format": "uuid", "description": "The session this socket follows."},
            "seq": {"type": "integer", "minimum": 0, "description": seq_help},
            "session_seq": {"type": "integer", "minimum": 0, "description": (
                "The session's newest `session.changed` number when the socket joined: the next change "
                "is session_seq + 1; a larger jump means a change was missed (GET the session and its "
                "lists again). The REST session carries the same counter as `event_seq`.")},
        }, description="The first message on a session socket, once it is open."),
        "HandoffEvent": {
            "allOf": [{"$ref": COMPONENT_PREFIX + "HandoffEventMessage"}],
            "description": "An escalation changed: `event` says how; `handoff` is the REST escalation object "
                           "(GET /api/v1/handoffs/{id}/ without `context`). `seq` numbers the account's events "
                           "without gaps.",
        },
        "QueueCount": _object({
            "event": _const("queue.count"),
            "open": {"type": "integer", "minimum": 0, "description": "Escalations nobody has picked up."},
        }, description="Sent after each escalation event on the queue socket."),
        "SessionChanged": _object({
            "event": _const("session.changed"),
            "session": {"type": "string", "format": "uuid"},
            "actor": {"type": ["string", "null"], "format": "uuid",
                      "description": "Who changed it; null for the assistant and system lines."},
            "regions": {"type": "array", "items": {"type": "string", "enum": list(ALL_REGIONS)},
                        "description": "The parts of the session that changed: fetch them again."},
            "reload": {"type": "boolean", "description": "The whole session changed (status, assignee, who "
                                                         "may write): fetch all of it."},
            "status": {"$ref": COMPONENT_PREFIX + "SessionStatusEnum"},
            "seq": {"type": "integer", "minimum": 1,
                    "description": "This session's change number (1, 2, 3, …): a skipped one means fetch "
                                   "the whole session."},
        }, description="Something in the session changed (a message, a fact, a fix, a flow step, its status). "
                       "The event says what, not the new content: fetch it from the REST API."),
        "Pong": _object({"event": _const("pong")}, description="The answer to a ping."),
        "Ping": _object({"type": _const("ping")}, description="Keep-alive from the client (pages send one every "
                                                             "25 s); the server answers pong. Anything else a "
                                                             "client sends is ignored."),
    }


def _message(name: str, schema: str, summary: str, **extra) -> dict:
    return {"name": name, "title": name, "summary": summary, "contentType": "application/json",
            "payload": {"$ref": COMPONENT_PREFIX + schema}, **extra}


def _handoff_messages() -> dict:
    """One message per escalation event kind: ``HandoffEventMessage`` with its ``event`` fixed."""
    messages = {}
    for kind in EventKind:
        name = f"handoff.{kind.value}"
        messages[f"handoff_{kind.value}"] = {
            "name": name, "title": name, "summary": f"Escalation event: {kind.label.lower()}.",
            "contentType": "application/json",
            "payload": {"allOf": [{"$ref": COMPONENT_PREFIX + "HandoffEvent"},
                                  {"type": "object", "properties": {"event": {"const": name}}}]},
        }
    return messages


def _server() -> dict:
    site = urlsplit(settings.SITE_URL)
    return {"host": site.netloc, "protocol": "wss" if site.scheme == "https" else "ws",
            "description": "This ResolutionFlow server (SITE_URL).",
            "security": [{"$ref": "#/components/securitySchemes/ticket"},
                         {"$ref": "#/components/securitySchemes/token"},
                         {"$ref": "#/components/securitySchemes/cookie"}]}


def _connect_help(path: str) -> str:
    codes = "\n".join(f"- `{code}`: {text}" for code, text in CLOSE_CODES.items())
    return (f"Open `{path}` with one of: `?ticket=<ticket>` from `POST /api/v1/realtime/ticket/` (browsers on "
            f"another origin; single use, valid for seconds), an `Authorization: Token <key>` header (API "
            f"clients), or the session cookie (the site's own pages). Origins allowed: none sent (not a "
            f"browser), the site's own, or `CORS_ALLOWED_ORIGINS`.\n\nEvery refusal opens the socket and "
            f"closes it at once with a code; the same codes close an open socket when its credentials "
            f"end:\n{codes}")


def asyncapi_document() -> dict:
    """The AsyncAPI 3.0 document (a JSON-ready dict). Builds the OpenAPI schema to take the
    escalation components from it (about a second)."""
    schemas = {**openapi_components(), **own_schemas()}
    ticket_query = {"type": "object", "properties": {"ticket": {
        "type": "string", "description": "A ticket from POST /api/v1/realtime/ticket/ (single use). Never logged."}}}
    handoff_messages = _handoff_messages()
    queue_messages = {
        "hello": _message("hello", "QueueHello", "The greeting, first after connect."),
        **handoff_messages,
        "queue_count": _message("queue.count", "QueueCount", "The number of escalations nobody has picked up."),
        "pong": _message("pong", "Pong", "The answer to a ping."),
        "ping": _message("ping", "Ping", "Keep-alive from the client."),
    }
    session_messages = {
        "hello": _message("hello", "SessionHello", "The greeting, first after connect."),
        **handoff_messages,
        "session_changed": _message("session.changed", "SessionChanged", "Something in the session changed."),
        "pong": _message("pong", "Pong", "The answer to a ping."),
        "ping": _message("ping", "Ping", "Keep-alive from the client."),
    }

    def operation(action: str, channel: str, names, summary: str) -> dict:
        return {"action": action, "channel": {"$ref": f"#/channels/{channel}"}, "summary": summary,
                "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in names]}

    received = ("ping",)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "ResolutionFlow live events",
            "version": settings.SPECTACULAR_SETTINGS.get("VERSION", "1.0.0"),
            "description": (
                "Websockets of Escalation Mode and of sessions. Every message is one JSON object with an "
                "`event` (the client's keep-alive has `type: ping`). Escalation events carry the REST "
                "escalation object of the OpenAPI schema (`/api/v1/schema/`); a client that misses one (a "
                "gap in `seq`, or a reconnect) catches up with `GET /api/v1/events/?after=<seq>`.\n\n"
                "Close codes: " + "; ".join(f"`{code}` {text}" for code, text in CLOSE_CODES.items())),
            "x-close-codes": {str(code): text for code, text in CLOSE_CODES.items()},
        },
        "defaultContentType": "application/json",
        "servers": {"site": _server()},
        "channels": {
            "queue": {
                "address": "/ws/v1/queue/", "title": "The account's escalation queue",
                "description": _connect_help("/ws/v1/queue/") + "\n\nCarries every escalation event of "
                               "the user's account and the open count.",
                "messages": queue_messages,
                "bindings": {"ws": {"method": "GET", "query": ticket_query, "bindingVersion": "0.1.0"}},
            },
            "session": {
                "address": "/ws/v1/sessions/{session_id}/", "title": "One session",
                "description": _connect_help("/ws/v1/sessions/{session_id}/") + "\n\nCarries the escalation "
                               "events of this session and every change to it.",
                "parameters": {"session_id": {"description": "The session's id (a UUID) in the user's account."}},
                "messages": session_messages,
                "bindings": {"ws": {"method": "GET", "query": ticket_query, "bindingVersion": "0.1.0"}},
            },
        },
        "operations": {
            "receiveQueueEvents": operation("receive", "queue", [n for n in queue_messages if n not in received],
                                            "What the server sends on the queue socket."),
            "sendQueuePing": operation("send", "queue", received, "Keep the queue socket alive."),
            "receiveSessionEvents": operation("receive", "session",
                                              [n for n in session_messages if n not in received],
                                              "What the server sends on a session socket."),
            "sendSessionPing": operation("send", "session", received, "Keep a session socket alive."),
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "ticket": {"type": "httpApiKey", "in": "query", "name": "ticket",
                           "description": "POST /api/v1/realtime/ticket/ (with a token, or a cookie and CSRF), "
                                          "then `?ticket=` on the socket URL. Single use; valid "
                                          "REALTIME_TICKET_TTL_SECONDS (default 30)."},
                "token": {"type": "httpApiKey", "in": "header", "name": "Authorization",
                          "description": "`Token <key>` from POST /api/v1/auth/token/ (not from browsers)."},
                "cookie": {"type": "httpApiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
                           "description": "The login of the site's own pages."},
            },
        },
    }


class AsyncApiView(APIView):
    """``GET /api/v1/asyncapi.json``: public, like the OpenAPI schema at ``/api/v1/schema/``."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["realtime"], summary="The AsyncAPI 3.0 document of the websockets", auth=[],
        operation_id="asyncapi_retrieve",
        description="Both sockets, their authentication (`?ticket=`), every message as a JSON Schema (the "
                    "escalation messages reference this OpenAPI schema's `HandoffEventMessage`), and the close "
                    "codes 4401, 4403 and 4404. Public, like this schema.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(cached_asyncapi_document())


@functools.cache
def cached_asyncapi_document() -> dict:
    """``asyncapi_document()`` built once per process: it depends only on the code and the
    settings, and building it (the whole OpenAPI schema first) takes about a second."""
    return asyncapi_document()


@receiver(setting_changed)
def _forget_the_document(**_kwargs) -> None:
    cached_asyncapi_document.cache_clear()  # tests that change SITE_URL or the ticket TTL
