"""Expectation drift and the re-score job (docs/drift.md).

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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Team
from interactions import scoring
from interactions.level_changes import levels_write
from interactions.models import Customer, Gesture, GestureDelivery, GestureDrift, Interaction, JobRun, LevelChange
from interactions.rescoring import customers_assess
from interactions.rubric import Rescored

from .locks import lock_acquire, lock_extend, lock_holder_name, lock_release

logger = logging.getLogger(__name__)

RESCORE = "rescore"  # JobRun.kind of a re-score run
DRIFT = "drift"  # JobRun.kind of a drift-only run (the nightly schedule)
FULL, INCREMENTAL = "full", "incremental"
LOCK_NAME = "drift.rescore"
DRIFT_PERIOD = scoring.DRIFT_PERIOD
# Corrections committed while the previous run was planning are seen again, never missed.
WATERMARK_MARGIN = timedelta(minutes=2)

Progress = Callable[[int, int], None]


class LockLost(RuntimeError):
    """Another run took the lock over (this one stopped heart-beating): stop without committing."""


# --- Drift (rule 6) ---------------------------------------------------------------------------


def _team_day_start(team: Team, at: datetime) -> datetime:
    local = timezone.localtime(at, team.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def drift_recompute(*, at: datetime | None = None) -> list[GestureDrift]:
    """Rule 6 for every team: record a GestureDrift (effective from the start of today in the team's
    time zone) for each gesture that reached `drift_share` of the team's served customers over the
    last 90 days. The escalator only moves down: a drifted gesture is never raised back and never
    drifts twice. Safe to run twice (one row per gesture and date). Three queries plus the inserts."""
    at = at or timezone.now()
    since = at - DRIFT_PERIOD
    served = dict(
        Interaction.objects.filter(occurred_at__gte=since, occurred_at__lte=at)
        .values("team_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("team_id", "n")
    )
    reached = dict(
        GestureDelivery.objects.filter(delivered_at__gte=since, delivered_at__lte=at)
        .values("gesture_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("gesture_id", "n")
    )
    if not reached:
        return []
    current = _current_offsets(gesture_ids=list(reached))
    teams = {t.id: t for t in Team.objects.filter(id__in=list(served))}
    new = []
    for gesture_id, team_id in Gesture.objects.filter(id__in=list(reached), active=True).values_list("id", "team_id"):
        team = teams.get(team_id)
        if team is None or current.get(gesture_id, 0) < 0:
            continue  # at most one level below base, never raised back
        n_served, n_reached = served[team_id], reached[gesture_id]
        if scoring.drifts(
            customers_reached=n_reached,
            customers_served=n_served,
            drift_share=float(team.drift_share),
            drift_min_customers=team.drift_min_customers,
        ):
            new.append(
                GestureDrift(
                    gesture_id=gesture_id,
                    effective_from=_team_day_start(team, at),
                    offset=scoring.DRIFT_STEP,
                    previous_offset=0,
                    share=(Decimal(n_reached) / Decimal(n_served)).quantize(Decimal("0.0001")),
                    customers_reached=n_reached,
                    customers_served=n_served,
                )
            )
    if new:
        GestureDrift.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _current_offsets(*, gesture_ids=None) -> dict[int, int]:
    rows = GestureDrift.objects.order_by("gesture_id", "-effective_from")
    if gesture_ids is not None:
        rows = rows.filter(gesture_id__in=gesture_ids)
    offsets: dict[int, int] = {}
    for gesture_id, offset in rows.values_list("gesture_id", "offset"):
        offsets.setdefault(gesture_id, offset)
    return offsets


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


# --- Levels -------------------------------------------------------------------------------------
# Reading, assessing and writing a chunk of customers is interactions.rescoring's job (the same
# rubric facts logging uses); this module plans the run, walks the chunks and keeps the checkpoint.


@dataclass(frozen=True)
class _Plan:
    full: bool
    planned_at: datetime
    dirty_teams: tuple[int, ...]  # every interaction of these teams
    drift_from: dict[int, datetime]  # team -> re-score interactions from this time on
    watermark: datetime | None

    def as_json(self) -> dict:
        return {
            "full": self.full,
            "planned_at": self.planned_at.isoformat(),
            "dirty_teams": list(self.dirty_teams),
            "drift_from": {str(k): v.isoformat() for k, v in self.drift_from.items()},
            "watermark": self.watermark.isoformat() if self.watermark else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "_Plan":
        return cls(
            full=data["full"],
            planned_at=parse_datetime(data["planned_at"]),
            dirty_teams=tuple(data["dirty_teams"]),
            drift_from={int(k): parse_datetime(v) for k, v in data["drift_from"].items()},
            watermark=parse_datetime(data["watermark"]) if data["watermark"] else None,
        )


def _plan_make(*, full: bool, now: datetime) -> _Plan:
    last = (
        JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.SUCCEEDED, checkpoint__has_key="planned_at")
        .order_by("-started_at")
        .first()
    )
    watermark = parse_datetime(last.checkpoint["planned_at"]) - WATERMARK_MARGIN if last else None
    if full:
        return _Plan(True, now, (), {}, watermark)
    after = (lambda field: Q(**{f"{field}__gt": watermark})) if watermark else (lambda field: Q(**{f"{field}__isnull": False}))
    dirty = set(Team.objects.filter(after("rubric_changed_at")).values_list("id", flat=True))
    dirty |= set(Gesture.objects.filter(after("corrected_at")).values_list("team_id", flat=True))
    drift_from: dict[int, datetime] = {}
    drifts = GestureDrift.objects.all() if watermark is None else GestureDrift.objects.filter(recorded_at__gt=watermark)
    for team_id, effective_from in drifts.values_list("gesture__team_id", "effective_from"):
        if team_id not in dirty and (team_id not in drift_from or effective_from < drift_from[team_id]):
            drift_from[team_id] = effective_from
    return _Plan(False, now, tuple(sorted(dirty)), drift_from, watermark)


def _rescore_candidates(plan: _Plan):
    if plan.full:
        return Customer.objects.all()
    teams = set(plan.dirty_teams) | set(plan.drift_from)
    return Customer.objects.filter(Q(rescore_from__isnull=False) | Q(team_id__in=teams))


def _interaction_filter(plan: _Plan) -> Q:
    if plan.full:
        return Q()
    cond = Q(occurred_at__gte=F("customer__rescore_from"))
    if plan.dirty_teams:
        cond |= Q(team_id__in=plan.dirty_teams)
    for team_id, since in plan.drift_from.items():
        cond |= Q(team_id=team_id, occurred_at__gte=since)
    return cond


def _customer_since(plan: _Plan, team_id: int, rescore_from: datetime | None) -> datetime | None:
    """The earliest occurred_at this customer needs re-scoring from (None: all of their history)."""
    if plan.full or team_id in plan.dirty_teams:
        return None
    candidates = [t for t in (rescore_from, plan.drift_from.get(team_id)) if t is not None]
    return min(candidates) if candidates else None


def _chunk_size() -> int:
    return max(1, int(settings.RESCORE_CHUNK_CUSTOMERS))


@dataclass
class _ChunkWork:
    customers: list[tuple]  # (id, team_id, rescore_from) as read
    first_id: int
    last_id: int
    examined: int
    changes: list[Rescored]


def _chunk_score(plan: _Plan, condition: Q, customers: list[tuple]) -> _ChunkWork:
    """Read one chunk (two queries plus the rubric's three) and score it; nothing is written."""
    first_id, last_id = customers[0][0], customers[-1][0]
    ids = [c[0] for c in customers]
    team_ids = {c[1] for c in customers}
    interactions = Interaction.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id)
    deliveries = GestureDelivery.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id)
    if not plan.full:
        interactions = interactions.filter(customer_id__in=ids).filter(condition)
        deliveries = deliveries.filter(customer_id__in=ids)
        since = [_customer_since(plan, team_id, rescore_from) for _, team_id, rescore_from in customers]
        if all(s is not None for s in since):
            widest = timedelta(days=max(Team.objects.filter(id__in=team_ids).values_list("familiarity_window_days", flat=True)))
            deliveries = deliveries.filter(delivered_at__gte=min(since) - widest)
    scored = customers_assess(interactions, deliveries, team_ids)
    return _ChunkWork(customers, first_id, last_id, scored.examined, scored.changes)


