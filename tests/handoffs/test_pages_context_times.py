"""The context screen's history shows the first action (who, what, when) and both times of
the escalation (the definitions of handoffs.metrics)."""

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from handoffs import services
from sessions_app import services as session_services
from tests.handoffs.escalations import escalated

T0 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


def test_before_a_pick_up_the_history_says_nothing_happened_yet(client, northwind, engineer, viewer):
    with freeze_time(T0):
        handoff = escalated(northwind, engineer)
    client.force_login(viewer)
    page = client.get(f"/escalations/{handoff.pk}/").text
    assert "Time to pick-up: not picked up yet" in page and "time to first action: no action yet" in page
    assert 'data-testid="handoff-history-first-action"' not in page


def test_the_history_shows_who_did_what_first_and_when_with_both_times(client, northwind, engineer, senior, viewer):
    with freeze_time(T0):
        handoff = escalated(northwind, engineer)
    with freeze_time(T0 + timedelta(seconds=95)):
        services.handoff_claim(handoff=handoff, actor=senior)
    handoff.session.refresh_from_db()
    with freeze_time(T0 + timedelta(seconds=250)):
        session_services.fact_set(session=handoff.session, actor=senior, key="event_id", value="7000")
    client.force_login(viewer)
    page = client.get(f"/escalations/{handoff.pk}/").text
    assert 'data-testid="handoff-time-pick-up">1.6 min<' in page
    assert 'data-testid="handoff-time-first-action">4.2 min<' in page
    first_action = page.split('data-testid="handoff-history-first-action">', 1)[1].split("</li>", 1)[0]
    assert "First action</span>: a fact by Sam Senior" in first_action
    assert 'datetime="2026-11-10T10:04:10+00:00"' in first_action
