from celery import shared_task

from . import services


@shared_task(name="radar.remind_occasions", acks_late=True)
def remind_occasions() -> int:
    """Remind personal contacts of their customers' occasions three days ahead (safe to run twice)."""
    return services.occasions_remind()
