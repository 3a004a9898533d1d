"""Another account's escalations do not exist for you: 404 on every object route (and the
object unchanged), absent from every list, never counted in metrics."""

import json

import pytest
from django.urls import reverse

from handoffs.models import BaselineSample, Handoff, HandoffEvent
from sessions_app.models import TroubleshootingSession

from . import handoff_tables
from .endpoints import api_object_routes
from .handoff_tables import MATRIX, OBJECT_ROUTES

# The fixtures, used here by name.
handoff_targets = handoff_tables.handoff_targets
handoff_foreign = handoff_tables.handoff_foreign


def test_every_escalation_object_route_is_in_the_table():
    ours = {(name, method) for name, method in api_object_routes()
            if name.startswith(("handoff-", "baselinesample-")) or name == "session-handoff"}
    assert ours == set(OBJECT_ROUTES)


def _snapshot(obj):
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


@pytest.mark.parametrize(("name", "method"), list(OBJECT_ROUTES), ids=str)
@pytest.mark.parametrize("who", ["admin_user", "engineer"])
def test_a_foreign_object_is_not_found_and_unchanged(api, request, handoff_foreign, name, method, who):
    target = handoff_foreign[name]
    before = _snapshot(target)
    events_before = HandoffEvent.unscoped.count()
    handoffs_before = Handoff.unscoped.count()
    response = getattr(api.as_user(request.getfixturevalue(who)), method)(
        reverse(name, args=[target.pk]), OBJECT_ROUTES[(name, method)], format="json")
    if who == "engineer" and MATRIX[(name, method)][0]["engineer"] == 403:
        # The role is refused before any lookup, the same for every id: nothing leaks.
        assert response.status_code == 403
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
    assert _snapshot(target) == before
    assert (HandoffEvent.unscoped.count(), Handoff.unscoped.count()) == (events_before, handoffs_before)


@pytest.mark.parametrize("query", ["", "?status=open&status=claimed&status=resolved&status=returned&status=cancelled",
                                   "?claimed_by=me", "?urgency=high"])
def test_the_queue_shows_only_the_callers_account(api, admin_user, handoff_targets, handoff_foreign, query):
    response = api.as_user(admin_user).get(reverse("handoff-list") + query)
    assert response.status_code == 200
    body = json.dumps(response.json())
    assert "Contoso" not in body and "contoso" not in body
    for obj in handoff_foreign.values():
        assert str(obj.pk) not in body


@pytest.mark.parametrize("query", ["", "?after=0&limit=200"])
def test_the_events_feed_shows_only_the_callers_account(api, admin_user, handoff_targets, handoff_foreign, query):
    response = api.as_user(admin_user).get(reverse("account-events") + query)
    assert response.status_code == 200
    body = response.json()
    ours = HandoffEvent.unscoped.filter(account=admin_user.account)
    assert [e["seq"] for e in body["results"]] == list(ours.order_by("seq").values_list("seq", flat=True))
    text = json.dumps(body)
    assert "Contoso" not in text and "contoso" not in text
    for obj in handoff_foreign.values():
        assert str(obj.pk) not in text


def test_filtering_by_a_foreign_person_finds_nothing(api, admin_user, handoff_targets, handoff_foreign):
    foreign_claimant = handoff_foreign["handoff-release"].claimed_by
    response = api.as_user(admin_user).get(reverse("handoff-list"), {"claimed_by": str(foreign_claimant.pk)})
    assert response.json()["count"] == 0


def test_baseline_and_metrics_see_only_the_callers_account(api, admin_user, handoff_targets, handoff_foreign):
    BaselineSample.unscoped.create(account=handoff_foreign["baselinesample-detail"].account, minutes=999)
    samples = api.as_user(admin_user).get(reverse("baselinesample-list")).json()
    assert [s["minutes"] for s in samples["results"]] == [31.0]
    metrics = api.as_user(admin_user).get(reverse("handoff-metrics")).json()
    assert metrics["baseline"] == {"samples": 1, "median_minutes": 31.0, "p90_minutes": 31.0}
    assert metrics["overall"]["escalations"] == Handoff.unscoped.filter(account=admin_user.account).count()
    listed = {p["id"] for p in metrics["pending"]}
    assert listed and not listed & {str(obj.pk) for obj in handoff_foreign.values()}


def test_a_foreign_session_cannot_be_escalated_by_sending_its_id(api, engineer, handoff_foreign):
    session = handoff_foreign["session-handoff"]
    response = api.as_user(engineer).post(reverse("session-handoff", args=[session.pk]), {}, format="json")
    assert response.status_code == 404
    assert TroubleshootingSession.unscoped.get(pk=session.pk).status == "active"
    assert not Handoff.unscoped.filter(session=session).exists()
