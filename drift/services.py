"""The re-score job's runs: one at a time under a database lock, resumable from a checkpoint
(docs/drift.md). Its parts, one job each: `rule` (rule 6, the drift), `plan` (what a run covers),
`chunks` (read, score and commit a chunk of customers); this module runs them in order.

`rescore_run` does, in order and under one database lock:

1. `drift_recompute`: rule 6, each gesture's effective base level, a time-stamped GestureDrift row
   for every change (only ever down, at most one level below base).
2. `levels_rescore`: the rubric (`interactions.scoring.assess`, per row) applied to every
   interaction whose level can have changed, as of its occurred_at, in chunks of customers. Per
   chunk: one query for the interactions, one for the deliveries (prior-delivery counts come from
   that one ordered scan), one statement that updates the changed rows and writes their history,
   and the checkpoint, all in one transaction.
A customer's expectation profile is not stored: the customer page and the recommendations compute
it live (interactions.selectors.expectation_profiles), since nothing read a stored copy.

Incremental runs re-score only what was touched since the last successful run: customers with late
facts (Customer.rescore_from), teams whose rubric numbers changed (Team.rubric_changed_at), teams
with a corrected gesture (Gesture.corrected_at) and interactions from the date of a new drift on.
`full=True` does everything and must agree with it.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interactions.models import JobRun

from .chunks import LOCK_NAME, LockLost, Progress, levels_rescore
from .locks import lock_acquire, lock_extend, lock_holder_name, lock_release
from .plan import RESCORE, plan_make, rescore_candidates
from .rule import drift_recompute

logger = logging.getLogger(__name__)

FULL, INCREMENTAL = "full", "incremental"
DRIFT = "drift"  # JobRun.kind of a drift-only run (the nightly schedule)


def drift_run() -> JobRun:
    """The nightly drift job on its own: records what drifted; the next re-score applies it."""
    run = JobRun.objects.create(kind=DRIFT, mode=INCREMENTAL, heartbeat_at=timezone.now())
    try:
        new = drift_recompute()
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(status=JobRun.Status.FAILED, finished_at=timezone.now(), message=repr(exc)[:2000])
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.total = run.done = run.rows_changed = len(new)
    run.message = _("%(n)d gesture(s) drifted down a level.") % {"n": len(new)}
    run.save()
    return run


def _phases_run(run: JobRun, holder: str, progress: Progress | None, now: datetime | None = None) -> JobRun:
    ttl = timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)
    checkpoint = run.checkpoint or {}
    if checkpoint.get("phase", "drift") == "drift":
        now = now or timezone.now()
        drifted = drift_recompute(at=now)
        plan = plan_make(full=run.mode == FULL, now=now)
        total = rescore_candidates(plan).count()
        run.checkpoint = {
            "phase": "levels", "plan": plan.as_json(), "planned_at": plan.planned_at.isoformat(),
            "drifted": len(drifted), "after": 0,
        }
        with transaction.atomic():
            if not lock_extend(name=LOCK_NAME, holder=holder, ttl=ttl):
                raise LockLost("The re-score lock was taken over before planning finished.")
            JobRun.objects.filter(pk=run.pk).update(checkpoint=run.checkpoint, total=total, heartbeat_at=timezone.now())
        run.total = total
        if progress:
            progress(run.done, run.total)
    if run.checkpoint["phase"] == "levels":
        levels_rescore(job_run=run, holder=holder, progress=progress)
    # (a run interrupted in the "profiles" phase of older versions has nothing left to do)
    run.checkpoint = {**run.checkpoint, "phase": "done"}
    run.refresh_from_db(fields=["done", "total", "rows_examined", "rows_changed", "message"])
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.done = run.total = max(run.done, run.total)
    summary = _(
        "%(mode)s re-score: %(drifted)d gesture(s) drifted, %(examined)d interaction(s) examined, "
        "%(changed)d level(s) changed, %(customers)d customer(s) covered."
    ) % {
        "mode": run.mode.capitalize(),
        "drifted": run.checkpoint.get("drifted", 0),
        "examined": run.rows_examined,
        "changed": run.rows_changed,
        "customers": run.done,
    }
    run.message = (run.message + "\n" + summary).strip() if run.message else summary
    run.save(update_fields=["status", "finished_at", "done", "total", "checkpoint", "message"])
    return run


def rescore_run(*, full: bool = False, progress: Progress | None = None, now: datetime | None = None) -> JobRun:
    """The re-score job: drift, then levels, then profiles. One at a time: a second run started while one
    holds the lock does nothing and says so (a SKIPPED JobRun). A run that finds an interrupted one
    (killed mid-way) resumes it from its checkpoint first. `now` is the clock (tests move it forward)."""
    mode = FULL if full else INCREMENTAL
    holder = lock_holder_name()
    ttl = timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)
    if not lock_acquire(name=LOCK_NAME, holder=holder, ttl=ttl):
        busy = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).first()
        now = timezone.now()
        return JobRun.objects.create(
            kind=RESCORE, mode=mode, status=JobRun.Status.SKIPPED, finished_at=now, heartbeat_at=now,
            message=_("Another re-score is running%(run)s; this one did nothing.")
            % {"run": f" (#{busy.pk})" if busy else ""},
        )
    run = None
    try:
        interrupted = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).order_by("started_at").first()
        if interrupted is not None:
            interrupted.message = _("Resumed from its checkpoint after an interruption.")
            JobRun.objects.filter(pk=interrupted.pk).update(message=interrupted.message)
            run = interrupted
            run = _phases_run(run, holder, progress)
            if not (full and interrupted.mode != FULL):
                return run
        run = JobRun.objects.create(kind=RESCORE, mode=mode, checkpoint={"phase": "drift"}, heartbeat_at=timezone.now())
        return _phases_run(run, holder, progress, now)
    except LockLost:
        raise  # the run now belongs to whoever took the lock: leave it RUNNING for them
    except Exception as exc:  # an interrupt (KeyboardInterrupt, SystemExit) leaves the run RUNNING: resumable
        if run is not None:
            JobRun.objects.filter(pk=run.pk).update(
                status=JobRun.Status.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
            )
        raise
    finally:
        lock_release(name=LOCK_NAME, holder=holder)


def rescore_request(*, actor, full: bool = False) -> dict:
    """A manager (or an admin, for a full run) starts a re-score now; it runs in the worker after commit."""
    from django.core.exceptions import PermissionDenied

    from core.errors import StateConflict

    from .locks import lock_current
    from .tasks import rescore_levels

    if not actor.is_manager:
        raise PermissionDenied(_("Only a manager or an admin can start a re-score."))
    if full and not actor.is_admin:
        raise PermissionDenied(_("Only an admin can start a full re-score."))
    lock = lock_current(name=LOCK_NAME)
    if lock is not None:
        running = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).first()
        raise StateConflict(
            _("A re-score is already running%(run)s.") % {"run": f" (#{running.pk})" if running else ""}, code="busy"
        )
    transaction.on_commit(lambda: rescore_levels.delay(full=full))
    logger.info("re-score (%s) requested by %s", FULL if full else INCREMENTAL, actor.pk)
    return {"queued": True, "mode": FULL if full else INCREMENTAL, "requested_by": actor.pk, "requested_at": timezone.now()}
