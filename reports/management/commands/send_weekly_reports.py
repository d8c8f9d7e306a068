"""Send the weekly level report now, in this process (no worker needed); the ledger keeps it to once per week."""

from smtplib import SMTPException

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from accounts.models import Team
from reports.figures import weekly_report
from reports.services import report_text, weekly_report_send
from reports.weeks import IsoWeek, check_not_future, last_full_week


class Command(BaseCommand):
    help = "Send the weekly level report to each team's managers (default: the last full week, every team)."

    def add_arguments(self, parser):
        parser.add_argument("--team", type=str, help="Only this team (id).")
        parser.add_argument("--week", type=str, help="ISO week YYYY-Www (default: the last full week in the team's time zone).")
        parser.add_argument("--dry-run", action="store_true", help="Print the figures; send nothing, write no ledger row.")

    def handle(self, *args, team=None, week=None, dry_run=False, **options):
        now = timezone.now()
        teams = self._teams(team)
        requested = self._week(week)
        translation.activate("en")
        failures = []
        for t in teams:
            chosen = requested or last_full_week(now, t.tz)
            try:
                check_not_future(chosen, now=now, tz=t.tz)
            except ValidationError as exc:
                raise CommandError(f"Team {t.id} ({t.name}): {exc.messages[0]}")
            if dry_run:
                self.stdout.write(report_text(weekly_report(t, chosen, now=now)))
                continue
            try:
                outcome = weekly_report_send(team=t, week=chosen, now=now)
            except (SMTPException, OSError) as exc:
                failures.append(t.name)
                self.stderr.write(f"{t.name} {chosen}: sending failed ({exc}); recorded, run again to retry.")
                continue
            if outcome.skipped:
                self.stdout.write(f"{t.name} {chosen}: nothing sent ({outcome.skipped}).")
            else:
                self.stdout.write(self.style.SUCCESS(f"{t.name} {chosen}: sent to {len(outcome.sent_to)} manager(s)."))
        if failures:
            raise CommandError(f"Sending failed for {len(failures)} team(s): {', '.join(failures)}.")

    def _teams(self, team):
        if team is None:
            return list(Team.objects.order_by("id"))
        try:
            team_id = int(team)
        except ValueError:
            raise CommandError(f"--team takes a team id (a number), not {team!r}.")
        found = Team.objects.filter(pk=team_id).first()
        if found is None:
            raise CommandError(f"No team with id {team_id}.")
        return [found]

    def _week(self, week):
        if week is None:
            return None
        try:
            return IsoWeek.parse(week)
        except ValidationError as exc:
            raise CommandError(f"--week {week!r}: {exc.messages[0]}")
