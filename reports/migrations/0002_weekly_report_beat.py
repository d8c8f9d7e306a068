"""The hourly beat entry that sends each team's weekly report at Monday 07:00 in the team's time zone.

Hourly at minute 5 (UTC): every team's Monday 07:00 falls into some hour, whatever its offset; the
ledger keeps a second run from sending again.
"""

from django.db import migrations

TASK = "reports.send_due_weekly_reports"


def create_beat_entry(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name="Weekly level reports (hourly check)",
        defaults={"task": TASK, "crontab": schedule, "enabled": True,
                  "description": "Sends each team's weekly level report from Monday 07:00 in its time zone."},
    )


def remove_beat_entry(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_beat_entry, remove_beat_entry)]
