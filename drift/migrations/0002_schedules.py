"""The drift jobs' schedules (django-celery-beat): incremental re-score every 15 minutes, drift nightly,
full re-score weekly. Editable in the admin afterwards; re-running this migration changes nothing."""

import json

from django.db import migrations

SCHEDULES = [
    # name, task, kwargs, interval minutes or crontab (minute, hour, day_of_week)
    ("Re-score levels (incremental)", "drift.rescore_levels", {"full": False}, 15, None),
    ("Recompute expectation drift (nightly)", "drift.recompute_drift", {}, None, ("15", "2", "*")),
    ("Re-score levels (full, weekly)", "drift.rescore_levels", {"full": True}, None, ("45", "3", "0")),
]


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, kwargs, minutes, cron in SCHEDULES:
        fields = {"task": task, "kwargs": json.dumps(kwargs), "enabled": True}
        if minutes:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        else:
            minute, hour, day_of_week = cron
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*", timezone="UTC"
            )
        PeriodicTask.objects.update_or_create(name=name, defaults=fields)


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("drift", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
