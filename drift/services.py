"""The re-score job's runs: one at a time under a database lock, resumable from a checkpoint
(docs/drift.md). Its parts, one job each: `rule` (rule 6, the drift), `plan` (what a run covers),
`chunks` (read, score and commit a chunk of customers); this module runs them in order.

A run does, in order and under one database lock:

1. `drift_recompute`: rule 6, each gesture's effective base level, a time-stamped GestureDrift row
   for every change (only ever down, at most one level below base). Single, first.
2. The plan: which customers and interactions the run covers, cut into chunks of customers
   (RescoreChunk rows).
3. The chunks: the rubric (`interactions.scoring.assess`, per row) applied to every interaction
   whose level can have changed, as of its occurred_at. Per chunk: one query for the interactions,
   one for the deliveries (prior-delivery counts come from that one ordered scan), one statement
   that updates the changed rows and writes their history, and the chunk marked done, all in one
   transaction. `rescore_start` (the Celery task) queues one task per chunk, so every worker takes
   chunks and more workers finish sooner; `rescore_run` (the command) runs them in this process.
   Either way the last chunk to commit finishes the run, exactly once.
A customer's expectation profile is not stored: the customer page and the recommendations compute
it live (interactions.selectors.expectation_profiles), since nothing read a stored copy.

Incremental runs re-score only what was touched since the last successful run: customers with late
facts (Customer.rescore_from), teams whose rubric numbers changed (Team.rubric_changed_at), teams
with a corrected gesture (Gesture.corrected_at) and interactions from the date of a new drift on.
`full=True` does everything and must agree with it.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interactions.models import JobRun

from .chunks import (
    LOCK_NAME,
    LockLost,
    Progress,
    chunk_commit,
    chunk_score,
    chunks_pending,
    chunks_plan,
    chunks_run_here,
)
from .locks import lock_acquire, lock_extend, lock_handover, lock_holder_name, lock_release
from .models import RescoreChunk
from .plan import RESCORE, Plan, plan_make
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


def _lock_ttl() -> timedelta:
    return timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)


def _run_holder(run_id: int) -> str:
    """Who holds the lock while a run's chunks are spread over workers: the run itself."""
    return f"run:{run_id}"


def _run_plan(run: JobRun, holder: str, now: datetime | None = None) -> JobRun:
    """The single first step: drift, then what the run covers, cut into chunks. Idempotent: a run
    already planned is left as it is."""
    phase = (run.checkpoint or {}).get("phase", "drift")
    if phase == "drift":
        now = now or timezone.now()
        drifted = drift_recompute(at=now)
        plan = plan_make(full=run.mode == FULL, now=now)
        checkpoint = {"phase": "chunks", "plan": plan.as_json(), "planned_at": plan.planned_at.isoformat(), "drifted": len(drifted)}
    elif phase == "levels":  # a run interrupted by an older version, which kept only "after"
        checkpoint = {**run.checkpoint, "phase": "chunks"}
        plan = Plan.from_json(checkpoint["plan"])
    else:
        return run
    with transaction.atomic():
        if not lock_extend(name=LOCK_NAME, holder=holder, ttl=_lock_ttl()):
            raise LockLost("The re-score lock was taken over before planning finished.")
        run.checkpoint = checkpoint
        planned = chunks_plan(job_run=run, plan=plan, after=run.checkpoint.get("after", 0))
        run.total = run.done + planned
        JobRun.objects.filter(pk=run.pk).update(checkpoint=run.checkpoint, total=run.total, heartbeat_at=timezone.now())
    return run


def _run_finish(run_id: int, holder: str) -> JobRun | None:
    """Mark the run succeeded once every chunk is done, exactly once whoever calls it and however often
    (the conditional update lets one caller win). Releases the lock. None while chunks remain."""
    if chunks_pending(run_id).exists():
        return None
    run = JobRun.objects.get(pk=run_id)
    done = max(run.done, run.total)
    summary = _(
        "%(mode)s re-score: %(drifted)d gesture(s) drifted, %(examined)d interaction(s) examined, "
        "%(changed)d level(s) changed, %(customers)d customer(s) covered."
    ) % {
        "mode": run.mode.capitalize(),
        "drifted": run.checkpoint.get("drifted", 0),
        "examined": run.rows_examined,
        "changed": run.rows_changed,
        "customers": done,
    }
    message = (run.message + "\n" + summary).strip() if run.message else summary
    with transaction.atomic():
        won = JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).update(
            status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), done=done, total=done,
            checkpoint={**run.checkpoint, "phase": "done"}, message=message,
        )
        if won:
            lock_release(name=LOCK_NAME, holder=holder)
    if won:
        logger.info("re-score run #%s succeeded: %s", run_id, summary)
    run.refresh_from_db()
    return run


