"""The AsyncAPI document at ``/api/v1/asyncapi.json``: valid AsyncAPI 3.0 (checked against the
specification's own JSON Schema, ``specs/asyncapi-3.0.0.schema.json`` from @asyncapi/specs
6.11.1, Apache-2.0), public like the OpenAPI schema, its escalation payload the OpenAPI
component itself, and every message the sockets really send matches it."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from channels.db import database_sync_to_async
from django.test import Client

from handoffs import services
from handoffs.models import EventKind, Handoff
from resolutionflow.api.asyncapi import _nullable_to_json_schema
from sessions_app.services.messages import message_post
from tests.realtime.test_handoff_sockets import session_path, subscribed, team

META_SCHEMA = json.loads((Path(__file__).parent / "specs" / "asyncapi-3.0.0.schema.json").read_text())


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/asyncapi.json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def spec_errors(document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in jsonschema.Draft7Validator(META_SCHEMA)
            .iter_errors(document)]


def test_the_document_is_valid_asyncapi_3(document):
    assert document["asyncapi"] == "3.0.0"
    assert spec_errors(document) == []


def test_the_specification_schema_does_refuse_a_broken_document(document):
    broken = copy.deepcopy(document)
    broken["operations"]["sendQueuePing"]["action"] = "publish"  # AsyncAPI 2's word, not 3's
    del broken["channels"]["queue"]["address"]
    broken["channels"]["queue"]["adress"] = "/ws/v1/queue/"
    assert len(spec_errors(broken)) >= 2


def test_it_is_public_like_the_openapi_schema(client, db):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/asyncapi.json").status_code == 200


def test_the_openapi_schema_and_its_docs_link_to_it(client, db, settings):
    openapi = json.loads(client.get("/api/v1/schema/?format=json").content)
    assert openapi["externalDocs"]["url"] == f"{settings.SITE_URL}/api/v1/asyncapi.json"


def test_both_sockets_their_ticket_and_close_codes_are_described(document):
    channels = document["channels"]
    assert channels["queue"]["address"] == "/ws/v1/queue/"
    assert channels["session"]["address"] == "/ws/v1/sessions/{session_id}/"
    for channel in channels.values():
        assert "ticket" in channel["bindings"]["ws"]["query"]["properties"]
        for code in ("4401", "4403", "4404", "1011"):
            assert f"`{code}`" in channel["description"]
    assert set(document["info"]["x-close-codes"]) == {"4401", "4403", "4404", "1011"}
    assert document["components"]["securitySchemes"]["ticket"] == {
        **document["components"]["securitySchemes"]["ticket"], "type": "httpApiKey", "in": "query", "name": "ticket"}


def test_the_escalation_payload_is_the_rest_escalation_of_the_openapi_schema(client, db, document):
    openapi = json.loads(client.get("/api/v1/schema/?format=json").content)["components"]["schemas"]
    ours = document["components"]["schemas"]
    for name in ("HandoffEventMessage", "Handoff", "UserSummary", "SessionSummary", "HandoffStatusEnum"):
        assert ours[name] == _nullable_to_json_schema(openapi[name]), name
    assert ours["HandoffEventMessage"]["properties"]["handoff"]["allOf"] == [{"$ref": "#/components/schemas/Handoff"}]


def test_nullable_becomes_a_null_type():
    assert _nullable_to_json_schema({"type": "string", "format": "date-time", "nullable": True}) == {
        "type": ["string", "null"], "format": "date-time"}
    assert _nullable_to_json_schema({"allOf": [{"$ref": "#/x"}], "readOnly": True, "nullable": True}) == {
        "anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}], "readOnly": True}


# ---- every message the sockets send, validated against the document ---------------------------


def payload_validator(document, message):
    """A validator of one message's payload, resolving its ``$ref``s inside the document."""
    root = {"components": document["components"], "allOf": [message["payload"]]}
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def check(document, channel, received) -> str:
    """Validate ``received`` against the message of ``channel`` with its name; return the name."""
    name = received.get("event") or received.get("type")
    candidates = [m for m in document["channels"][channel]["messages"].values() if m["name"] == name]
    assert len(candidates) == 1, f"{name!r} is not a message of the {channel} channel"
    errors = [e.message for e in payload_validator(document, candidates[0]).iter_errors(received)]
    assert errors == [], f"{channel} {name}: {errors}\n{json.dumps(received, indent=1)}"
    return name


async def read_until(socket, last_event, channel, document) -> list[str]:
    names = []
    while True:
        message = await socket.receive_json_from(timeout=5)
        names.append(check(document, channel, message))
        if message.get("event") == last_event:
            return names


