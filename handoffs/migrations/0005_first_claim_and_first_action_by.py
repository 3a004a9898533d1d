"""Keep the first pick-up apart from the current claim, and who made the first action.

Existing escalations are filled in from their audit trail: the first ``claimed`` event
gives the first pick-up (who and when), the ``first_action`` event who acted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Handoff = apps.get_model("handoffs", "Handoff")
    HandoffEvent = apps.get_model("handoffs", "HandoffEvent")
    for handoff in Handoff._base_manager.all().iterator():
        events = HandoffEvent._base_manager.filter(handoff_id=handoff.pk).order_by("id")
        claim = events.filter(kind="claimed").first()
        action = events.filter(kind="first_action").first()
        changes = {}
        if claim is not None:
            changes.update(first_claimed_at=claim.created_at, first_claimed_by_id=claim.actor_id)
        elif handoff.claimed_at is not None:
            changes.update(first_claimed_at=handoff.claimed_at, first_claimed_by_id=handoff.claimed_by_id)
        if action is not None:
            changes["first_action_by_id"] = action.actor_id
        if changes:
            Handoff._base_manager.filter(pk=handoff.pk).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ('handoffs', '0004_delivery'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='handoff',
            name='first_action_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='handoff',
            name='first_claimed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='handoff',
            name='first_claimed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
