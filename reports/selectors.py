"""Reads of the weekly report, scoped to the viewer: managers see their own teams', admins every team's."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.selectors import team_list, user_manages

from .forms import WeeklyReportQuery
from .weeks import IsoWeek, check_not_future


def report_request(*, user, params, now: datetime | None = None) -> tuple[Team, IsoWeek]:
    """Validate `team` and `week` for this viewer: 403 not a manager, 400 bad input, 404 not their team."""
    if not (user and user.is_authenticated and user.is_manager):
        raise PermissionDenied(_("Only managers and admins can see the weekly report."))
    form = WeeklyReportQuery(params)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    team, week = form.cleaned_data["team"], form.cleaned_data["week"]
    if not user_manages(user, team.id):
        raise Http404(_("No such team."))
    try:
        check_not_future(week, now=now or timezone.now(), tz=team.tz)
    except ValidationError as exc:
        raise ValidationError({"week": exc.messages})
    return team, week


def reportable_teams(*, user):
    """The teams whose report this viewer may read (the page's team picker)."""
    if not (user and user.is_authenticated and user.is_manager):
        return Team.objects.none()
    return team_list(user=user).order_by("name")
