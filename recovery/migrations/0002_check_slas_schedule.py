"""Schedule `recovery.check_slas` every 5 minutes with django-celery-beat (idempotent)."""

from django.db import migrations

TASK = "recovery.check_slas"
NAME = "Check recovery SLAs every 5 minutes"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5 = IntervalSchedule.objects.filter(every=5, period="minutes").order_by("id").first()
    if every_5 is None:
        every_5 = IntervalSchedule.objects.create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "interval": every_5, "enabled": True})


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recovery", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
