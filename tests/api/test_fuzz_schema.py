"""Fuzzing the API from its OpenAPI schema (schemathesis): every operation, as a viewer, an
engineer and an admin of an account with a session, a flow and an escalation, must answer
without a server error, with a status code the operation declares, and with a response the
schema describes.

Two kinds of run:

* one operation at a time (path ids are the seeded objects' ids half of the time, so deeper
  code runs, random ones otherwise: 404s);
* stateful: sequences that follow the schema's OpenAPI links (resolutionflow.api.schema adds
  them by rule), so an object created by one call is claimed, changed or read by the next
  (create a session → escalate it → claim / release / return the escalation ...).

Bounded for ``make test`` (``FUZZ_EXAMPLES`` examples per operation and role, default 3, and
``FUZZ_STEPS`` scenarios per role, default 10); ``make fuzz`` runs the same module with many more.
"""

import os
import random

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.services.api_tokens import api_token_create
from resolutionflow.wsgi import application
from tests.handoffs.escalations import escalated
from tests.sessions_app.factories import FlowFactory, SessionFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
STEPS = int(os.environ.get("FUZZ_STEPS", "10"))
# What the suite holds the API to: no 5xx, every status code answered is one the operation
# declares, and every answer has the documented shape and content type. Not checked: that
# schemathesis' deliberately invalid data is refused and its valid data accepted (a valid-by-
# schema body can still break a rule, e.g. a graph with a dangling step, and is rightly a 400).
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
EXCLUDED = [negative_data_rejection, positive_data_acceptance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(northwind, engineer, senior, admin_user, viewer):
    """Objects the ids of paths may name, and an API key per role."""
    handoff = escalated(northwind, engineer)
    objects = {
        "sessions": [str(handoff.session_id), str(SessionFactory(account=northwind, owner=engineer).pk)],
        "handoffs": [str(handoff.pk)],
        "flows": [str(FlowFactory(account=northwind).pk)],
        "users": [str(engineer.pk), str(viewer.pk)],
    }
    keys = {role: api_token_create(user=user).key
            for role, user in ((Role.VIEWER, viewer), (Role.ENGINEER, senior), (Role.ADMIN, admin_user))}
    return objects, keys


def seed_path(case, objects, rng):
    """Point the case's path ids at seeded objects of the right kind, half of the time."""
    parts = case.path.strip("/").split("/")
    kind = parts[2] if len(parts) > 2 else ""
    for name in list(case.path_parameters or {}):
        if rng.random() < 0.5 and kind in objects and name in ("id", "session_id"):
            case.path_parameters[name] = rng.choice(objects["sessions"] if name == "session_id" else objects[kind])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENGINEER, Role.ADMIN])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_operation_answers_a_server_error_or_off_schema(case, role, seeded):
    objects, keys = seeded
    seed_path(case, objects, random.Random(repr(case.path_parameters)))
    case.call_and_validate(headers={"Authorization": f"Token {keys[role]}", "Host": "localhost"},
                           checks=CHECKS, excluded_checks=EXCLUDED)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENGINEER, Role.ADMIN])
def test_workflows_that_follow_the_links_never_answer_off_schema(role, seeded):
    _, keys = seeded
    links = sum(len(response.get("links", {})) for item in schema.raw_schema["paths"].values()
                for operation in item.values() if isinstance(operation, dict)
                for response in operation.get("responses", {}).values())
    assert links > 50, "the schema's OpenAPI links are missing (resolutionflow.api.schema._links)"

    linked = []  # calls on an object that answered 2xx: its id can only have come from a link

    class Workflow(schema.as_state_machine()):
        def after_call(self, response, case):
            if case.path_parameters and 200 <= response.status_code < 300:
                linked.append(f"{case.method} {case.path}")

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {keys[role]}", "Host": "localhost"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, excluded_checks=EXCLUDED, transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=STEPS, stateful_step_count=6, deadline=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck)))
    if role != Role.VIEWER:  # a viewer creates nothing, so has no object to follow a link to
        assert linked, "no scenario reached an object through a link"
