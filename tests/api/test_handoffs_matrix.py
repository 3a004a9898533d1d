"""Who may call each Escalation Mode endpoint (docs/architecture.md#rules), from handoff_tables.MATRIX."""

import pytest
from django.urls import reverse

from handoffs import services
from handoffs.models import HandoffEvent
from tests.sessions_app.factories import SessionFactory

from . import handoff_tables
from .endpoints import api_endpoints
from .handoff_tables import MATRIX, A, E, V

handoff_targets = handoff_tables.handoff_targets  # the fixture, used here by name

HANDOFF_ROUTE_NAMES = {name for name, _ in MATRIX}


def _url(name, targets):
    return reverse(name, args=[targets[name]]) if name in targets else reverse(name)


def test_every_escalation_endpoint_has_a_row():
    routed = {(name, method) for name, method, _, _ in api_endpoints()
              if name in HANDOFF_ROUTE_NAMES or name.startswith(("handoff-", "baselinesample-"))}
    assert routed == set(MATRIX)


@pytest.mark.parametrize("role", [V, E, A])
@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=str)
def test_role_gets_the_status_the_table_says(api, personas, handoff_targets, role, name, method):
    user = {V: personas["viewer"], E: personas["engineer"], A: personas["admin"]}[role]
    expected, body = MATRIX[(name, method)]
    response = getattr(api.as_user(user), method)(_url(name, handoff_targets), body, format="json")
    assert response.status_code == expected[role], response.content
    if response.status_code == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=str)
def test_anonymous_callers_are_told_to_authenticate(api, handoff_targets, name, method):
    response = getattr(api, method)(_url(name, handoff_targets), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=str)
def test_platform_staff_without_an_account_are_refused(api, handoff_targets, name, method):
    from tests.factories import UserFactory

    staff = UserFactory(account=None, is_staff=True, role="admin")
    response = getattr(api.as_user(staff), method)(_url(name, handoff_targets), {}, format="json")
    assert response.status_code == 403


def test_a_viewer_cannot_pick_up_and_nothing_is_recorded(api, viewer, handoff_targets):
    response = api.as_user(viewer).post(reverse("handoff-claim", args=[handoff_targets["handoff-claim"]]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not HandoffEvent.unscoped.filter(kind="claimed", handoff_id=handoff_targets["handoff-claim"]).exists()


@pytest.mark.parametrize("who", ["owner", "escalator"])
def test_the_requester_and_the_escalator_cannot_pick_up_their_own_escalation(api, engineer, senior, northwind, who):
    session = SessionFactory(account=northwind, owner=engineer)
    # Jamie's session: escalated by Jamie himself, or by Sam for him (peer escalation).
    actor = engineer if who == "owner" else senior
    handoff = services.handoff_escalate(note="Stuck on it", session=session, actor=actor)
    for person in {engineer, actor}:
        response = api.as_user(person).post(reverse("handoff-claim", args=[handoff.pk]))
        assert response.status_code == 403
        assert response.json()["code"] == "own_escalation"


def test_someone_elses_claim_is_refused_to_a_bystander(api, northwind, handoff_targets):
    from tests.factories import UserFactory

    bystander = UserFactory(account=northwind, role="engineer")
    bodies = {"release": {}, "return": {"note": "x"}, "resolve": {"resolution": "x"}}
    for action, body in bodies.items():
        response = api.as_user(bystander).post(reverse(f"handoff-{action}", args=[handoff_targets["handoff-release"]]),
                                               body, format="json")
        assert response.status_code == 403, action
        assert response.json()["code"] == "permission_denied"
