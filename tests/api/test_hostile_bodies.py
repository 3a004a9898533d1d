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


MALFORMED = ['{"note": "Stuck', "not json", "[1, 2", '{"a": 1}{"b": 2}']


def every_write():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path) for path, operations in schema["paths"].items()
            for method in operations if method in ("post", "patch", "put", "delete")]


WRITES = every_write()


def test_the_write_walk_includes_the_deletes():
    assert ("delete", "/api/v1/sessions/{session_id}/facts/{id}/") in WRITES
    assert len(WRITES) >= len(OPERATIONS) + 3


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_malformed_body_is_refused_even_where_the_action_takes_none(api, admin_user, objects, method, path):
    # Before: actions without a body (ticket, claim, invitation resend…) never parsed it, so
    # '{"note": "Stuck' answered 201 and did the write.
    from accounts import services as account_services

    client = api.as_user(admin_user)
    client.raise_request_exception = False
    url = concrete(path, {**objects, "tokens": account_services.api_token_create(user=admin_user).token.pk})
    for body in MALFORMED:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (method, url, body, response.status_code, response.content[:200])
        assert response.json()["code"] == "parse_error", response.content


@pytest.mark.parametrize("path", ["/api/v1/realtime/ticket/", "/api/v1/handoffs/{id}/claim/",
                                  "/api/v1/handoffs/{id}/release/"])
def test_a_body_less_action_given_a_malformed_body_changes_nothing(api, admin_user, objects, path):
    from accounts.models import RealtimeTicket
    from handoffs.models import Handoff

    client = api.as_user(admin_user)
    before = (RealtimeTicket.objects.count(), list(Handoff.unscoped.values_list("status", "claimed_by")))
    response = client.post(concrete(path, objects), '{"note": "Stuck', content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error"), response.content
    assert (RealtimeTicket.objects.count(), list(Handoff.unscoped.values_list("status", "claimed_by"))) == before


def test_an_oversized_body_to_a_body_less_action_is_413_and_changes_nothing(api, admin_user, objects):
    from accounts.models import RealtimeTicket

    client = api.as_user(admin_user)
    client.raise_request_exception = False
    body = '{"pad": "' + "x" * 3_000_000 + '"}'  # past DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB)
    response = client.post("/api/v1/realtime/ticket/", body, content_type="application/json")
    assert response.status_code == 413, response.content[:200]
    assert response.json()["code"]
    assert not RealtimeTicket.objects.exists()
