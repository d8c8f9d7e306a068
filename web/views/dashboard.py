"""The dashboard: frontline see their teams' open cases by SLA due and today's levels; managers
also the week's level mix, waiting bends, escalated cases and the dumb-rules top 5."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import selectors

OPEN_CASES_SHOWN = 25


@login_required
@require_GET
def dashboard(request):
    user = request.user
    context = {
        "now": timezone.now(),
        "open_cases": selectors.open_cases_by_due(user=user, limit=OPEN_CASES_SHOWN),
        "today_mix": selectors.level_mix_today(user=user),
    }
    if user.is_manager:
        context.update(
            week_mix=selectors.level_mix_week(user=user),
            pending_bends=selectors.pending_bends(user=user, limit=10),
            escalated=selectors.escalated_cases(user=user, limit=10),
            dumb_rules=selectors.dumb_rules_top(user=user, limit=5),
        )
    return render(request, "web/dashboard.html", context)


@login_required
@require_GET
def dashboard_open_cases(request):
    """The open-cases panel alone: htmx swaps it in every 60 s so the countdowns stay current."""
    context = {
        "now": timezone.now(),
        "open_cases": selectors.open_cases_by_due(user=request.user, limit=OPEN_CASES_SHOWN),
    }
    return render(request, "web/partials/open_cases.html", context)
