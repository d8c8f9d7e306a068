from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver", acks_late=True, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """One delivery's attempt; a no-op when it is not due (sent, given up, taken by another worker)."""
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.send_due", acks_late=True, ignore_result=True)
def send_due() -> int:
    return services.deliveries_send_due()
