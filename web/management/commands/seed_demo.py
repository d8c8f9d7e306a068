from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, USERS, seed_accounts
from inbox.demo import seed_inbox
from interactions.demo import seed_interactions
from radar.demo import seed_radar
from recovery.demo import seed_recovery
from voice.demo import seed_voice
from webhooks.demo import seed_webhooks


class Command(BaseCommand):
    help = "Create demo teams, users, customers, gestures, rules and a few weeks of interactions (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            teams, users = seed_accounts()
        for seeder in _app_seeders():
            seeder(teams=teams, users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, role, *_ in USERS:
            self.stdout.write(f"  {username:<8} {role}")


def _app_seeders():
    """Each app seeds its own part, in dependency order."""
    # The customers' answers come before the recovery work: a low answer opens a case the team then works.
    # The webhook subscription comes last: the demo's replayed history is not news to it.
    return [seed_interactions, seed_voice, seed_recovery, seed_inbox, seed_radar, seed_webhooks]
