"""Celery entry points of the drift jobs: thin, idempotent, safe to deliver twice (acks_late)."""

from celery import shared_task

from . import services


@shared_task(name="drift.rescore_levels", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def rescore_levels(full: bool = False) -> int:
    """Drift, then re-score (incremental, or everything with full=True). Returns the JobRun id."""
    return services.rescore_run(full=bool(full)).pk


@shared_task(name="drift.recompute_drift", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def recompute_drift() -> int:
    """Rule 6 on its own (nightly): records drift; the next incremental re-score applies it."""
    return services.drift_run().pk
