"""The dashboard: frontline see their teams' open cases by SLA due and today's levels; managers
also the week's level mix, waiting bends, escalated cases and the dumb-rules top 5. Everyone sees
the occasions of the next 14 days; managers a compact radar of their teams.

The panels are rendered once and kept in the cache (docs/performance.md, "Reading"): the key names
the viewer's teams, role, language and time zone, the current minute (the SLA countdowns and the
day's and week's start move with it) and the dashboard stamp, the newest level change, case event
and bend event, so any change a dashboard shows makes the next view render afresh.
"""

import hashlib
import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from accounts.selectors import team_ids_of
from interactions import selectors as interaction_selectors
from radar import selectors as radar_selectors
from recovery import selectors as recovery_selectors
from reports import trends

from ..charts import LevelChart, TrendChart

logger = logging.getLogger(__name__)

OPEN_CASES_SHOWN = 25
CUSTOMERS_SAID_SHOWN = 10
MY_CASES_SHOWN = 25
PANELS_CACHE_SECONDS = 60  # the minute is part of the key: an entry is of no use after that


def _open_cases(user, now) -> dict:
    return {"open_cases": recovery_selectors.open_cases_by_due(user=user, limit=OPEN_CASES_SHOWN)}


def _dashboard_panels(user, now) -> dict:
    said = interaction_selectors.customers_said(user=user, limit=CUSTOMERS_SAID_SHOWN, now=now)
    context = {**_open_cases(user, now), "customers_said": said}
    context["occasions"] = radar_selectors.dashboard_occasions(user=user, at=now)
    if not user.is_manager:
        return {**context, "today_mix": LevelChart(interaction_selectors.level_mix_today(user=user, now=now))}
    today_mix, week_mix = interaction_selectors.level_mixes_today_and_week(user=user, now=now)
    context.update(
        today_mix=LevelChart(today_mix),
        week_mix=LevelChart(week_mix),
        pending_bends=recovery_selectors.pending_bends(user=user, limit=10),
        escalated=recovery_selectors.escalated_cases(user=user, limit=10),
        dumb_rules=recovery_selectors.dumb_rules_top(user=user, limit=5),
        radar=radar_selectors.radar_summaries(user=user, at=now),
    )
    return context


def _panels_key(user, template: str, now, extra: str, stamp) -> str:
    teams = team_ids_of(user)
    parts = [
        template,
        extra,
        "all" if teams is None else ",".join(map(str, sorted(teams))),
        "manager" if user.is_manager else "frontline",
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
        *map(str, stamp),
    ]
    return "dashboard:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _panels(request, template: str, build, extra: str = "") -> str:
    """`template` rendered with build(user, now), from the cache while nothing it shows changed.
    Without a cache (Redis down) the panels are rendered for each request, as before."""
    now = timezone.now()
    if not hasattr(request, "_cx_dashboard_stamp"):  # one look-up per request, however many sections
        request._cx_dashboard_stamp = recovery_selectors.latest_changes()
    key = _panels_key(request.user, template, now, extra, request._cx_dashboard_stamp)
    try:
        html = cache.get(key)
    except Exception as exc:  # noqa: BLE001  (cache down: render without it)
        logger.warning("dashboard cache unavailable: %s", exc)
        html = key = None
    if html is None:
        html = render_to_string(template, {"now": now, **build(request.user, now)}, request=request)
        if key is not None:
            try:
                cache.set(key, html, PANELS_CACHE_SECONDS)
            except Exception as exc:  # noqa: BLE001
                logger.warning("dashboard cache unavailable: %s", exc)
    return html  # render_to_string's SafeString, pickled as one by the cache


@login_required
@require_GET
def dashboard(request):
    panels = _panels(request, "web/partials/dashboard_panels.html", _dashboard_panels)
    # "My cases", the frontline's home queue: the viewer's own, so never from the shared cache.
    mine = recovery_selectors.my_cases(user=request.user, limit=MY_CASES_SHOWN)
    trend, valid = _trend(request)
    context = {"panels": panels, "my_cases": mine, "now": timezone.now(), "trend_section": trend}
    return render(request, "web/dashboard.html", context, status=200 if valid else 400)


def _trend(request) -> tuple[str, bool]:
    """The level mix over the period the URL names (docs/web.md, "The dashboard's trend"), cached
    like the panels with the URL's filters in the key; a bad filter is the form with its messages."""
    form = trends.TrendQuery(request.GET, today=timezone.localdate())
    if not form.is_valid():
        context = {"trend_form": form, "trend_choices": trends.trend_choices(user=request.user)}
        return render_to_string("web/_trend.html", context, request=request), False

    def build(user, now):
        trend = trends.level_trend(user=user, **form.cleaned_data)
        return {"trend_form": form, "trend_choices": trends.trend_choices(user=user), "trend": trend, "trend_chart": TrendChart(trend)}

    return _panels(request, "web/_trend.html", build, extra=request.GET.urlencode()), True


@login_required
@require_GET
def dashboard_open_cases(request):
    """The open-cases panel alone: htmx swaps it in every 60 s so the countdowns stay current."""
    return HttpResponse(_panels(request, "web/partials/open_cases.html", _open_cases))
