from django.core.management.base import BaseCommand

from notifications.services import emails_send_pending


class Command(BaseCommand):
    help = "Send the email waiting in the outbox (the worker does this every minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {emails_send_pending(limit=10_000)} email(s).")
