"""Re-scoring chunk by chunk. A run's candidate customers are cut into chunks when it starts
(`chunks_plan`, one RescoreChunk row each); a chunk is read and scored (`chunk_score`), then its
levels, their history, the customers' marks and the chunk's `done_at` commit in one transaction
(`chunk_commit`). Any process may take any chunk: the Celery workers in parallel, or one process
in order (`chunks_run_here`). Reading and assessing is interactions.rescoring's job (the same rubric
facts logging uses)."""

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
from .models import RescoreChunk
from .plan import Plan, customer_since, interaction_filter, rescore_candidates

LOCK_NAME = "drift.rescore"
Progress = Callable[[int, int], None]


class LockLost(RuntimeError):
    """Another run took the lock over (this one stopped heart-beating): stop without committing."""


def chunk_size() -> int:
    return max(1, int(settings.RESCORE_CHUNK_CUSTOMERS))


def chunks_plan(*, job_run: JobRun, plan: Plan, after: int = 0) -> int:
    """Cut the run's candidate customers (ids above `after`) into chunks of RESCORE_CHUNK_CUSTOMERS, in
    id order, one row each (one query for the boundaries, one insert). Returns the customers planned."""
    ids_sql, params = rescore_candidates(plan).filter(id__gt=after).order_by().values("id").query.sql_with_params()
    # The inner statement is the ORM's own SQL; every value in it is a parameter.
    statement = (
        "SELECT min(id), max(id), count(*) FROM ("
        "SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS bucket FROM (" + ids_sql + ") candidates"  # nosec B608
        ") numbered GROUP BY bucket ORDER BY bucket"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [chunk_size(), *params])
        bounds = cursor.fetchall()
    RescoreChunk.objects.bulk_create(
        RescoreChunk(job_run=job_run, seq=seq, first_id=first, last_id=last, customers=n)
        for seq, (first, last, n) in enumerate(bounds)
    )
    return sum(n for _first, _last, n in bounds)


@dataclass
class ChunkWork:
    chunk: RescoreChunk
    customers: list[tuple]  # (id, team_id, rescore_from) as read
    examined: int
    changes: list[Rescored]


def chunk_score(plan: Plan, chunk: RescoreChunk) -> ChunkWork:
    """Read one chunk (three queries plus the rubric's three) and score it; nothing is written."""
    customers = list(
        rescore_candidates(plan)
        .filter(id__gte=chunk.first_id, id__lte=chunk.last_id)
        .order_by("id")
        .values_list("id", "team_id", "rescore_from")
    )
    if not customers:
        return ChunkWork(chunk, [], 0, [])
    ids = [c[0] for c in customers]
    team_ids = {c[1] for c in customers}
    interactions = Interaction.objects.filter(customer_id__gte=chunk.first_id, customer_id__lte=chunk.last_id)
    deliveries = GestureDelivery.objects.filter(customer_id__gte=chunk.first_id, customer_id__lte=chunk.last_id)
    if not plan.full:
        interactions = interactions.filter(customer_id__in=ids).filter(interaction_filter(plan))
        deliveries = deliveries.filter(customer_id__in=ids)
        since = [customer_since(plan, team_id, rescore_from) for _, team_id, rescore_from in customers]
        if all(s is not None for s in since):
            widest = timedelta(days=max(Team.objects.filter(id__in=team_ids).values_list("familiarity_window_days", flat=True)))
            deliveries = deliveries.filter(delivered_at__gte=min(since) - widest)
    scored = customers_assess(interactions, deliveries, team_ids)
    return ChunkWork(chunk, customers, scored.examined, scored.changes)


def chunk_commit(*, job_run_id: int, holder: str, work: ChunkWork) -> bool:
    """One transaction: the changed rows and their history, recovery, marks, the chunk done, then the
    heartbeat and the run's counters. False (nothing written) when the chunk was done already: a
    duplicate. A lost lock raises LockLost and rolls the chunk back."""
    ttl = timedelta(seconds=settings.RESCORE_LOCK_TTL_SECONDS)
    now = timezone.now()
    chunk = work.chunk
    with transaction.atomic():
        if not RescoreChunk.objects.select_for_update().filter(pk=chunk.pk, done_at__isnull=True).exists():
            return False
        level_changes = levels_write(
            work.changes, cause=LevelChange.Cause.RESCORE, job_run_id=job_run_id, now=now, customers=(chunk.first_id, chunk.last_id)
        )
        _rescore_from_clear(work.customers)
        RescoreChunk.objects.filter(pk=chunk.pk).update(done_at=now, examined=work.examined, changed=len(level_changes))
        # The lock and the run are one row each that every worker's chunk updates: touched last, so
        # another worker's chunk waits for them only for this commit, not for its whole write.
        if not lock_extend(name=LOCK_NAME, holder=holder, ttl=ttl):
            raise LockLost(f"The re-score lock was taken over; run #{job_run_id} stops before chunk {chunk.seq}.")
        JobRun.objects.filter(pk=job_run_id).update(
            done=F("done") + len(work.customers),
            rows_examined=F("rows_examined") + work.examined,
            rows_changed=F("rows_changed") + len(level_changes),
            heartbeat_at=now,
        )
    return True


def chunks_pending(job_run_id: int):
    return RescoreChunk.objects.filter(job_run_id=job_run_id, done_at__isnull=True).order_by("seq")


def _writer_close() -> None:
    connection.close()  # the writer thread's own connection


def chunks_run_here(*, job_run: JobRun, holder: str, progress: Progress | None = None) -> None:
    """Re-score the run's pending chunks in this process, in order.

    On PostgreSQL the commit of chunk k runs on a second connection while chunk k+1 is read and
    scored, so the database's writing and Python's scoring overlap. Chunks still commit one after
    the other, in order. Inside an outer transaction (tests) and on SQLite everything runs on the
    one connection.
    """
    plan = Plan.from_json(job_run.checkpoint["plan"])
    pause = settings.RESCORE_CHUNK_PAUSE_SECONDS
    pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore-writer") if pipelined else None
    pending = None

    def reported(future=None) -> None:
        if future is not None:
            future.result()  # re-raises what the commit raised (LockLost, database errors)
        job_run.refresh_from_db(fields=["done", "total", "rows_examined", "rows_changed"])
        if progress:
            progress(job_run.done, job_run.total)

    try:
        for chunk in list(chunks_pending(job_run.pk)):
            work = chunk_score(plan, chunk)
            if pending is not None:
                reported(pending)
                pending = None
            if writer is not None:
                pending = writer.submit(chunk_commit, job_run_id=job_run.pk, holder=holder, work=work)
            else:
                chunk_commit(job_run_id=job_run.pk, holder=holder, work=work)
                reported()
            if pause:
                if pending is not None:
                    reported(pending)
                    pending = None
                time.sleep(pause)
        if pending is not None:
            reported(pending)
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
