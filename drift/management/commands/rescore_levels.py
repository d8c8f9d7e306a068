"""manage.py rescore_levels [--full]: the re-score job in this process, with a progress bar."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from interactions.models import JobRun

from ... import services


class Command(BaseCommand):
    help = _("Recompute drift, then re-score the levels that can have changed (or all with --full).")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help=_("Re-score every interaction, not only what changed."))
        parser.add_argument("--no-progress", action="store_true", help=_("No progress bar (logs, cron)."))

    def handle(self, *args, full=False, no_progress=False, **options):
        bar = None

        def progress(done, total):
            nonlocal bar
            if no_progress:
                return
            if bar is None:
                bar = tqdm(total=total, unit="customer", desc=_("re-score"), file=self.stderr._out)
            bar.total = total
            bar.update(done - bar.n)

        try:
            run = services.rescore_run(full=full, progress=progress)
        finally:
            if bar is not None:
                bar.close()
        if run.status == JobRun.Status.SKIPPED:
            self.stdout.write(self.style.WARNING(run.message))
            return
        self.stdout.write(
            _("Run #%(id)s %(status)s: %(message)s")
            % {"id": run.pk, "status": run.get_status_display().lower(), "message": run.message}
        )
        self.stdout.write(
            _("examined %(examined)d, changed %(changed)d, customers %(done)d/%(total)d, %(seconds).1f s")
            % {
                "examined": run.rows_examined,
                "changed": run.rows_changed,
                "done": run.done,
                "total": run.total,
                "seconds": (run.finished_at - run.started_at).total_seconds(),
            }
        )
