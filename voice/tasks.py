from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="voice.send_rating_requests",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def send_rating_requests() -> int:
    """Every 5 minutes (django-celery-beat): the rating requests due now. Safe to run twice at once."""
    return services.rating_requests_send()
