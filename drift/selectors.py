"""Reads of the drift jobs: runs for managers, drift for the weekly report."""

from django.db.models import QuerySet

from interactions.models import GestureDrift, JobRun



def job_run_list(*, user) -> QuerySet:
    """Background runs (re-score, drift): managers and admins see them all (they are not per team)."""
    if not (user and user.is_authenticated and user.is_manager):
        return JobRun.objects.none()
    return JobRun.objects.all()


def gestures_that_lost_a_level(*, team_id: int, since, until) -> QuerySet:
    """For the weekly report: drift recorded with an effective date in [since, until)."""
    return (
        GestureDrift.objects.filter(gesture__team_id=team_id, effective_from__gte=since, effective_from__lt=until)
        .select_related("gesture")
        .order_by("effective_from")
    )
