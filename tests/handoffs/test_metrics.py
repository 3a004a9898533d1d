"""The pilot's figures (handoffs.metrics), pinned definition by definition.

Escalations are driven through the real services on a frozen clock, so every stamp is an
exact, known instant; the expected minutes are worked out here by hand from those instants.
"""

import random
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from accounts.errors import ServiceError
from handoffs import metrics, services
from handoffs.metrics.compute import nearest_rank, resampled_median
from handoffs.models import BaselineSample
from resolutionflow.errors import http_status
from sessions_app import services as session_services
from sessions_app.models import MessageKind
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

T0 = datetime(2026, 11, 10, 9, 0, 0, tzinfo=UTC)  # a Tuesday; London is on GMT
D = Decimal


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Clock:
    """Run each step at a given offset from ``base`` (seconds), through the services."""

    def __init__(self, base: datetime = T0):
        self.base = base

    def __call__(self, seconds, fn, /, **kwargs):
        with freeze_time(self.base + timedelta(seconds=seconds)):
            return fn(**kwargs)


def escalate(account, owner, clock, seconds=0, *, urgency="normal", session=None):
    session = session or SessionFactory(account=account, owner=owner)
    return clock(seconds, services.handoff_escalate, session=session, actor=owner, note="stuck", urgency=urgency)


def note(clock, seconds, handoff, actor, body="Looking at the event log"):
    handoff.session.refresh_from_db()
    return clock(seconds, session_services.message_post, session=handoff.session, actor=actor, body=body,
                 kind=MessageKind.NOTE)


def report(account, *, since=date(2026, 11, 1), until=date(2026, 11, 30), now=None):
    return metrics.pilot_metrics(account=account, since=since, until=until, now=now or at(3600))


def baseline(account, *minutes_):
    for value in minutes_:
        BaselineSample.unscoped.create(account=account, minutes=value, measured_on=date(2026, 9, 1))


@pytest.fixture
def london(northwind):
    northwind.time_zone = "Europe/London"
    northwind.save(update_fields=["time_zone"])
    return northwind


