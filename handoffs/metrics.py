"""Time to first action (docs/architecture.md#the-product): how long an escalation waits until a senior acts on
it, over a range of days in the account's time zone, compared with the manual baseline."""

import math
import statistics
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from accounts.models import Account
from accounts.timezones import day_end, day_start

from .models import BaselineSample, Handoff


@dataclass(frozen=True)
class Summary:
    count: int
    median_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class FirstActionReport:
    start: date
    end: date
    time_zone: str
    escalations: int  # raised in the range
    awaiting_first_action: int  # of those, not acted on yet (open, or claimed with no action)
    first_action: Summary
    baseline: Summary
    median_change_percent: float | None  # negative: faster than the baseline


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def summarise(minutes: list) -> Summary:
    """Median and 90th percentile (nearest rank: the value 90 % of escalations beat or equal)."""
    if not minutes:
        return Summary(0, None, None)
    ordered = sorted(minutes)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Summary(len(ordered), _round(statistics.median(ordered)), _round(p90))


def default_range(account: Account, *, days: int = 30) -> tuple[date, date]:
    today = datetime.now(zoneinfo.ZoneInfo(account.time_zone)).date()
    return today - timedelta(days=days - 1), today


def time_to_first_action(*, account: Account, start: date, end: date) -> FirstActionReport:
    """Escalations raised from ``start`` to ``end`` inclusive, days as the account sees them."""
    zone = zoneinfo.ZoneInfo(account.time_zone)
    since, until = day_start(start, zone), day_end(end, zone)
    rows = list(Handoff.objects.for_account(account).filter(created_at__gte=since, created_at__lt=until)
                .values_list("created_at", "first_action_at", "status"))
    waits = [(acted - created).total_seconds() / 60 for created, acted, _ in rows if acted is not None]
    awaiting = sum(1 for _, acted, status in rows if acted is None and status in ("open", "claimed"))
    baseline = summarise([Decimal(m) for m in BaselineSample.objects.for_account(account)
                          .values_list("minutes", flat=True)])
    first_action = summarise(waits)
    change = None
    if first_action.median_minutes is not None and baseline.median_minutes:
        change = round((first_action.median_minutes - baseline.median_minutes) / baseline.median_minutes * 100, 1)
    return FirstActionReport(start=start, end=end, time_zone=account.time_zone, escalations=len(rows),
                             awaiting_first_action=awaiting, first_action=first_action, baseline=baseline,
                             median_change_percent=change)
