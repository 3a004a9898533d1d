"""The pilot's figures (issue 10), computed once for the page, the API, the CSV and the
commands.

Definitions (README.md "Pilot metrics" states them the same way):

- **Time to pick-up**: the first claim − the escalation's creation. A release and a second
  claim do not reset it (``Handoff.first_claimed_at``).
- **Time to first action**: ``first_action_at − created_at``; the first action is the first
  thing the engineer holding the claim does inside the session (a message or note, a fact,
  a fix status, a flow answer, resolve, return). A claim alone is not an action.
- **Manual baseline**: the median of the account's baseline samples, all of them.
- Cancelled escalations are left out. Escalations still open, or claimed without an action,
  are *pending*: never counted as zero, listed with their current age. Escalations closed
  without the step (the technician resolved it before anyone acted) are counted apart.

Durations are whole seconds (truncated), medians of seconds, shown as minutes with one
decimal place (half up). The 90th percentile is the nearest rank. Escalations belong to
the range by their creation, in the account's time zone (``accounts.timezones``).
"""

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from accounts.errors import ServiceError
from accounts.models import Account, User
from accounts.timezones import day_end, day_start, local_today, zone_of

from ..models import URGENCY_RANK, BaselineSample, Handoff, HandoffStatus, Urgency

THIN_BELOW = 10  # escalations with a first action; fewer is too thin to claim a difference
BOOTSTRAP_SEED = 20261130
BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = Decimal("0.95")
DEFAULT_DAYS = 56  # eight weeks
MAX_DAYS = 366
ONE_PLACE = Decimal("0.1")


def minutes(seconds) -> Decimal | None:
    """Seconds (int, float or Decimal) as minutes with one decimal place, half up; None stays None."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def one_place(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from ``start`` to ``end`` (truncated); None when either is missing."""
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


def nearest_rank(ordered: list, fraction: float):
    """The value ``fraction`` of the (sorted) values are at or below: nearest rank."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else None


# ---- shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One duration over a set of escalations. ``median``/``p90`` in minutes (one place)."""

    count: int  # escalations measured
    median: Decimal | None
    p90: Decimal | None
    pending: int = 0  # still waiting for this step (open, or claimed without an action)
    closed_without: int = 0  # closed before this step happened (never counted as zero)

    @classmethod
    def of(cls, seconds: list[int], *, pending: int = 0, closed_without: int = 0) -> "Measure":
        ordered = sorted(seconds)
        if not ordered:
            return cls(0, None, None, pending, closed_without)
        return cls(len(ordered), minutes(statistics.median(ordered)), minutes(nearest_rank(ordered, 0.9)),
                   pending, closed_without)


@dataclass(frozen=True)
class Baseline:
    samples: int
    median: Decimal | None  # minutes
    p90: Decimal | None
    median_seconds: Decimal | None  # for the comparison, before rounding


@dataclass(frozen=True)
class Improvement:
    """The median time to first action against the baseline median. Positive is faster."""

    baseline_median: Decimal  # minutes
    minutes: Decimal  # baseline median − median time to first action
    percent: Decimal  # of the baseline median
    ci_low_percent: Decimal | None  # 95 % bootstrap interval; None when thin
    ci_high_percent: Decimal | None
    ci_low_minutes: Decimal | None
    ci_high_minutes: Decimal | None
    escalations: int  # the escalations it rests on (with a first action)
    samples: int  # the baseline samples it rests on
    thin: bool


@dataclass(frozen=True)
class Row:
    """One escalation as the figures see it (also a line of the CSV)."""

    id: str
    created_at: datetime
    urgency: str
    status: str
    technician_id: str
    technician: str
    engineer_id: str | None
    engineer: str  # who made the first action, else who holds or first held the claim
    picked_up_at: datetime | None
    picked_up_by: str
    pick_up_seconds: int | None
    first_action_at: datetime | None
    first_action_kind: str
    first_action_by: str
    first_action_seconds: int | None
    age_seconds: int | None  # pending escalations only: how long it has waited so far

    @property
    def live(self) -> bool:
        return self.status in (HandoffStatus.OPEN, HandoffStatus.CLAIMED)

    @property
    def pending_pick_up(self) -> bool:
        return self.live and self.picked_up_at is None

    @property
    def pending_action(self) -> bool:
        return self.live and self.first_action_at is None


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    escalations: int
    pick_up: Measure
    first_action: Measure
    improvement: Improvement | None


@dataclass(frozen=True)
class Week:
    start: date  # a Monday, or the range's first day
    end: date  # inclusive
    escalations: int
    pick_up: Measure
    first_action: Measure


