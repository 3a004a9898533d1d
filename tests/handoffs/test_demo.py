"""seed_demo adds escalations in every state and a baseline, once."""

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account
from handoffs import metrics
from handoffs.demo import ESCALATIONS
from handoffs.models import BaselineSample, Delivery, DeliveryKind, EventKind, Handoff, HandoffEvent
from handoffs.services import handoffs_past_alert_threshold


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_has_open_claimed_returned_and_resolved_escalations_once(db, settings):
    first = seed()
    assert "Demo escalations: 5 created in Northwind IT" in first
    demo = Account.objects.get(slug="demo")
    handoffs = Handoff.objects.for_account(demo).filter(session__ticket_ref__startswith="DEMO-3")
    assert sorted(handoffs.values_list("status", flat=True)) == ["claimed", "open", "open", "resolved", "returned"]
    # One open escalation is past the alert threshold, so the sweep has something to show.
    assert [h.session.ticket_ref for h in handoffs_past_alert_threshold(account=demo)] == ["DEMO-3001"]
    claimed = handoffs.get(status="claimed")
    assert claimed.claimed_by.email == "sam.senior@demo.resolutionflow.test"
    assert claimed.first_action_at and claimed.first_action_at > claimed.claimed_at > claimed.created_at
    resolved = handoffs.get(status="resolved")
    assert resolved.session.status == "resolved"
    kinds = list(HandoffEvent.objects.for_account(demo).filter(handoff=resolved).order_by("created_at")
                 .values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.CLAIMED, EventKind.FIRST_ACTION, EventKind.RESOLVED]
    assert "for 25 min" in handoffs.get(session__ticket_ref="DEMO-3001").context["summary"]
    assert BaselineSample.objects.for_account(demo).count() == 8
    assert not Handoff.objects.for_account(Account.objects.get(slug="outsider")).exists()

    second = seed()
    assert "Demo escalations" not in second and "Demo baseline" not in second
    assert Handoff.objects.for_account(demo).filter(session__ticket_ref__startswith="DEMO-3").count() == 5
    assert "Demo history" not in second
    assert BaselineSample.objects.for_account(demo).count() == 8


def test_the_demo_has_eight_weeks_of_history_for_the_metrics_page(db, django_capture_on_commit_callbacks,
                                                                  mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        first = seed()
    assert "Demo history:" in first
    # Only the three live-story high and critical escalations email anyone, not weeks-old history.
    loud = {spec.title for spec in ESCALATIONS if spec.urgency in ("high", "critical")}
    emails = Delivery.unscoped.filter(kind=DeliveryKind.EMAIL).values_list("subject", flat=True)
    assert len(loud) == 3 and {subject.split(": ", 1)[1] for subject in emails} == loud
    demo = Account.objects.get(slug="demo")
    zone = ZoneInfo(demo.time_zone)
    history = Handoff.objects.for_account(demo).filter(session__ticket_ref__startswith="DEMO-5")
    days = {h.created_at.astimezone(zone).date() for h in history}
    today = timezone.now().astimezone(zone).date()
    assert min(days) <= today - timedelta(days=7 * 7) and max(days) < today
    assert set(history.values_list("status", flat=True)) == {"resolved", "returned", "cancelled"}
    assert set(history.values_list("urgency", flat=True)) == {"low", "normal", "high", "critical"}
    released = history.filter(events__kind=EventKind.RELEASED).distinct()
    assert released.exists()
    for handoff in released:  # the first pick-up stays where the story put it, before the release
        assert handoff.first_claimed_at < handoff.claimed_at < handoff.first_action_at
    report = metrics.pilot_metrics(account=demo)
    assert len([week for week in report.weeks if week.first_action.count]) >= 8
    assert report.overall.first_action.count >= 40 and report.thin_statement is None
    assert report.overall.improvement.ci_low_percent is not None and report.baseline.samples == 8
    assert report.overall.first_action.pending == 2  # the two open scenario escalations

    before = history.count()
    second = seed()
    assert "Demo history" not in second
    assert Handoff.objects.for_account(demo).filter(session__ticket_ref__startswith="DEMO-5").count() == before
