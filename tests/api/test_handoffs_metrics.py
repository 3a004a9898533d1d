"""Time to first action against the manual baseline, and the baseline samples themselves."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs.metrics import summarise
from handoffs.models import BaselineSample, Handoff
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

LONDON = ZoneInfo("Europe/London")


def escalation(account, created_at, acted_after_minutes=None, status="claimed"):
    """A handoff row as it would be after the services ran, placed at a given time."""
    owner = UserFactory(account=account)
    session = SessionFactory(account=account, owner=owner, status="escalated" if status in ("open", "claimed")
                             else "active")
    claimant = UserFactory(account=account)
    fields = {"status": status}
    if status == "claimed":
        fields.update(claimed_by=claimant, claimed_at=created_at)
    if acted_after_minutes is not None:
        fields.update(first_action_at=created_at + timedelta(minutes=acted_after_minutes), first_action_kind="note")
    return Handoff.unscoped.create(account=account, session=session, requested_by=owner, handed_off_by=owner,
                                   created_at=created_at, **fields)


@pytest.fixture
def london(northwind):
    northwind.time_zone = "Europe/London"
    northwind.save(update_fields=["time_zone"])
    return northwind


def metrics(api, user, **params):
    response = api.as_user(user).get(reverse("handoff-metrics"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_median_and_p90_use_the_nearest_rank():
    assert summarise([]).count == 0 and summarise([]).median_minutes is None
    result = summarise([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert (result.count, result.median_minutes, result.p90_minutes) == (10, 5.5, 9.0)
    assert summarise([7]).p90_minutes == 7.0


def test_time_to_first_action_over_a_range_compared_with_the_baseline(api, viewer, london):
    day = datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
    for minutes in (4, 6, 8, 10, 30):
        escalation(london, day, acted_after_minutes=minutes)
    escalation(london, day, acted_after_minutes=None, status="open")  # still waiting
    escalation(london, day - timedelta(days=20), acted_after_minutes=1)  # outside the range
    for minutes in (20, 30, 40):
        BaselineSample.unscoped.create(account=london, minutes=minutes)
    body = metrics(api, viewer, start="2026-11-01", end="2026-11-30")
    assert body["first_action"] == {"count": 5, "median_minutes": 8.0, "p90_minutes": 30.0}
    assert body["baseline"] == {"count": 3, "median_minutes": 30.0, "p90_minutes": 40.0}
    assert body["escalations"] == 6 and body["awaiting_first_action"] == 1
    assert body["median_change_percent"] == pytest.approx(-73.3)
    assert (body["start"], body["end"], body["time_zone"]) == ("2026-11-01", "2026-11-30", "Europe/London")


def test_days_are_the_accounts_days(api, viewer, london):
    # 23:30 in London on 31 October (GMT) is still 31 October there, though not in Auckland.
    late = datetime(2026, 10, 31, 23, 30, tzinfo=LONDON)
    escalation(london, late, acted_after_minutes=5)
    assert metrics(api, viewer, start="2026-11-01", end="2026-11-01")["first_action"]["count"] == 0
    assert metrics(api, viewer, start="2026-10-31", end="2026-10-31")["first_action"]["count"] == 1


def test_the_default_range_is_the_last_30_days(api, viewer, london):
    escalation(london, timezone.now() - timedelta(days=2), acted_after_minutes=12)
    escalation(london, timezone.now() - timedelta(days=45), acted_after_minutes=1)
    body = metrics(api, viewer)
    today = timezone.now().astimezone(LONDON).date()
    assert body["end"] == today.isoformat()
    assert date.fromisoformat(body["start"]) == today - timedelta(days=29)
    assert body["first_action"]["count"] == 1 and body["median_change_percent"] is None


@pytest.mark.parametrize("params", [{"start": "2026-11-10", "end": "2026-11-01"}, {"start": "soon"},
                                    {"start": "2024-01-01", "end": "2026-01-01"}])
def test_a_bad_range_is_a_400(api, viewer, params):
    response = api.as_user(viewer).get(reverse("handoff-metrics"), params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


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


def test_a_sample_defaults_to_today_in_the_accounts_time_zone(api, admin_user, london):
    body = api.as_user(admin_user).post(reverse("baselinesample-list"), {"minutes": 12}, format="json").json()
    assert body["measured_on"] == timezone.now().astimezone(LONDON).date().isoformat()


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