def _chunk_commit(*, job_run: JobRun, holder: str, work: _ChunkWork) -> None:
    """One transaction: heartbeat, the changed rows and their history, recovery, marks, checkpoint."""
    ttl = timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)
    now = timezone.now()
    with transaction.atomic():
        if not lock_extend(name=LOCK_NAME, holder=holder, ttl=ttl):
            raise LockLost(f"The re-score lock was taken over; run #{job_run.pk} stops before customer {work.first_id}.")
        level_changes = levels_write(
            work.changes, cause=LevelChange.Cause.RESCORE, job_run_id=job_run.pk, now=now, customers=(work.first_id, work.last_id)
        )
        _rescore_from_clear(work.customers)
        JobRun.objects.filter(pk=job_run.pk).update(
            done=F("done") + len(work.customers),
            rows_examined=F("rows_examined") + work.examined,
            rows_changed=F("rows_changed") + len(level_changes),
            checkpoint={**job_run.checkpoint, "after": work.last_id},
            heartbeat_at=now,
        )


def _writer_close() -> None:
    connection.close()  # the writer thread's own connection


def levels_rescore(*, job_run: JobRun, holder: str, progress: Progress | None = None) -> None:
    """Re-score the planned interactions chunk by chunk, from the run's checkpoint on.

    On PostgreSQL the commit of chunk k runs on a second connection while chunk k+1 is read and
    scored, so the database's writing and Python's scoring overlap. Chunks still commit one after
    the other, in order, each with its checkpoint. Inside an outer transaction (tests) and on SQLite
    everything runs on the one connection.
    """
    plan = _Plan.from_json(job_run.checkpoint["plan"])
    candidates = _rescore_candidates(plan)
    condition = _interaction_filter(plan)
    pause = settings.RESCORE_CHUNK_PAUSE_SECONDS
    after = job_run.checkpoint.get("after", 0)
    pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore-writer") if pipelined else None
    pending = None

    def finish(future) -> None:
        future.result()  # re-raises what the commit raised (LockLost, database errors)
        job_run.refresh_from_db(fields=["done", "total", "rows_examined", "rows_changed", "checkpoint"])
        if progress:
            progress(job_run.done, job_run.total)

    try:
        while True:
            customers = list(candidates.filter(id__gt=after).order_by("id").values_list("id", "team_id", "rescore_from")[: _chunk_size()])
            if not customers:
                break
            work = _chunk_score(plan, condition, customers)
            if pending is not None:
                finish(pending)
                pending = None
            if writer is not None:
                pending = writer.submit(_chunk_commit, job_run=job_run, holder=holder, work=work)
            else:
                _chunk_commit(job_run=job_run, holder=holder, work=work)
                job_run.refresh_from_db(fields=["done", "total", "rows_examined", "rows_changed", "checkpoint"])
                if progress:
                    progress(job_run.done, job_run.total)
            after = work.last_id
            if pause:
                if pending is not None:
                    finish(pending)
                    pending = None
                time.sleep(pause)
        if pending is not None:
            finish(pending)
            pending = None
    finally:
        if writer is not None:
            writer.submit(_writer_close)
            writer.shutdown(wait=True)


def _rescore_from_clear(customers) -> None:
    """Late facts handled: clear each customer's mark, only where nobody moved it since it was read."""
    marked = [(cid, rescore_from) for cid, _team, rescore_from in customers if rescore_from is not None]
    for start in range(0, len(marked), 300):  # SQLite parses a long OR as a deep tree: keep it short
        cond = Q()
        for cid, rescore_from in marked[start : start + 300]:
            cond |= Q(id=cid, rescore_from=rescore_from)
        Customer.objects.filter(cond).update(rescore_from=None)


# --- The run ------------------------------------------------------------------------------------


def _phases_run(run: JobRun, holder: str, progress: Progress | None, now: datetime | None = None) -> JobRun:
    ttl = timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)
    checkpoint = run.checkpoint or {}
    if checkpoint.get("phase", "drift") == "drift":
        now = now or timezone.now()
        drifted = drift_recompute(at=now)
        plan = _plan_make(full=run.mode == FULL, now=now)
        total = _rescore_candidates(plan).count()
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