@dataclass
class Report:
    account: Account
    since: date
    until: date
    time_zone: str
    generated_at: datetime
    baseline: Baseline
    overall: Group
    cancelled: int
    headline: str
    thin_statement: str | None
    weeks: list[Week] = field(default_factory=list)
    by_urgency: list[Group] = field(default_factory=list)
    by_engineer: list[Group] = field(default_factory=list)
    by_technician: list[Group] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def pending(self) -> list[Row]:
        """Live escalations still waiting for a first action, the longest waiting first."""
        return sorted((row for row in self.rows if row.pending_action), key=lambda row: -(row.age_seconds or 0))


# ---- the range --------------------------------------------------------------------------------


def metrics_range(*, account: Account, since: date | None = None, until: date | None = None) -> tuple[date, date]:
    """The days a report covers, inclusive, in the account's time zone. Defaults: ``until``
    today, ``since`` eight weeks back (56 days including ``until``).

    Raises ``ServiceError`` 400 ``invalid_range`` when ``since`` is after ``until`` or the
    range is longer than 366 days."""
    until = until or local_today(account.time_zone)
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ServiceError("The first day (since) must be on or before the last (until).", code="invalid_range",
                           extra={"since": since.isoformat(), "until": until.isoformat()})
    if (until - since).days >= MAX_DAYS:
        raise ServiceError(f"A range covers at most {MAX_DAYS} days.", code="invalid_range",
                           extra={"since": since.isoformat(), "until": until.isoformat()})
    return since, until


# ---- the computation --------------------------------------------------------------------------


def baseline_of(*, account: Account) -> Baseline:
    values = sorted(Decimal(m) * 60 for m in BaselineSample.objects.for_account(account)
                    .values_list("minutes", flat=True))
    if not values:
        return Baseline(0, None, None, None)
    median_seconds = statistics.median(values)
    return Baseline(len(values), minutes(median_seconds), minutes(nearest_rank(values, 0.9)), median_seconds)


def resampled_median(ordered: list, rng: random.Random):
    """The median of one bootstrap resample (``len(ordered)`` draws with replacement) of the
    sorted values, drawn in O(1): the k-th smallest of n uniform draws follows Beta(k, n − k + 1),
    and the resample's k-th smallest value is ``ordered[floor(n · that)]``, so this has exactly
    the distribution of resampling and taking the median. For an even n the next order
    statistic is the smallest of the n − k draws above it."""
    n = len(ordered)
    k = (n + 1) // 2
    u = rng.betavariate(k, n - k + 1)
    lower = ordered[min(n - 1, int(u * n))]
    if n % 2:
        return lower
    u_next = u + (1 - u) * (1 - rng.random() ** (1 / (n - k)))  # Beta(1, n − k), in closed form
    return (lower + ordered[min(n - 1, int(u_next * n))]) / 2


