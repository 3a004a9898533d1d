"""``GET /api/v1/metrics/``: the same figures as the page, one JSON type per number, and the
baseline samples' own endpoints."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs import metrics as handoff_metrics
from handoffs.models import BaselineSample, Handoff
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

LONDON = ZoneInfo("Europe/London")


def escalation(account, created_at, *, picked_after=None, acted_after=None, status="claimed"):
    """A handoff row as the services leave it, placed at a given time (minutes after it)."""
    owner = UserFactory(account=account)
    session = SessionFactory(account=account, owner=owner, status="escalated" if status in ("open", "claimed")
                             else "active")
    claimant = UserFactory(account=account)
    fields = {"status": status}
    if picked_after is not None:
        picked = created_at + timedelta(minutes=picked_after)
        fields.update(first_claimed_at=picked, first_claimed_by=claimant)
        if status == "claimed":
            fields.update(claimed_by=claimant, claimed_at=picked)
    if acted_after is not None:
        fields.update(first_action_at=created_at + timedelta(minutes=acted_after), first_action_kind="note",
                      first_action_by=claimant)
    return Handoff.unscoped.create(account=account, session=session, requested_by=owner, handed_off_by=owner,
                                   created_at=created_at, **fields)


@pytest.fixture
def london(northwind):
    northwind.time_zone = "Europe/London"
    northwind.save(update_fields=["time_zone"])
    return northwind


def get_metrics(api, user, **params):
    response = api.as_user(user).get(reverse("handoff-metrics"), params)
    assert response.status_code == 200, response.content
    return response


def test_a_viewer_reads_the_figures_over_a_range(api, viewer, london):
    day = datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
    for minutes in (4, 6, 8, 10, 30):
        escalation(london, day, picked_after=1, acted_after=minutes)
    escalation(london, day, status="open")  # still waiting: pending, not zero
    escalation(london, day, status="cancelled")  # left out
    escalation(london, day - timedelta(days=20), picked_after=1, acted_after=1)  # outside the range
    for minutes in (20, 30, 40):
        BaselineSample.unscoped.create(account=london, minutes=minutes)
    body = get_metrics(api, viewer, since="2026-11-01", until="2026-11-30").json()
    assert (body["since"], body["until"], body["time_zone"]) == ("2026-11-01", "2026-11-30", "Europe/London")
    overall = body["overall"]
    assert overall["escalations"] == 6 and body["cancelled_excluded"] == 1
    assert overall["first_action"] == {"count": 5, "median_minutes": 8.0, "p90_minutes": 30.0, "pending": 1,
                                       "closed_without": 0}
    assert overall["pick_up"] == {"count": 5, "median_minutes": 1.0, "p90_minutes": 1.0, "pending": 1,
                                  "closed_without": 0}
    assert body["baseline"] == {"samples": 3, "median_minutes": 30.0, "p90_minutes": 40.0}
    improvement = overall["improvement"]
    assert (improvement["minutes"], improvement["percent"], improvement["thin"]) == (22.0, 73.3, True)
    assert improvement["ci_low_percent"] is None
    assert body["thin_statement"].startswith("Only 5 escalations with a first action")
    assert [p["status"] for p in body["pending"]] == ["open"]
    assert [w["start"] for w in body["weeks"]][:2] == ["2026-11-01", "2026-11-02"]
    assert {g["key"] for g in body["by_urgency"]} == {"normal"}
    assert len(body["by_engineer"]) == 6 and len(body["by_technician"]) == 6


def test_the_api_and_the_selector_give_the_same_figures(api, viewer, london):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    for index in range(12):
        escalation(london, start + timedelta(hours=index), picked_after=index % 4 + 0.25, acted_after=index + 2.5)
    for minutes in (25, 35, 45, 55):
        BaselineSample.unscoped.create(account=london, minutes=minutes)
    body = get_metrics(api, viewer, since="2026-11-01", until="2026-11-30").json()
    report = handoff_metrics.pilot_metrics(account=london, since=date(2026, 11, 1), until=date(2026, 11, 30))
    assert body["headline"] == report.headline
    improvement = report.overall.improvement
    assert body["overall"]["improvement"]["ci_low_percent"] == float(improvement.ci_low_percent)
    assert body["overall"]["improvement"]["ci_high_minutes"] == float(improvement.ci_high_minutes)
    assert "95 % CI" in body["headline"]


def test_every_minutes_figure_is_a_number_with_one_decimal_place(api, viewer, london):
    day = datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
    for minutes in (4, 7):  # an even count: a median of 5.5, never "5.5" or 5
        escalation(london, day, picked_after=2, acted_after=minutes)
    escalation(london, day, picked_after=3, acted_after=5)  # odd count in its own week, too
    BaselineSample.unscoped.create(account=london, minutes=30)
    raw = get_metrics(api, viewer, since="2026-11-01", until="2026-11-30").content.decode()
    figures = re.findall(r'"(\w*(?:minutes|percent))":\s*([^,}\]]+)', raw)
    assert figures, raw
    for name, value in figures:
        assert value == "null" or re.fullmatch(r"-?\d+\.\d", value), (name, value)
    assert '"median_minutes":5.0' in raw.replace(" ", "")


def test_days_are_the_accounts_days(api, viewer, london):
    # 23:30 in London on 31 October (GMT) is 31 October there, whatever UTC or Auckland say.
    escalation(london, datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), picked_after=1, acted_after=5)
    first = get_metrics(api, viewer, since="2026-11-01", until="2026-11-01").json()
    assert first["overall"]["first_action"]["count"] == 0
    last = get_metrics(api, viewer, since="2026-10-31", until="2026-10-31").json()
    assert last["overall"]["first_action"]["count"] == 1


def test_the_default_range_is_the_last_eight_weeks(api, viewer, london):
    escalation(london, timezone.now() - timedelta(days=2), picked_after=1, acted_after=12)
    escalation(london, timezone.now() - timedelta(days=70), picked_after=1, acted_after=1)
    body = get_metrics(api, viewer).json()
    today = timezone.now().astimezone(LONDON).date()
    assert body["until"] == today.isoformat()
    assert date.fromisoformat(body["since"]) == today - timedelta(days=55)
    assert body["overall"]["first_action"]["count"] == 1 and body["overall"]["improvement"] is None


@pytest.mark.parametrize(("params", "code"), [
    ({"since": "2026-11-10", "until": "2026-11-01"}, "invalid_range"),
    ({"since": "2024-12-31", "until": "2026-01-01"}, "invalid_range"),
    ({"since": "soon"}, "invalid"),
    ({"until": "2026-02-30"}, "invalid"),
])
def test_a_bad_range_is_a_400_with_a_code(api, viewer, params, code):
    response = api.as_user(viewer).get(reverse("handoff-metrics"), params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["detail"]


def test_an_admin_records_a_baseline_sample_and_everyone_reads_it(api, admin_user, viewer, london):
    response = api.as_user(admin_user).post(reverse("baselinesample-list"),
                                            {"minutes": 27.5, "note": "T-88, phone round", "measured_on": "2026-10-02"},
                                            format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["minutes"], body["note"], body["measured_on"]) == (27.5, "T-88, phone round", "2026-10-02")
    assert body["recorded_by"]["email"] == admin_user.email
    listed = api.as_user(viewer).get(reverse("baselinesample-list")).json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    figures = get_metrics(api, viewer).json()["baseline"]
    assert figures == {"samples": 1, "median_minutes": 27.5, "p90_minutes": 27.5}


def test_a_sample_defaults_to_today_in_the_accounts_time_zone(api, admin_user, london):
    body = api.as_user(admin_user).post(reverse("baselinesample-list"), {"minutes": 12}, format="json").json()
    assert body["measured_on"] == datetime.now(UTC).astimezone(LONDON).date().isoformat()


@pytest.mark.parametrize("minutes", [-1, 10081, "ten"])
def test_impossible_minutes_are_refused(api, admin_user, minutes):
    response = api.as_user(admin_user).post(reverse("baselinesample-list"), {"minutes": minutes}, format="json")
    assert response.status_code == 400
    assert "minutes" in response.json()["errors"]
    assert not BaselineSample.unscoped.exists()


def test_an_admin_deletes_a_sample(api, admin_user, northwind):
    sample = BaselineSample.unscoped.create(account=northwind, minutes=40)
    response = api.as_user(admin_user).delete(reverse("baselinesample-detail", args=[sample.pk]))
    assert response.status_code == 204
    assert not BaselineSample.unscoped.exists()


def test_the_schema_documents_the_metrics_shape(api, viewer):
    schema = json.loads(api.as_user(viewer).get(reverse("schema"), {"format": "json"}).content)
    operation = schema["paths"]["/api/v1/metrics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"since", "until"}
    group = schema["components"]["schemas"]["Group"]["properties"]
    assert {"pick_up", "first_action", "improvement"} <= set(group)
    minutes = schema["components"]["schemas"]["Measure"]["properties"]["median_minutes"]
    assert minutes["type"] == "number" and minutes.get("nullable") is True
