"""HandoffEvent.seq: a per-account sequence (taken from Account.event_seq) instead of the
global event id, so another account's activity never looks like a missed event."""

from django.db import migrations, models


def number_events(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    HandoffEvent = apps.get_model("handoffs", "HandoffEvent")
    for account in Account.objects.all():
        seq = 0
        for event in HandoffEvent.objects.filter(account=account).order_by("id").only("id"):
            seq += 1
            HandoffEvent.objects.filter(pk=event.pk).update(seq=seq)
        Account.objects.filter(pk=account.pk).update(event_seq=seq)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_account_event_seq"),
        ("handoffs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="handoffevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(number_events, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="handoffevent",
            options={"base_manager_name": "unscoped", "default_manager_name": "unscoped", "ordering": ["seq"]},
        ),
        migrations.AddConstraint(
            model_name="handoffevent",
            constraint=models.UniqueConstraint(fields=("account", "seq"), name="event_seq_unique_per_account"),
        ),
    ]
