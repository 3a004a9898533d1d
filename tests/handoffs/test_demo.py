"""seed_demo adds escalations in every state and a baseline, once."""

from io import StringIO

from django.core.management import call_command

from accounts.models import Account
from handoffs.models import BaselineSample, EventKind, Handoff, HandoffEvent
from handoffs.services import handoffs_past_alert_threshold


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_has_open_claimed_returned_and_resolved_escalations_once(db, settings):
    first = seed()
    assert "Demo escalations: 5 created in Northwind IT" in first
    demo = Account.objects.get(slug="demo")
    handoffs = Handoff.objects.for_account(demo)
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
    assert Handoff.objects.for_account(demo).count() == 5
    assert BaselineSample.objects.for_account(demo).count() == 8