def test_both_times_are_exact_to_the_second(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    clock(95, services.handoff_claim, handoff=handoff, actor=senior)  # 1 min 35 s
    note(clock, 250, handoff, senior)  # 4 min 10 s
    overall = report(london).overall
    assert (overall.pick_up.count, overall.pick_up.median) == (1, D("1.6"))  # 95 s = 1.583… min
    assert (overall.first_action.count, overall.first_action.median) == (1, D("4.2"))  # 250 s = 4.166… min
    row = report(london).rows[0]
    assert (row.pick_up_seconds, row.first_action_seconds) == (95, 250)
    assert (row.first_action_kind, row.first_action_by, row.picked_up_by) == ("note", senior.name, senior.name)


def test_a_claim_alone_is_not_an_action_and_is_pending_with_its_age(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    clock(60, services.handoff_claim, handoff=handoff, actor=senior)
    result = report(london, now=at(600))
    assert result.overall.pick_up.count == 1
    assert (result.overall.first_action.count, result.overall.first_action.median) == (0, None)
    assert result.overall.first_action.pending == 1
    assert [(row.id, row.age_seconds) for row in result.pending] == [(str(handoff.pk), 600)]


def test_a_release_and_a_second_claim_do_not_reset_the_pick_up(london, engineer, senior, admin_user):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    clock(120, services.handoff_claim, handoff=handoff, actor=senior)
    clock(300, services.handoff_release, handoff=handoff, actor=senior)
    clock(900, services.handoff_claim, handoff=handoff, actor=admin_user)
    note(clock, 1000, handoff, admin_user)
    row = report(london).rows[0]
    assert (row.pick_up_seconds, row.picked_up_by) == (120, senior.name)
    assert (row.first_action_seconds, row.first_action_by, row.engineer) == (1000, admin_user.name, admin_user.name)


def test_activity_while_released_is_not_the_first_action(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    clock(60, services.handoff_claim, handoff=handoff, actor=senior)
    clock(120, services.handoff_release, handoff=handoff, actor=senior)
    note(clock, 180, handoff, engineer, body="Still trying things myself")  # the owner, not a claimant
    clock(240, services.handoff_claim, handoff=handoff, actor=senior)
    note(clock, 420, handoff, senior)
    assert report(london).rows[0].first_action_seconds == 420


def test_a_return_is_a_first_action(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    clock(30, services.handoff_claim, handoff=handoff, actor=senior)
    clock(330, services.handoff_return, handoff=handoff, actor=senior, note="Reinstall the agent, then retest")
    row = report(london).rows[0]
    assert (row.status, row.first_action_kind, row.first_action_seconds) == ("returned", "return", 330)


def test_a_second_escalation_of_the_same_session_is_measured_from_its_own_start(london, engineer, senior):
    clock = Clock()
    first = escalate(london, engineer, clock)
    clock(60, services.handoff_claim, handoff=first, actor=senior)
    clock(180, services.handoff_return, handoff=first, actor=senior, note="Try safe mode first")
    first.session.refresh_from_db()
    second = escalate(london, engineer, clock, 3600, session=first.session)
    clock(3600 + 45, services.handoff_claim, handoff=second, actor=senior)
    note(clock, 3600 + 75, second, senior)
    rows = {row.id: row for row in report(london, now=at(7200)).rows}
    assert (rows[str(first.pk)].pick_up_seconds, rows[str(first.pk)].first_action_seconds) == (60, 180)
    assert (rows[str(second.pk)].pick_up_seconds, rows[str(second.pk)].first_action_seconds) == (45, 75)


def test_never_picked_up_is_pending_never_zero_and_cancelled_is_left_out(london, engineer, senior):
    clock = Clock()
    waiting = escalate(london, engineer, clock, urgency="critical")
    cancelled = escalate(london, engineer, clock, 10)
    clock(20, services.handoff_cancel, handoff=cancelled, actor=engineer, note="sorted it")
    acted = escalate(london, engineer, clock, 30)
    clock(90, services.handoff_claim, handoff=acted, actor=senior)
    note(clock, 150, acted, senior)
    result = report(london, now=at(1800))
    assert result.cancelled == 1 and result.overall.escalations == 2
    assert (result.overall.pick_up.count, result.overall.pick_up.pending) == (1, 1)
    assert (result.overall.first_action.count, result.overall.first_action.median) == (1, D("2.0"))
    assert [(row.id, row.age_seconds) for row in result.pending] == [(str(waiting.pk), 1800)]


def test_resolved_by_the_technician_before_anyone_acted_is_counted_apart(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    handoff.session.refresh_from_db()
    clock(300, session_services.session_resolve, session=handoff.session, actor=engineer,
          resolution="A reboot fixed it")
    overall = report(london).overall
    assert (overall.first_action.count, overall.first_action.pending, overall.first_action.closed_without) == (0, 0, 1)
    assert overall.pick_up.closed_without == 1


def test_median_of_an_even_count_and_p90_by_nearest_rank(london, engineer, senior):
    clock = Clock()
    for index, seconds in enumerate((60, 120, 180, 300)):
        handoff = escalate(london, engineer, clock, index * 1000)
        clock(index * 1000 + 10, services.handoff_claim, handoff=handoff, actor=senior)
        note(clock, index * 1000 + seconds, handoff, senior)
    measure = report(london, now=at(9000)).overall.first_action
    assert (measure.median, measure.p90) == (D("2.5"), D("5.0"))  # (120 + 180) / 2 s; the 4th of 4
    assert nearest_rank(list(range(1, 11)), 0.9) == 9


def test_the_baseline_is_the_median_of_all_samples_with_its_count(london):
    baseline(london, 20, 30, "40.5", 50)
    figures = report(london).baseline
    assert (figures.samples, figures.median, figures.p90) == (4, D("35.3"), D("50.0"))  # (30 + 40.5) / 2 = 35.25


def _acted_escalations(account, engineer, senior, waits):
    clock = Clock()
    for index, seconds in enumerate(waits):
        handoff = escalate(account, engineer, clock, index * 3600)
        clock(index * 3600 + 5, services.handoff_claim, handoff=handoff, actor=senior)
        note(clock, index * 3600 + seconds, handoff, senior)


def test_improvement_against_the_baseline_with_a_reproducible_interval(london, engineer, senior):
    baseline(london, 30, 35, 38, 40, 45, 50)  # median 39 min
    _acted_escalations(london, engineer, senior, [240 + 15 * i for i in range(12)])  # 4:00 … 6:45
    first = report(london, now=at(86400))
    improvement = first.overall.improvement
    # median of 12 waits: (5:15 + 5:30) / 2 = 322.5 s = 5.375 min; 39 − 5.375 = 33.625 min = 86.2 %
    assert (improvement.minutes, improvement.percent) == (D("33.6"), D("86.2"))
    assert (improvement.escalations, improvement.samples, improvement.thin) == (12, 6, False)
    assert improvement.ci_low_percent < improvement.percent < improvement.ci_high_percent
    assert improvement.ci_low_minutes < improvement.minutes < improvement.ci_high_minutes
    again = report(london, now=at(86400)).overall.improvement
    assert (again.ci_low_percent, again.ci_high_percent) == (improvement.ci_low_percent, improvement.ci_high_percent)
    other_seed = metrics.pilot_metrics(account=london, since=date(2026, 11, 1), until=date(2026, 11, 30),
                                       now=at(86400), seed=7).overall.improvement
    assert other_seed.percent == improvement.percent
    assert (f"Median time to first action 5.4 min vs 39 min baseline, 86 % faster (95 % CI "
            f"{improvement.ci_low_percent:.0f}–{improvement.ci_high_percent:.0f} %), from 12 escalations and "
            f"6 baseline samples.") == first.headline
    assert first.thin_statement is None


def test_fewer_than_ten_escalations_are_too_thin_to_claim_anything(london, engineer, senior):
    baseline(london, 30)
    _acted_escalations(london, engineer, senior, [300] * 9)
    result = report(london, now=at(86400))
    assert result.overall.improvement.thin and result.overall.improvement.ci_low_percent is None
    assert result.thin_statement == ("Only 9 escalations with a first action: too few to claim a difference from "
                                     "the baseline (10 needed).")
    assert "CI" not in result.headline


def test_no_escalations_and_no_baseline_say_so(london):
    result = report(london)
    assert result.headline == "No escalation in this range has had a first action yet."
    assert result.overall.improvement is None and result.baseline.samples == 0


def test_breakdowns_by_urgency_engineer_and_technician(london, engineer, senior, admin_user):
    clock = Clock()
    high = escalate(london, engineer, clock, urgency="high")
    clock(60, services.handoff_claim, handoff=high, actor=senior)
    note(clock, 120, high, senior)
    low = escalate(london, senior, clock, 600, urgency="low")
    clock(600 + 30, services.handoff_claim, handoff=low, actor=admin_user)
    note(clock, 600 + 300, low, admin_user)
    result = report(london)
    assert [(g.key, g.first_action.median) for g in result.by_urgency] == [("high", D("2.0")), ("low", D("5.0"))]
    assert [(g.label, g.first_action.median) for g in result.by_engineer] == [(admin_user.name, D("5.0")),
                                                                               (senior.name, D("2.0"))]
    assert {g.label: g.pick_up.median for g in result.by_technician} == {engineer.name: D("1.0"),
                                                                          senior.name: D("0.5")}


def test_weekly_medians_in_the_accounts_weeks(london, engineer, senior):
    clock = Clock(datetime(2026, 11, 8, 23, 30, tzinfo=UTC))  # Sunday 23:30 in London
    late_sunday = escalate(london, engineer, clock)
    clock(60, services.handoff_claim, handoff=late_sunday, actor=senior)
    note(clock, 120, late_sunday, senior)
    weeks = report(london, since=date(2026, 11, 2), until=date(2026, 11, 15)).weeks
    assert [(w.start, w.escalations, w.first_action.median) for w in weeks] == [
        (date(2026, 11, 2), 1, D("2.0")), (date(2026, 11, 9), 0, None)]


def test_a_range_across_a_dst_change_uses_the_accounts_days(northwind, engineer, senior):
    northwind.time_zone = "America/Santiago"  # 2026-09-06: midnight does not exist, clocks go 00:00 → 01:00
    northwind.save(update_fields=["time_zone"])
    santiago = ZoneInfo("America/Santiago")
    # 03:59:59 UTC on 6 Sep is still 23:59:59 on 5 Sep (-04); 04:00:00 UTC is 01:00 on 6 Sep (-03).
    for when, wait in ((datetime(2026, 9, 6, 3, 59, 59, tzinfo=UTC), 100),
                       (datetime(2026, 9, 6, 4, 0, 0, tzinfo=UTC), 200),
                       (datetime(2026, 9, 7, 2, 59, 59, tzinfo=UTC), 300),  # 23:59:59 on 6 Sep (-03)
                       (datetime(2026, 9, 7, 3, 0, 0, tzinfo=UTC), 400)):  # 00:00 on 7 Sep
        clock = Clock(when)
        handoff = escalate(northwind, engineer, clock)
        clock(10, services.handoff_claim, handoff=handoff, actor=senior)
        note(clock, wait, handoff, senior)
    now = datetime(2026, 9, 8, tzinfo=UTC)
    sixth = metrics.pilot_metrics(account=northwind, since=date(2026, 9, 6), until=date(2026, 9, 6), now=now)
    assert sorted(row.first_action_seconds for row in sixth.rows) == [200, 300]
    around = metrics.pilot_metrics(account=northwind, since=date(2026, 9, 5), until=date(2026, 9, 7), now=now)
    assert around.overall.first_action.count == 4
    assert around.rows[0].created_at.astimezone(santiago).date() == date(2026, 9, 5)


@pytest.mark.parametrize(("since", "until"), [(date(2026, 11, 10), date(2026, 11, 1)),
                                               (date(2024, 12, 31), date(2026, 1, 1))])
def test_a_bad_range_is_refused_with_a_code(london, since, until):
    with pytest.raises(ServiceError) as refused:
        metrics.pilot_metrics(account=london, since=since, until=until)
    assert (refused.value.code, http_status(refused.value)) == ("invalid_range", 400)


def test_the_default_range_is_the_last_eight_weeks_in_the_accounts_time_zone(london):
    with freeze_time(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)):  # 30 Nov in London
        result = metrics.pilot_metrics(account=london)
    assert (result.since, result.until) == (date(2026, 10, 6), date(2026, 11, 30))


def test_another_accounts_escalations_never_count(london, engineer, senior, outsider):
    foreign_owner = UserFactory(account=outsider, role="engineer")
    foreign_senior = UserFactory(account=outsider, role="engineer")
    clock = Clock()
    foreign = escalate(outsider, foreign_owner, clock)
    clock(60, services.handoff_claim, handoff=foreign, actor=foreign_senior)
    note(clock, 120, foreign, foreign_senior)
    baseline(outsider, 10)
    result = report(london)
    assert result.overall.escalations == 0 and result.baseline.samples == 0


def test_the_context_screen_times_of_one_escalation(london, engineer, senior):
    clock = Clock()
    handoff = escalate(london, engineer, clock)
    assert metrics.handoff_times(handoff) == {"pick_up": None, "first_action": None}
    clock(95, services.handoff_claim, handoff=handoff, actor=senior)
    note(clock, 250, handoff, senior)
    handoff.refresh_from_db()
    assert metrics.handoff_times(handoff) == {"pick_up": D("1.6"), "first_action": D("4.2")}


@pytest.mark.parametrize("values", [list(range(10, 160, 10)), list(range(10, 170, 10)), [5, 5, 7, 40, 41, 300]])
def test_the_drawn_resample_median_has_the_distribution_of_resampling_and_taking_the_median(values):
    naive_rng, drawn_rng = random.Random(1), random.Random(2)
    naive = sorted(statistics.median(naive_rng.choices(values, k=len(values))) for _ in range(20000))
    drawn = sorted(resampled_median(sorted(values), drawn_rng) for _ in range(20000))
    step = min(b - a for a, b in zip(sorted(set(values)), sorted(set(values))[1:], strict=False))
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        index = int(q * 20000)
        assert abs(naive[index] - drawn[index]) <= step, (q, naive[index], drawn[index])
    # The means agree within four standard errors of their difference.
    assert abs(statistics.fmean(naive) - statistics.fmean(drawn)) < 4 * statistics.stdev(naive) * (2 / 20000) ** 0.5
    assert resampled_median([42], random.Random(3)) == 42
