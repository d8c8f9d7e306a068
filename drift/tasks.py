"""Celery entry points of the drift jobs: thin, idempotent, safe to deliver twice (acks_late)."""

from celery import shared_task

from . import services


@shared_task(name="drift.rescore_levels", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def rescore_levels(full: bool = False) -> int:
    """Drift, then re-score (incremental, or everything with full=True) as one task per chunk, which
    every worker takes. Returns the JobRun id."""
    return services.rescore_start(full=bool(full)).pk


@shared_task(name="drift.rescore_chunk", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def rescore_chunk(run_id: int, chunk_id: int) -> bool:
    """One chunk of a re-score run; a duplicate delivery writes nothing."""
    return services.chunk_rescore(run_id=run_id, chunk_id=chunk_id)


@shared_task(name="drift.recompute_drift", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def recompute_drift() -> int:
    """Rule 6 on its own (nightly): records drift; the next incremental re-score applies it."""
    return services.drift_run().pk
