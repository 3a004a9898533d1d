"""accounts.timezones: a date means that day's first real instant on the account's clocks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.timezones import day_end, day_start


@pytest.mark.parametrize(("zone", "day", "first_instant_utc"), [
    ("UTC", date(2026, 1, 1), datetime(2026, 1, 1, 0, 0, tzinfo=UTC)),
    ("Europe/London", date(2026, 7, 1), datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),  # BST
    ("Europe/London", date(2026, 3, 29), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),  # the jump is at 01:00
    # Midnight does not exist: clocks go from 23:59:59 (-04) to 01:00 (-03).
    ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),
    # Clocks go back at midnight (00:00 -03 → 23:00 -04 the day before): the day starts at 00:00 -04.
    ("America/Santiago", date(2026, 4, 5), datetime(2026, 4, 5, 4, 0, tzinfo=UTC)),
    ("Asia/Tehran", date(2022, 3, 22), datetime(2022, 3, 21, 20, 30, tzinfo=UTC)),  # 00:00 → 01:00 (+04:30)
])
def test_the_day_starts_at_its_first_real_instant(zone, day, first_instant_utc):
    start = day_start(day, zone)
    assert start.astimezone(UTC) == first_instant_utc
    assert start.astimezone(ZoneInfo(zone)).date() == day
    assert (start - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date() == day - timedelta(days=1)


def test_a_day_without_midnight_is_23_hours_long_and_shown_from_01_00():
    start = day_start(date(2026, 9, 6), "America/Santiago")
    assert start.astimezone(ZoneInfo("America/Santiago")).strftime("%H:%M %z") == "01:00 -0300"
    assert day_end(date(2026, 9, 6), "America/Santiago") - start == timedelta(hours=23)


def test_day_end_is_the_next_days_start_and_accepts_a_tzinfo():
    zone = ZoneInfo("Europe/London")
    assert day_end(date(2026, 10, 24), zone) == day_start(date(2026, 10, 25), zone)
    assert day_end(date(2026, 10, 25), zone) - day_start(date(2026, 10, 25), zone) == timedelta(hours=25)
    assert day_start(date(2026, 10, 25), zone).tzinfo is UTC
