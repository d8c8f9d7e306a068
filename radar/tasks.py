from celery import shared_task

from . import selectors, services


@shared_task(name="radar.remind_occasions", acks_late=True)
def remind_occasions() -> int:
    """Remind personal contacts of their customers' occasions three days ahead (safe to run twice)."""
    return services.occasions_remind()


@shared_task(name="radar.prepare_returns", acks_late=True)
def prepare_returns() -> int:
    """Work out every team's delight returns for the hour ahead of the managers who will look."""
    return selectors.returns_prepare()
