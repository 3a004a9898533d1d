"""Migration 0002 fills the first pick-up and who made the first action of escalations that
existed before, from their audit trail."""

import importlib
from datetime import UTC, datetime, timedelta

from django.apps import apps
from freezegun import freeze_time

from handoffs import services
from handoffs.models import Handoff
from sessions_app import services as session_services
from sessions_app.models import MessageKind
from tests.handoffs.escalations import escalated

MIGRATION = importlib.import_module("handoffs.migrations.0005_first_claim_and_first_action_by")
T0 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


def test_the_backfill_takes_the_first_claim_and_the_first_actor_from_the_events(northwind, engineer, senior,
                                                                                 admin_user):
    with freeze_time(T0):
        handoff = escalated(northwind, engineer)
    with freeze_time(T0 + timedelta(minutes=2)):
        services.handoff_claim(handoff=handoff, actor=senior)
    with freeze_time(T0 + timedelta(minutes=5)):
        services.handoff_release(handoff=handoff, actor=senior)
    with freeze_time(T0 + timedelta(minutes=9)):
        services.handoff_claim(handoff=handoff, actor=admin_user)
    handoff.session.refresh_from_db()
    with freeze_time(T0 + timedelta(minutes=11)):
        session_services.message_post(session=handoff.session, actor=admin_user, body="On it", kind=MessageKind.NOTE)
    untouched = escalated(northwind, engineer, title="Never picked up")
    # As the rows were before the migration: no first pick-up, nobody named for the action.
    Handoff.unscoped.update(first_claimed_at=None, first_claimed_by=None, first_action_by=None)

    MIGRATION.backfill(apps, None)

    handoff.refresh_from_db()
    assert (handoff.first_claimed_at, handoff.first_claimed_by) == (T0 + timedelta(minutes=2), senior)
    assert (handoff.claimed_at, handoff.first_action_by) == (T0 + timedelta(minutes=9), admin_user)
    untouched.refresh_from_db()
    assert (untouched.first_claimed_at, untouched.first_claimed_by, untouched.first_action_by) == (None, None, None)
