"""Days as an account sees them: where a local calendar day starts and ends.

A date in a filter, a report or a range means that day in the account's time zone, from its
first real instant to the next day's. Local midnight does not always exist: where clocks
jump forward at midnight (America/Santiago on 2026-09-06 goes from 23:59:59 to 01:00) the
day starts at 01:00, and building ``datetime(…, 0, 0, tzinfo=zone)`` names an instant that
is not on that day's wall clock. These helpers find the first instant that is.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def zone_of(tz) -> tzinfo:
    """``tz`` as a tzinfo: a ZoneInfo/tzinfo is returned as is, a name (``"Europe/London"``)
    is looked up. Raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown name."""
    return zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz


def _exists(naive: datetime, zone: tzinfo) -> bool:
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def day_start(day: date, tz) -> datetime:
    """The first instant of ``day`` on the wall clocks of ``tz`` (a tzinfo or a zone name),
    as an aware datetime in UTC (``.astimezone(zone)`` shows it on the local clock; UTC
    because arithmetic on a datetime in a zone is wall-clock arithmetic, wrong across a jump).

    Usually local midnight; when midnight falls in a gap (clocks jump forward), the instant
    the jump happens, shown as the first wall time after the gap (e.g. 01:00). Where
    midnight happens twice (clocks go back to midnight), the earlier one. Exact to the second.
    """
    zone = zone_of(tz)
    midnight = datetime.combine(day, time.min)
    if _exists(midnight, zone):
        return midnight.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # Midnight is in a gap. fold=1 reads it with the offset after the jump, which lands
    # before the gap (on the previous day); fold=0 with the offset before it, which lands
    # after. The jump lies between: find the first second whose local date is ``day``.
    low = midnight.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = midnight.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if low > high:
        low, high = high, low
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).date() >= day:
            high = middle
        else:
            low = middle
    return high


def day_end(day: date, tz) -> datetime:
    """The first instant after ``day`` (the next day's start, UTC): ranges are half-open,
    ``day_start(first, tz) <= t < day_end(last, tz)``."""
    return day_start(day + timedelta(days=1), tz)


def local_today(tz) -> date:
    """Today's date on the wall clocks of ``tz``."""
    return datetime.now(zone_of(tz)).date()
