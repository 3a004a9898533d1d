"""Fuzzing the API from its OpenAPI schema (schemathesis): every operation, as a viewer, an
engineer and an admin of an account with a session, a flow and an escalation, must answer
without a server error and with a response the schema describes.

Bounded for ``make test`` (``FUZZ_EXAMPLES`` examples per operation and role, default 3);
``make fuzz`` runs the same module with many more. Path ids are the seeded objects' ids half of
the time (so deeper code runs), random ones otherwise (404s).
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
# What the suite holds the API to: no 5xx, and every answer the schema documents has the
# documented shape and content type. Not yet: every status documented (404/400/403 are
# missing from many operations; docs/deploy.md#fuzzing lists them) and negative-data checks.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Found by this module and left to the owner of input hardening (issue 8), each with the check it
# fails, lifted for that operation only: an id the router's pattern refuses (``0.5``, ``true``)
# gets Django's HTML 404 page instead of a JSON error.
KNOWN = {("DELETE", "/api/v1/baseline-samples/{id}/"): [content_type_conformance]}
EXCLUDED = [status_code_conformance, negative_data_rejection, positive_data_acceptance]

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
    known = KNOWN.get((case.method.upper(), case.path))
    checks = [check for check in CHECKS if check not in known] if known else CHECKS
    case.call_and_validate(headers={"Authorization": f"Token {keys[role]}", "Host": "localhost"},
                           checks=checks, excluded_checks=EXCLUDED + (known or []))