@pytest.mark.django_db(transaction=True)
async def test_every_message_the_sockets_send_matches_the_document(document):
    cast = await team()
    queue = await subscribed("/ws/v1/queue/", cast["senior"])
    session_socket = await subscribed(session_path(cast["session"]), cast["junior"])
    # The greetings were read by ``subscribed``; a fresh pair checks them too.
    seen = {"queue": {"hello"}, "session": {"hello"}}

    @database_sync_to_async
    def every_kind_of_change():
        session, junior, senior = cast["session"], cast["junior"], cast["senior"]
        first = services.handoff_escalate(session=session, actor=junior, note="Stuck on the VPN")
        services.handoff_alert(handoff=first)
        services.handoff_claim(handoff=first, actor=senior)
        services.handoff_release(handoff=first, actor=senior)
        services.handoff_claim(handoff=first, actor=senior)
        message_post(session=Handoff.unscoped.get(pk=first.pk).session, actor=senior, body="Checked the tunnel",
                     kind="note")
        services.handoff_return(handoff=first, actor=senior, note="Renew the certificate")
        second = services.handoff_escalate(session=session, actor=junior, note="Still stuck")
        services.handoff_cancel(handoff=second, actor=junior, note="Sorted it")
        third = services.handoff_escalate(session=session, actor=junior, note="Third time")
        services.handoff_claim(handoff=third, actor=senior)
        services.handoff_resolve(handoff=third, actor=senior, resolution="Replaced the router")

    await every_kind_of_change()
    seen["queue"] |= set(await read_until(queue, "handoff.resolved", "queue", document))
    seen["session"] |= set(await read_until(session_socket, "handoff.resolved", "session", document))
    for socket, channel in ((queue, "queue"), (session_socket, "session")):
        # queue.count follows the last escalation event; session.changed may too: read to the pong.
        await socket.send_json_to({"type": "ping"})
        while (name := check(document, channel, await socket.receive_json_from(timeout=5))) != "pong":
            seen[channel].add(name)
        seen[channel].add("pong")
        await socket.disconnect()

    fresh_queue = await subscribed("/ws/v1/queue/", cast["viewer"])
    await fresh_queue.send_json_to({"type": "ping"})
    assert check(document, "queue", await fresh_queue.receive_json_from(timeout=5)) == "pong"
    await fresh_queue.disconnect()

    kinds = {f"handoff.{kind}" for kind in EventKind.values}
    sent_by_server = {channel: {m["name"] for m in document["channels"][channel]["messages"].values()} - {"ping"}
                      for channel in ("queue", "session")}
    assert seen["queue"] == sent_by_server["queue"] == {"hello", "queue.count", "pong"} | kinds
    assert seen["session"] == sent_by_server["session"] == {"hello", "session.changed", "pong"} | kinds


@pytest.mark.django_db(transaction=True)
async def test_the_greetings_match_the_document(document):
    from tests.realtime.test_handoff_sockets import ORIGIN, open_socket, token_header

    cast = await team()
    for path, channel in (("/ws/v1/queue/", "queue"), (session_path(cast["session"]), "session")):
        communicator, connected, _ = await open_socket(path, ORIGIN, await token_header(cast["viewer"]))
        assert connected
        assert check(document, channel, await communicator.receive_json_from(timeout=5)) == "hello"
        await communicator.disconnect()


def test_a_message_with_an_undocumented_field_fails_the_check(document):
    with pytest.raises(AssertionError, match="Additional properties"):
        check(document, "queue", {"event": "queue.count", "open": 2, "secret": "x"})
    with pytest.raises(AssertionError, match="not a message of the queue channel"):
        check(document, "queue", {"event": "session.changed"})


@pytest.mark.django_db
def test_an_escalation_message_that_drifts_from_the_rest_shape_fails_the_check(document, engineer, northwind):
    from handoffs.events import event_message, message_for_reader
    from handoffs.models import HandoffEvent
    from tests.sessions_app.factories import SessionFactory

    handoff = services.handoff_escalate(session=SessionFactory(account=northwind, owner=engineer), actor=engineer,
                                        note="Stuck")
    # What the engineer's socket sends: the shared message with the reader's own actions.
    message = message_for_reader(event_message(HandoffEvent.unscoped.get(handoff=handoff), handoff), engineer)
    assert message["handoff"]["claimed_by"] is None  # null where the schema says nullable
    assert check(document, "queue", message) == "handoff.created"
    for field, wrong in (("status", "bogus"), ("age_seconds", "old"), ("session", None)):
        drifted = copy.deepcopy(message)
        drifted["handoff"][field] = wrong
        with pytest.raises(AssertionError):
            check(document, "queue", drifted)
    renamed = {**copy.deepcopy(message), "event": "handoff.claimed"}
    assert check(document, "queue", renamed) == "handoff.claimed"
    with pytest.raises(AssertionError):
        check(document, "queue", {**renamed, "event": "handoff.exploded"})
    missing = copy.deepcopy(message)
    del missing["handoff"]["id"]
    with pytest.raises(AssertionError, match="'id' is a required property"):
        check(document, "queue", missing)


def test_the_document_is_built_once_per_process_and_again_when_settings_change(client, db, settings, monkeypatch):
    from resolutionflow.api import asyncapi

    built = []
    real = asyncapi.asyncapi_document
    monkeypatch.setattr(asyncapi, "asyncapi_document", lambda: built.append(1) or real())
    asyncapi.cached_asyncapi_document.cache_clear()

    first = client.get("/api/v1/asyncapi.json").json()
    again = client.get("/api/v1/asyncapi.json").json()
    settings.SITE_URL = "https://rf.example.net"
    moved = client.get("/api/v1/asyncapi.json").json()

    assert len(built) == 2
    assert first == again
    assert moved["servers"]["site"]["host"] == "rf.example.net"
    asyncapi.cached_asyncapi_document.cache_clear()  # the next test builds its own


def test_the_document_has_an_operation_id_without_a_dot(client, db):
    openapi = json.loads(client.get("/api/v1/schema/?format=json").content)
    assert openapi["paths"]["/api/v1/asyncapi.json"]["get"]["operationId"] == "asyncapi_retrieve"
    assert not [op["operationId"] for path in openapi["paths"].values() for op in path.values()
                if isinstance(op, dict) and "." in op.get("operationId", "")]
