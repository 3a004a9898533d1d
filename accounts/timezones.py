"""Days in an account's time zone, as instants.

A date on a page, in an API filter or in a report means a day as the account sees it. Its
start is the first instant whose local date is that day: usually local midnight, but where a
daylight-saving change skips midnight (America/Santiago on 2026-09-06 goes from 23:59:59 to
01:00) it is the instant the clock jumped, and where midnight happens twice (Atlantic/Azores
on 2026-10-25) it is the first of the two. Every date filter and report uses these helpers.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo

# Aware datetimes near the ends of datetime's range cannot be moved to UTC; days this far
# out are refused as values rather than overflowing deep inside a query.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)


class OutOfRange(ValueError):
    """A date or time too far in the past or future to be an instant (before 0001-01-02 or
    after 9999-12-30)."""


def zone_of(tz) -> tzinfo:
    """``tz`` as a tzinfo: a ZoneInfo/tzinfo is returned as is, a name (``"Europe/London"``)
    is looked up. Raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown name."""
    return zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz


def _check_day(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(f"{day.isoformat()} is out of range: use a day from {FIRST_DAY} to {LAST_DAY}.")


def _is_real(naive: datetime, tz: tzinfo, fold: int) -> bool:
    """Whether the wall time exists in ``tz`` (a wall time skipped by a jump does not round-trip)."""
    aware = naive.replace(tzinfo=tz, fold=fold)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def _first_instant_on_or_after(day: date, tz: tzinfo) -> datetime:
    midnight = datetime.combine(day, time.min)
    if _is_real(midnight, tz, 0):
        # fold=0 is the earlier of a repeated wall time: the first midnight.
        return midnight.replace(tzinfo=tz, fold=0).astimezone(UTC)
    # Midnight falls in a gap. Both readings of it bracket the jump; the jump instant is the
    # first one whose local date is ``day``. Transitions fall on whole seconds.
    readings = sorted(midnight.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))
    low, high = readings[0], readings[1]
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).date() >= day:
            high = middle
        else:
            low = middle
    return high if low.astimezone(tz).date() < day else low


def day_start(day: date, tz: tzinfo) -> datetime:
    """The first real instant of ``day`` in ``tz``, as an aware datetime in UTC.

    ``tz`` is a ``zoneinfo.ZoneInfo`` (any ``tzinfo``, or a zone name). Raises ``OutOfRange`` (a
    ``ValueError``; API code ``invalid_filter``/``invalid``) for days outside
    0001-01-02..9999-12-30.
    """
    _check_day(day)
    return _first_instant_on_or_after(day, zone_of(tz))


def day_end(day: date, tz: tzinfo) -> datetime:
    """The instant ``day`` ends in ``tz``: the start of the next day, exclusive (UTC, aware).

    Use ``created_at < day_end(...)``. Raises ``OutOfRange`` like ``day_start``.
    """
    _check_day(day)
    return _first_instant_on_or_after(day + timedelta(days=1), zone_of(tz))


def local_instant(naive: datetime, tz: tzinfo) -> datetime:
    """A wall time without an offset, read in ``tz``, as an aware UTC datetime.

    A repeated wall time means its first occurrence; a wall time skipped by a jump means the
    instant after the jump that many seconds in (what a clock set before the change would
    show), never an error. Raises ``OutOfRange`` near the ends of the datetime range.
    """
    _check_day(naive.date())
    tz = zone_of(tz)
    if _is_real(naive, tz, 0):
        return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    readings = [naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    return max(readings)


def bounded_instant(value: datetime) -> datetime:
    """An aware datetime as UTC, refusing ones that cannot be (``OutOfRange``)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise OutOfRange(f"{value.isoformat()} is out of range.") from None


def local_today(tz) -> date:
    """Today's date on the wall clocks of ``tz`` (a tzinfo or a zone name)."""
    return datetime.now(zone_of(tz)).date()
