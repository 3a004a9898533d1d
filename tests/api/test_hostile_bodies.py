"""Every write operation of the API, from its OpenAPI schema, gets hostile values in each
field of its body (issue 8, kind 1): each answer is JSON with a ``code``, never a 500."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from handoffs.models import BaselineSample
from tests.factories import InvitationFactory
from tests.handoffs.escalations import escalated
from tests.sessions_app.factories import FactFactory, FixFactory, FlowFactory, SessionFactory, small_graph

HOSTILE = [
    10**30, -(10**30), 1e308, True, None, [], {"a": {"b": [1, {"c": None}]}},
    "9" * 20_000, "0001-01-01T00:00:00+14:00", "9999-12-31", "\u202e\ufeff", "a\x00b",
]


def write_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch", "put"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            component = schema["components"]["schemas"].get(ref.split("/")[-1], {}) if ref else body
            yield method, path, sorted(component.get("properties", {})) or ["anything"]


OPERATIONS = list(write_operations())


@pytest.fixture
def objects(northwind, admin_user, engineer):
    session = SessionFactory(account=northwind, owner=admin_user)
    handoff = escalated(northwind, engineer)
    ids = {
        "sessions": session.pk, "handoffs": handoff.pk,
        "flows": FlowFactory(account=northwind, slug="printer", graph=small_graph()).pk,
        "invitations": InvitationFactory(account=northwind, invited_by=admin_user, email="x@example.com").pk,
        "users": engineer.pk,
        "facts": FactFactory(session=session, key="os", value="Windows 11").pk,
        "fixes": FixFactory(session=session, title="Restart the spooler").pk,
        "baseline-samples": BaselineSample.unscoped.create(account=northwind, minutes=12, recorded_by=admin_user).pk,
    }
    return ids


def concrete(path, ids):
    parts = path.strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        if part == "{session_id}":
            out.append(str(ids["sessions"]))
        elif part == "{id}":
            out.append(str(ids[parts[index - 1]]))
        else:
            out.append(part)
    return "/" + "/".join(out) + "/"


def test_the_walk_covers_the_write_operations():
    assert len(OPERATIONS) >= 25
    assert ("post", "/api/v1/sessions/{session_id}/messages/", ["body", "kind"]) in OPERATIONS


@pytest.mark.parametrize(("method", "path", "fields"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_hostile_values_in_every_field_never_reach_a_server_error(api, admin_user, objects, method, path, fields):
    client = api.as_user(admin_user)
    client.raise_request_exception = False
    url = concrete(path, objects)
    for field in fields:
        for value in HOSTILE:
            response = getattr(client, method)(url, {field: value}, format="json")
            assert response.status_code < 500, (method, url, field, repr(value)[:60], response.content[:300])
            if response.status_code >= 400:
                assert response.json()["code"], (url, field)
