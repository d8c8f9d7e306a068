from django_celery_beat.models import PeriodicTask

from core.schedules import SCHEDULES, schedules_create


def test_every_declared_schedule_exists_once_after_migrate(db):
    schedules_create()
    names = list(PeriodicTask.objects.filter(name__in=[s.name for s in SCHEDULES]).values_list("name", flat=True))
    assert sorted(names) == sorted(s.name for s in SCHEDULES)


def test_an_operators_change_stays_and_a_deleted_entry_comes_back(db):
    changed = PeriodicTask.objects.get(name="Check recovery SLAs every 5 minutes")
    changed.enabled = False
    changed.save()
    PeriodicTask.objects.filter(name="Send the email outbox").delete()

    schedules_create()

    assert PeriodicTask.objects.get(name="Check recovery SLAs every 5 minutes").enabled is False
    outbox = PeriodicTask.objects.get(name="Send the email outbox")
    assert (outbox.task, outbox.interval.every, outbox.interval.period) == ("notifications.send_pending_emails", 1, "minutes")
