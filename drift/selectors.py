"""Reads of the drift jobs: their runs, for managers."""

from django.db.models import QuerySet

from interactions.models import JobRun


def job_run_list(*, user) -> QuerySet:
    """Background runs (re-score, drift): managers and admins see them all (they are not per team)."""
    if not (user and user.is_authenticated and user.is_manager):
        return JobRun.objects.none()
    return JobRun.objects.all()
