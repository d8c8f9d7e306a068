from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from voice.services import rating_requests_send


class Command(BaseCommand):
    help = "Send the rating requests due now (in this process), as the scheduled task does."

    def handle(self, *args, **options):
        sent = rating_requests_send()
        self.stdout.write(self.style.SUCCESS(ngettext("%d rating request sent.", "%d rating requests sent.", sent) % sent))
