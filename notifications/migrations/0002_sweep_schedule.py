"""Once created this app's beat schedule. Every periodic job is now declared in `core/schedules.py`
and created after `migrate`; this migration stays, empty, so the migration history does not change."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