def _skipped(mode: str) -> JobRun:
    busy = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).first()
    now = timezone.now()
    return JobRun.objects.create(
        kind=RESCORE, mode=mode, status=JobRun.Status.SKIPPED, finished_at=now, heartbeat_at=now,
        message=_("Another re-score is running%(run)s; this one did nothing.") % {"run": f" (#{busy.pk})" if busy else ""},
    )


def _interrupted() -> JobRun | None:
    run = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).order_by("started_at").first()
    if run is not None:
        run.message = _("Resumed from its checkpoint after an interruption.")
        JobRun.objects.filter(pk=run.pk).update(message=run.message)
    return run


def _failed(run: JobRun | None, exc: Exception) -> None:
    if run is not None:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
        )


def rescore_run(*, full: bool = False, progress: Progress | None = None, now: datetime | None = None) -> JobRun:
    """The re-score job in this process (the command, tests): drift, then the chunks in order. One at a
    time: a second run started while one holds the lock does nothing and says so (a SKIPPED JobRun). A
    run that finds an interrupted one (killed mid-way, here or in the workers) finishes its remaining
    chunks first. `now` is the clock (tests move it forward)."""
    mode = FULL if full else INCREMENTAL
    holder = lock_holder_name()
    if not lock_acquire(name=LOCK_NAME, holder=holder, ttl=_lock_ttl()):
        return _skipped(mode)
    run = None
    try:
        interrupted = _interrupted()
        if interrupted is not None:
            run = _run_here(interrupted, holder, progress)
            if not (full and interrupted.mode != FULL):
                return run
        run = JobRun.objects.create(kind=RESCORE, mode=mode, checkpoint={"phase": "drift"}, heartbeat_at=timezone.now())
        return _run_here(run, holder, progress, now)
    except LockLost:
        raise  # the run now belongs to whoever took the lock: leave it RUNNING for them
    except Exception as exc:  # an interrupt (KeyboardInterrupt, SystemExit) leaves the run RUNNING: resumable
        _failed(run, exc)
        raise
    finally:
        lock_release(name=LOCK_NAME, holder=holder)


def _run_here(run: JobRun, holder: str, progress: Progress | None, now: datetime | None = None) -> JobRun:
    run = _run_plan(run, holder, now)
    if progress:
        progress(run.done, run.total)
    chunks_run_here(job_run=run, holder=holder, progress=progress)
    return _run_finish(run.pk, holder)


def rescore_start(*, full: bool = False) -> JobRun:
    """The re-score job spread over the workers: drift and the plan here, then one task per chunk,
    which any worker takes. The run holds the lock (as "run:<id>") until its last chunk finishes it.
    Resumes an interrupted run instead (its pending chunks are queued again; a chunk already done is
    skipped when it arrives twice). Returns the run (SKIPPED when another holds the lock)."""
    from .tasks import rescore_chunk

    mode = FULL if full else INCREMENTAL
    starter = lock_holder_name()
    if not lock_acquire(name=LOCK_NAME, holder=starter, ttl=_lock_ttl()):
        return _skipped(mode)
    run = None
    try:
        run = _interrupted() or JobRun.objects.create(
            kind=RESCORE, mode=mode, checkpoint={"phase": "drift"}, heartbeat_at=timezone.now()
        )
        holder = _run_holder(run.pk)
        lock_handover(name=LOCK_NAME, holder=starter, to=holder)
        run = _run_plan(run, holder)
        pending = list(chunks_pending(run.pk).values_list("pk", flat=True))
    except LockLost:
        raise
    except Exception as exc:
        lock_release(name=LOCK_NAME, holder=starter)
        _failed(run, exc)
        raise
    if not pending:
        return _run_finish(run.pk, holder) or run
    transaction.on_commit(lambda: [rescore_chunk.delay(run.pk, chunk_id) for chunk_id in pending])
    return run


def chunk_rescore(*, run_id: int, chunk_id: int) -> bool:
    """One chunk of a spread run (the chunk task): score, commit, and finish the run when it was the
    last. Safe to deliver twice. False when the chunk was done already or the run no longer runs."""
    run = JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).first()
    chunk = RescoreChunk.objects.filter(pk=chunk_id, job_run_id=run_id, done_at__isnull=True).first()
    if run is None or chunk is None:
        return False
    holder = _run_holder(run_id)
    try:
        committed = chunk_commit(job_run_id=run_id, holder=holder, work=chunk_score(Plan.from_json(run.checkpoint["plan"]), chunk))
    except LockLost:
        logger.warning("re-score run #%s: the lock belongs to another process now; chunk %s left to it", run_id, chunk.seq)
        return False
    if committed and settings.RESCORE_CHUNK_PAUSE_SECONDS:
        time.sleep(settings.RESCORE_CHUNK_PAUSE_SECONDS)
    _run_finish(run_id, holder)
    return committed


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
