from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_account_webhook"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="event_seq",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
