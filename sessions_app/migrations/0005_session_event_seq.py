from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_app', '0004_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='troubleshootingsession',
            name='event_seq',
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
