"""The report in the app: the page, its chart and the CSV download (managers and admins, their teams)."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .exports import report_csv
from .figures import chart_names, weekly_report
from .selectors import report_request, reportable_teams
from .services import report_context
from .weeks import last_full_week


def _team_and_week(request, params=None):
    """The validated team and week, or the messages of a 400."""
    try:
        return report_request(user=request.user, params=request.GET if params is None else params), None
    except ValidationError as exc:
        errors = [f"{field}: {m}" for field, messages in exc.message_dict.items() for m in messages]
        return None, errors


@login_required
@require_GET
def weekly(request):
    if not request.user.is_manager:
        raise PermissionDenied
    teams = list(reportable_teams(user=request.user))
    params = request.GET.copy()
    if "team" not in params and teams:  # the page opens on the viewer's first team and the last full week
        params["team"] = str(teams[0].id)
    if "week" not in params and teams:
        chosen = next((t for t in teams if str(t.id) == params["team"]), teams[0])
        params["week"] = str(last_full_week(timezone.now(), chosen.tz))
    selected, errors = _team_and_week(request, params)
    context = {"teams": teams, "params": params, "errors": errors}
    if selected:
        team, week = selected
        report = weekly_report(team, week)
        query = urlencode({"team": team.id, "week": str(week)})
        context.update(
            report_context(report, chart_src=f"{reverse('reports:weekly-chart')}?{query}&chart="),
            csv_url=f"{reverse('reports:weekly-csv')}?{query}",
            previous_url=f"{reverse('reports:weekly')}?{urlencode({'team': team.id, 'week': str(week.previous())})}",
            next_url=(
                f"{reverse('reports:weekly')}?{urlencode({'team': team.id, 'week': str(week.shift(1))})}"
                if week.shift(1).bounds(team.tz)[0] <= timezone.now() else ""
            ),
        )
    return render(request, "reports/weekly.html", context, status=400 if errors else 200)


def _plain_400(errors: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")


def _for_team_and_week(view):
    """A download of one team's week: signed in, GET, a valid team and week (else a plain-text 400)."""

    @login_required
    @require_GET
    @functools.wraps(view)
    def wrapper(request):
        selected, errors = _team_and_week(request)
        return _plain_400(errors) if errors else view(request, *selected)

    return wrapper


@_for_team_and_week
def weekly_chart(request, team, week):
    name = request.GET.get("chart") or chart_names()[0]
    if name not in chart_names():
        return _plain_400([f"chart: no chart named {name!r}"])
    response = HttpResponse(weekly_report(team, week).chart(name), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@_for_team_and_week
def weekly_csv(request, team, week):
    response = HttpResponse(report_csv(weekly_report(team, week)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="weekly-report-team{team.id}-{week}.csv"'
    return response
