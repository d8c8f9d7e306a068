from django.core.management.base import BaseCommand

from recovery.escalation import cases_escalate_overdue


class Command(BaseCommand):
    help = "Escalate every recovery case past its fix or surprise due time (each once), as the scheduled task does."

    def handle(self, *args, **options):
        escalated = cases_escalate_overdue()
        for case in escalated:
            what, due = case.deadline
            self.stdout.write(f"escalated case #{case.pk} ({case.team.name}, {what} due {due:%Y-%m-%d %H:%M} UTC)")
        self.stdout.write(self.style.SUCCESS(f"{len(escalated)} case(s) escalated."))
