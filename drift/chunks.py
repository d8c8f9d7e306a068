"""Re-scoring chunk by chunk: read and score a chunk of customers, then commit its levels, history and
checkpoint in one transaction. Reading and assessing is interactions.rescoring's job (the same
rubric facts logging uses)."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Team
from interactions.level_changes import levels_write
from interactions.models import Customer, GestureDelivery, Interaction, JobRun, LevelChange
from interactions.rescoring import customers_assess
from interactions.rubric import Rescored

from .locks import lock_extend
from .plan import Plan, customer_since, interaction_filter, rescore_candidates

LOCK_NAME = "drift.rescore"
Progress = Callable[[int, int], None]


class LockLost(RuntimeError):
    """Another run took the lock over (this one stopped heart-beating): stop without committing."""


def _chunk_size() -> int:
    return max(1, int(settings.RESCORE_CHUNK_CUSTOMERS))


@dataclass
class _ChunkWork:
    customers: list[tuple]  # (id, team_id, rescore_from) as read
    first_id: int
    last_id: int
    examined: int
    changes: list[Rescored]


def _chunk_score(plan: Plan, condition: Q, customers: list[tuple]) -> _ChunkWork:
    """Read one chunk (two queries plus the rubric's three) and score it; nothing is written."""
    first_id, last_id = customers[0][0], customers[-1][0]
    ids = [c[0] for c in customers]
    team_ids = {c[1] for c in customers}
    interactions = Interaction.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id)
    deliveries = GestureDelivery.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id)
    if not plan.full:
        interactions = interactions.filter(customer_id__in=ids).filter(condition)
        deliveries = deliveries.filter(customer_id__in=ids)
        since = [customer_since(plan, team_id, rescore_from) for _, team_id, rescore_from in customers]
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
    plan = Plan.from_json(job_run.checkpoint["plan"])
    candidates = rescore_candidates(plan)
    condition = interaction_filter(plan)
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
