"""Days in an account's time zone (issue 8, kind 2): one helper for every date filter and
report, on days whose midnight is skipped (America/Santiago 2026-09-06, Atlantic/Azores
2026-03-29) or happens twice (Atlantic/Azores 2026-10-25, America/Havana 2026-11-01)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.timezones import OutOfRange, day_end, day_start, local_instant
from tests.handoffs.escalations import escalated
from tests.sessions_app.factories import SessionFactory

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "day", "start", "end"), [
    # midnight skipped: the clock goes from 23:59:59 -04 to 01:00 -03
    ("America/Santiago", dt.date(2026, 9, 6), utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)),
    ("Atlantic/Azores", dt.date(2026, 3, 29), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0)),
    ("America/Havana", dt.date(2026, 3, 8), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
    # midnight twice: the day starts at the first one
    ("Atlantic/Azores", dt.date(2026, 10, 25), utc(2026, 10, 25, 0), utc(2026, 10, 26, 1)),
    ("America/Havana", dt.date(2026, 11, 1), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
    # an ordinary day, and one that lost its hour after midnight
    ("Europe/Berlin", dt.date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
    ("UTC", dt.date(2026, 1, 1), utc(2026, 1, 1), utc(2026, 1, 2)),
])
def test_a_day_starts_at_its_first_real_instant_and_ends_where_the_next_starts(zone, day, start, end):
    tz = ZoneInfo(zone)
    assert day_start(day, tz) == start
    assert day_end(day, tz) == end
    assert day_start(day, tz).astimezone(tz).date() == day
    # one second earlier is still the day before: nothing of the day is skipped
    assert (day_start(day, tz) - dt.timedelta(seconds=1)).astimezone(tz).date() < day


def test_a_day_removed_from_the_calendar_is_empty():
    tz = ZoneInfo("Pacific/Apia")  # 2011-12-30 never happened in Samoa
    assert day_start(dt.date(2011, 12, 30), tz) == day_end(dt.date(2011, 12, 30), tz)


def test_a_skipped_wall_time_means_the_instant_after_the_jump():
    tz = ZoneInfo("America/Santiago")
    assert local_instant(dt.datetime(2026, 9, 6, 0, 30), tz) == utc(2026, 9, 6, 4, 30)


def test_a_repeated_wall_time_means_its_first_occurrence():
    tz = ZoneInfo("Atlantic/Azores")
    assert local_instant(dt.datetime(2026, 10, 25, 0, 30), tz) == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_days_at_the_ends_of_the_calendar_are_refused(day):
    with pytest.raises(OutOfRange):
        day_start(day, ZoneInfo("Pacific/Kiritimati"))
    with pytest.raises(OutOfRange):
        day_end(day, ZoneInfo("Pacific/Kiritimati"))


# ---- every date filter uses it ----------------------------------------------------------------


@pytest.fixture
def santiago(northwind):
    northwind.time_zone = "America/Santiago"
    northwind.save()
    return northwind


def test_the_issue_instance_sessions_created_after_a_day_without_midnight(api, engineer, santiago):
    SessionFactory(account=santiago, owner=engineer, title="Late Saturday", created_at=utc(2026, 9, 6, 3, 59))
    SessionFactory(account=santiago, owner=engineer, title="First minute of Sunday", created_at=utc(2026, 9, 6, 4))
    response = api.as_user(engineer).get(reverse("session-list"), {"created_after": "2026-09-06"})
    assert response.status_code == 200, response.content
    assert [row["title"] for row in response.json()["results"]] == ["First minute of Sunday"]
    before = api.as_user(engineer).get(reverse("session-list"), {"created_before": "2026-09-06"}).json()
    assert [row["title"] for row in before["results"]] == ["Late Saturday"]


def test_sessions_created_on_a_day_whose_midnight_happens_twice(api, engineer, northwind):
    northwind.time_zone = "Atlantic/Azores"
    northwind.save()
    SessionFactory(account=northwind, owner=engineer, title="First 00:30", created_at=utc(2026, 10, 25, 0, 30))
    SessionFactory(account=northwind, owner=engineer, title="Saturday", created_at=utc(2026, 10, 24, 23, 30))
    response = api.as_user(engineer).get(reverse("session-list"), {"created_after": "2026-10-25"})
    assert [row["title"] for row in response.json()["results"]] == ["First 00:30"]


def test_the_queue_filters_by_days_in_the_accounts_time_zone(api, engineer, viewer, santiago):
    early = escalated(santiago, engineer, title="Before the jump")
    late = escalated(santiago, engineer, title="After the jump")
    type(early).objects.for_account(santiago).filter(pk=early.pk).update(created_at=utc(2026, 9, 6, 3, 59))
    type(late).objects.for_account(santiago).filter(pk=late.pk).update(created_at=utc(2026, 9, 6, 4))
    response = api.as_user(viewer).get(reverse("handoff-list"), {"created_after": "2026-09-06"})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [str(late.pk)]
    response = api.as_user(viewer).get(reverse("handoff-list"), {"created_before": "2026-09-06"})
    assert [row["id"] for row in response.json()["results"]] == [str(early.pk)]


def test_metrics_count_a_day_without_midnight_from_its_first_instant(api, engineer, viewer, santiago):
    inside = escalated(santiago, engineer, title="Sunday")
    outside = escalated(santiago, engineer, title="Saturday night")
    model = type(inside)
    model.objects.for_account(santiago).filter(pk=inside.pk).update(created_at=utc(2026, 9, 6, 4))
    model.objects.for_account(santiago).filter(pk=outside.pk).update(created_at=utc(2026, 9, 6, 3, 59))
    response = api.as_user(viewer).get(reverse("handoff-metrics"), {"since": "2026-09-06", "until": "2026-09-06"})
    assert response.status_code == 200, response.content
    assert response.json()["overall"]["escalations"] == 1
