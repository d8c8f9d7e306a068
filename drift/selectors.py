"""Reads of the drift jobs: runs for managers, materialized expectation profiles for lists and reports."""

from django.db.models import QuerySet

from accounts.selectors import scope_to_teams
from interactions.models import GestureDrift, JobRun

from .models import ExpectationStanding


def job_run_list(*, user) -> QuerySet:
    """Background runs (re-score, drift): managers and admins see them all (they are not per team)."""
    if not (user and user.is_authenticated and user.is_manager):
        return JobRun.objects.none()
    return JobRun.objects.all()


def standing_list(*, user, customer_ids=None, team_id=None) -> QuerySet:
    """Materialized expectation standings of the viewer's teams' customers, as of the last run."""
    qs = scope_to_teams(ExpectationStanding.objects.select_related("gesture"), user)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("customer_id", "gesture__name")


def expected_gestures_at_risk(*, team_id: int) -> QuerySet:
    """Recurring gestures that became Expected or Basic for a customer: omitting them caps the level."""
    return ExpectationStanding.objects.filter(team_id=team_id, omission_cap__isnull=False).select_related("customer", "gesture")


def gestures_that_lost_a_level(*, team_id: int, since, until) -> QuerySet:
    """For the weekly report: drift recorded with an effective date in [since, until)."""
    return (
        GestureDrift.objects.filter(gesture__team_id=team_id, effective_from__gte=since, effective_from__lt=until)
        .select_related("gesture")
        .order_by("effective_from")
    )
