"""A string field given a number is refused, not turned into text (``resolutionflow.api.
serializers``): before, DRF saved ``{"title": 5}`` as ``"5"`` although the schema says string.
Every string property of every write operation's body, from the OpenAPI schema, gets a number,
a boolean and an object; each answer is 400 on that property (``invalid``; a choice or a related
id refuses by its own code), and nothing changes."""

import inspect

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from accounts.models import Account, ApiToken, Invitation
from handoffs.models import Handoff
from resolutionflow.api import serializers as api_serializers
from sessions_app.models import Fact, Fix, Message, TroubleshootingSession
from tests.api.test_hostile_bodies import concrete, objects  # noqa: F401  (the fixture)

WRONG_TYPES = [12345, 1.5, True, {"text": "x"}]


def string_properties():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def resolve(node):
        ref = node.get("$ref") or next((item["$ref"] for item in node.get("allOf", []) if "$ref" in item), None)
        return components[ref.split("/")[-1]] if ref else node

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch", "put"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if not body:
                continue
            for name, prop in resolve(body).get("properties", {}).items():
                if prop.get("readOnly"):
                    continue
                prop = resolve(prop)
                if prop.get("type") == "string" or (
                        prop.get("type") == "array" and resolve(prop.get("items", {})).get("type") == "string"):
                    yield method, path, name, prop.get("type")


PROPERTIES = list(string_properties())


def test_the_walk_finds_the_string_properties():
    found = {(method, path, name) for method, path, name, _ in PROPERTIES}
    assert ("post", "/api/v1/sessions/", "title") in found
    assert ("post", "/api/v1/sessions/{session_id}/messages/", "body") in found
    assert ("post", "/api/v1/sessions/{id}/handoff/", "note") in found
    assert len(found) >= 30


def state():
    return [list(getattr(model, "unscoped", model.objects).values())
            for model in (Account, ApiToken, Invitation, TroubleshootingSession, Message, Fact, Fix, Handoff)]


@pytest.mark.parametrize(("method", "path", "name", "kind"), PROPERTIES,
                         ids=[f"{m} {p} {n}" for m, p, n, _ in PROPERTIES])
def test_a_string_property_given_another_type_is_400_invalid_and_changes_nothing(
        api, admin_user, objects, method, path, name, kind):  # noqa: F811 (the fixture)
    client = api.as_user(admin_user)
    url = concrete(path, objects)
    before = state()
    for wrong in WRONG_TYPES:
        value = [wrong] if kind == "array" else wrong
        response = getattr(client, method)(url, {name: value}, format="json")
        if response.status_code in (403, 404, 409):
            continue  # refused before the body is validated (role, state): also nothing saved
        assert response.status_code == 400, (method, url, name, value, response.status_code, response.content[:200])
        errors = response.json()["errors"]
        key = name if name in errors else f"{name}.0"
        # invalid: the string rule; choices and related ids refuse a wrong type by their own code
        assert errors[key][0]["code"] in ("invalid", "invalid_choice", "does_not_exist", "incorrect_type"), (
            url, name, value, errors)
    assert state() == before


def test_a_string_is_still_a_string_and_null_is_left_to_the_field(api, engineer):
    client = api.as_user(engineer)
    created = client.post("/api/v1/sessions/", {"title": "Outlook prompts for a password", "mode": "assistant"},
                          format="json")
    assert created.status_code == 201, created.content
    refused = client.post("/api/v1/sessions/", {"title": None, "mode": "assistant"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["title"][0]["code"] == "null"


def test_every_serializer_of_the_api_refuses_other_types_in_string_fields():
    # A serializer that derived from DRF's bases directly would bypass the rule.
    import accounts.api.serializers
    import handoffs.api.metrics
    import handoffs.api.serializers
    import resolutionflow.api.schema
    import sessions_app.api.serializers

    modules = (accounts.api.serializers, handoffs.api.metrics, handoffs.api.serializers,
               resolutionflow.api.schema, sessions_app.api.serializers)
    found = [cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, serializers.BaseSerializer) and cls.__module__ == module.__name__]
    assert len(found) >= 70
    bypassing = [cls.__qualname__ for cls in found if not issubclass(cls, api_serializers.StrictBodyMixin)]
    assert bypassing == []


def test_a_number_in_a_list_of_strings_is_named_by_its_index_beside_the_other_errors(api, admin_user):
    from sessions_app.models import Flow
    from tests.sessions_app.factories import small_graph

    body = {"name": "Printer offline", "graph": small_graph(), "keywords": ["spooler", 404, "x" * 101],
            "tags": [True]}
    response = api.as_user(admin_user).post("/api/v1/flows/", body, format="json")
    assert response.status_code == 400, response.content
    errors = {key: [error["code"] for error in messages] for key, messages in response.json()["errors"].items()}
    assert errors == {"keywords.1": ["invalid"], "keywords.2": ["max_length"], "tags.0": ["invalid"]}
    assert not Flow.objects.owned_by(admin_user.account).filter(name="Printer offline").exists()
