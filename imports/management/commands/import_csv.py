from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team, User
from imports.models import ImportKind
from imports.services import csv_import


class Command(BaseCommand):
    help = (
        "Import a team's customers or past interactions from a CSV file (UTF-8, a header row). Every row is "
        "checked first; one bad row and nothing is imported. Rows whose external_id came in before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--team", type=int, required=True, help="the team's id")
        parser.add_argument("--user", required=True, help="the username of the manager (or admin) importing")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")

    def handle(self, *args, kind, file, team, user, dry_run, **options):
        try:
            team = Team.objects.get(pk=team)
            actor = User.objects.get(username=user)
            data = file.read_bytes()
        except Team.DoesNotExist:
            raise CommandError(f"No team with id {team}.") from None
        except User.DoesNotExist:
            raise CommandError(f"No user {user}.") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        result = csv_import(actor=actor, team=team, kind=kind, data=data, filename=file.name, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                self.stderr.write(f"{where}, {error.field}: {' '.join(error.messages)}")
            raise CommandError(f"Nothing imported: {len(result.errors)} error(s) in {file.name}.")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(
            f"{file.name}: {result.rows} rows; {verb} {result.created} new"
            + (f", {result.matched} matched by email" if result.matched else "")
            + f", {result.already_imported} already imported."
        ))
