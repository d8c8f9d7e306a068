from celery import shared_task
from django.db import OperationalError

from . import escalation


@shared_task(
    name="recovery.check_slas",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def check_slas() -> list[int]:
    """Every 5 minutes (django-celery-beat): escalate the overdue cases, each once. Safe to run twice."""
    return [case.pk for case in escalation.cases_escalate_overdue()]
