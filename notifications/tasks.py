from celery import shared_task

from .services import emails_send_pending


@shared_task(name="notifications.send_pending_emails", acks_late=True, ignore_result=True)
def send_pending_emails() -> int:
    return emails_send_pending()