def baseline_resamples(baseline: list[Decimal], *, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> list[float]:
    """The baseline's resampled medians (seconds), drawn once per report and shared by every
    group's interval (the baseline is the same for all of them)."""
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible statistics, not secrets
    ordered = sorted(float(b) for b in baseline)
    return [resampled_median(ordered, rng) for _ in range(resamples)] if ordered else []


def _bootstrap(times: list[int], baseline_medians: list[float], *, seed: int):
    """95 % percentile interval of the median improvement, resampling both the escalations
    and the baseline samples with replacement (``baseline_medians``: one resampled baseline
    median per resample). Returns ((low %, high %), (low min, high min)), or None."""
    rng = random.Random(seed)  # noqa: S311 - reproducible statistics, not secrets
    percents, minutes_ = [], []
    ordered_t = sorted(float(t) for t in times)
    for median_b in baseline_medians:
        median_t = resampled_median(ordered_t, rng)
        if median_b <= 0:
            continue
        minutes_.append((median_b - median_t) / 60)
        percents.append((median_b - median_t) / median_b * 100)
    if not percents:
        return None
    percents.sort()
    minutes_.sort()
    tail = (1 - float(CONFIDENCE)) / 2

    def interval(values):
        return (one_place(values[int(tail * len(values))]), one_place(values[math.ceil((1 - tail) * len(values)) - 1]))

    return interval(percents), interval(minutes_)


def _improvement(action_seconds: list[int], baseline: Baseline, baseline_medians: list[float], *,
                 seed: int) -> Improvement | None:
    if not action_seconds or not baseline.samples or not baseline.median_seconds:
        return None
    median_t = Decimal(str(statistics.median(action_seconds)))
    saved = baseline.median_seconds - median_t
    thin = len(action_seconds) < THIN_BELOW
    ci = None if thin else _bootstrap(action_seconds, baseline_medians, seed=seed)
    (low_p, high_p), (low_m, high_m) = ci if ci else ((None, None), (None, None))
    return Improvement(baseline_median=baseline.median, minutes=minutes(saved),
                       percent=one_place(saved / baseline.median_seconds * 100),
                       ci_low_percent=low_p, ci_high_percent=high_p, ci_low_minutes=low_m, ci_high_minutes=high_m,
                       escalations=len(action_seconds), samples=baseline.samples, thin=thin)


def _group(key: str, label: str, rows: list[Row], baseline: Baseline, baseline_medians: list[float], *,
           seed: int) -> Group:
    pick_up = [row.pick_up_seconds for row in rows if row.pick_up_seconds is not None]
    action = [row.first_action_seconds for row in rows if row.first_action_seconds is not None]
    return Group(
        key=key, label=label, escalations=len(rows),
        pick_up=Measure.of(pick_up, pending=sum(row.pending_pick_up for row in rows),
                           closed_without=sum(not row.live and row.picked_up_at is None for row in rows)),
        first_action=Measure.of(action, pending=sum(row.pending_action for row in rows),
                                closed_without=sum(not row.live and row.first_action_at is None for row in rows)),
        improvement=_improvement(action, baseline, baseline_medians, seed=seed),
    )


FIELDS = ("id", "created_at", "urgency", "status", "requested_by_id", "claimed_by_id", "first_claimed_at",
          "first_claimed_by_id", "first_action_at", "first_action_kind", "first_action_by_id")


def _row(handoff: dict, names: dict, now: datetime) -> Row:
    """One escalation's row from its ``FIELDS`` values and the account's names by user id."""
    engineer_id = handoff["first_action_by_id"] or handoff["claimed_by_id"] or handoff["first_claimed_by_id"]
    live = handoff["status"] in (HandoffStatus.OPEN, HandoffStatus.CLAIMED)
    created, picked, acted = handoff["created_at"], handoff["first_claimed_at"], handoff["first_action_at"]
    return Row(
        id=str(handoff["id"]), created_at=created, urgency=handoff["urgency"], status=handoff["status"],
        technician_id=str(handoff["requested_by_id"]), technician=names.get(handoff["requested_by_id"], ""),
        engineer_id=str(engineer_id) if engineer_id else None, engineer=names.get(engineer_id, ""),
        picked_up_at=picked, picked_up_by=names.get(handoff["first_claimed_by_id"], ""),
        pick_up_seconds=seconds_between(created, picked),
        first_action_at=acted, first_action_kind=handoff["first_action_kind"],
        first_action_by=names.get(handoff["first_action_by_id"], ""),
        first_action_seconds=seconds_between(created, acted),
        age_seconds=seconds_between(created, now) if live and acted is None else None,
    )


def _weeks(rows: list[Row], since: date, until: date, zone) -> list[Week]:
    """Monday-to-Sunday weeks of the account's calendar, clipped to the range."""
    by_week = defaultdict(list)
    for row in rows:
        day = row.created_at.astimezone(zone).date()
        by_week[day - timedelta(days=day.weekday())].append(row)
    weeks = []
    monday = since - timedelta(days=since.weekday())
    while True:
        chunk = by_week.get(monday, [])
        weeks.append(Week(
            start=max(monday, since), end=until if (until - monday).days < 7 else monday + timedelta(days=6),
            escalations=len(chunk),
            pick_up=Measure.of([r.pick_up_seconds for r in chunk if r.pick_up_seconds is not None]),
            first_action=Measure.of([r.first_action_seconds for r in chunk if r.first_action_seconds is not None]),
        ))
        if (until - monday).days < 7:  # the last week (also where a further Monday would not exist)
            return weeks
        monday += timedelta(days=7)


def _fmt(value: Decimal | None) -> str:
    """Minutes for a sentence: "4", "4.5"."""
    if value is None:
        return "–"
    return f"{value:.1f}".removesuffix(".0")


def _headline(overall: Group, baseline: Baseline) -> tuple[str, str | None]:
    measured = overall.first_action.count
    if not measured:
        text = "No escalation in this range has had a first action yet"
        if overall.first_action.pending:
            text += f" ({overall.first_action.pending} pending)"
        return text + ".", f"Too few escalations to compare with the baseline: 0 of the {THIN_BELOW} needed."
    median = overall.first_action.median
    text = f"Median time to first action {_fmt(median)} min"
    if not baseline.samples:
        return (text + f", from {measured} escalation{'s' * (measured != 1)}; no baseline samples recorded yet.",
                None if measured >= THIN_BELOW else
                f"Only {measured} escalation{'s' * (measured != 1)} with a first action: too few to claim a "
                f"difference ({THIN_BELOW} needed).")
    improvement = overall.improvement
    text += f" vs {_fmt(baseline.median)} min baseline"
    if improvement is not None:
        percent = abs(improvement.percent).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        text += f", {percent} % {'faster' if improvement.percent >= 0 else 'slower'}"
        if improvement.ci_low_percent is not None:
            low = improvement.ci_low_percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            high = improvement.ci_high_percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            text += f" (95 % CI {low}–{high} %)"
    text += (f", from {measured} escalation{'s' * (measured != 1)} and {baseline.samples} baseline "
             f"sample{'s' * (baseline.samples != 1)}.")
    thin = None
    if measured < THIN_BELOW:
        thin = (f"Only {measured} escalation{'s' * (measured != 1)} with a first action: too few to claim a "
                f"difference from the baseline ({THIN_BELOW} needed).")
    return text, thin


def pilot_metrics(*, account: Account, since: date | None = None, until: date | None = None,
                  now: datetime | None = None, seed: int = BOOTSTRAP_SEED) -> Report:
    """The pilot's figures for escalations of ``account`` raised from ``since`` to ``until``
    inclusive (dates in the account's time zone; defaults as ``metrics_range``).

    Returns a ``Report``: the overall ``Group`` (counts, median and p90 of time to pick-up
    and time to first action in minutes, pending and closed-without counts, the improvement
    against the baseline median in minutes and percent with its 95 % bootstrap interval),
    the same per urgency, per engineer and per technician, weekly medians, the rows behind
    them and the headline sentence. Raises ``ServiceError`` 400 ``invalid_range``."""
    since, until = metrics_range(account=account, since=since, until=until)
    zone = zone_of(account.time_zone)
    now = now or timezone.now()
    handoffs = list(
        Handoff.objects.for_account(account)
        .filter(created_at__gte=day_start(since, zone), created_at__lt=day_end(until, zone))
        .order_by("created_at", "pk").values(*FIELDS))
    counted = [h for h in handoffs if h["status"] != HandoffStatus.CANCELLED]
    names = {user.pk: user.name for user in User.objects.filter(account=account).only("display_name", "email")}
    rows = [_row(h, names, now) for h in counted]
    baseline = baseline_of(account=account)
    baseline_seconds = sorted(Decimal(m) * 60 for m in BaselineSample.objects.for_account(account)
                              .values_list("minutes", flat=True))
    baseline_medians = baseline_resamples(baseline_seconds, seed=seed)
    overall = _group("all", "All escalations", rows, baseline, baseline_medians, seed=seed)
    headline, thin = _headline(overall, baseline)

    def breakdown(key_of, label_of, order):
        buckets = defaultdict(list)
        for row in rows:
            buckets[key_of(row)].append(row)
        groups = [_group(key, label_of(key, members), members, baseline, baseline_medians, seed=seed)
                  for key, members in buckets.items()]
        return sorted(groups, key=order)

    urgency_labels = dict(Urgency.choices)
    return Report(
        account=account, since=since, until=until, time_zone=account.time_zone, generated_at=now,
        baseline=baseline, overall=overall, cancelled=len(handoffs) - len(counted), headline=headline,
        thin_statement=thin, weeks=_weeks(rows, since, until, zone), rows=rows,
        by_urgency=breakdown(lambda r: r.urgency, lambda key, _: urgency_labels.get(key, key),
                             lambda g: URGENCY_RANK.get(g.key, 9)),
        by_engineer=breakdown(lambda r: r.engineer_id or "", lambda key, m: m[0].engineer or "Not picked up yet",
                              lambda g: (g.key == "", g.label.lower())),
        by_technician=breakdown(lambda r: r.technician_id, lambda key, m: m[0].technician,
                                lambda g: g.label.lower()),
    )


def handoff_times(handoff: Handoff) -> dict:
    """Both times of one escalation for its context screen: ``pick_up`` and ``first_action``
    in minutes (one place) or None when that step has not happened."""
    return {"pick_up": minutes(seconds_between(handoff.created_at, handoff.first_claimed_at)),
            "first_action": minutes(seconds_between(handoff.created_at, handoff.first_action_at))}


def as_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
