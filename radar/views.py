"""The radar's pages: the radar for managers (with its chart), the per-person view and the ideas."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import StateConflict
from accounts.selectors import team_list, user_manages
from recovery.models import Rule

from . import selectors, services
from .chart import drift_chart_png
from .drift_watch import drift_watch
from .forms import IdeaDecisionForm, IdeaForm
from .models import Idea
from .people import PEOPLE_DAYS, people_figures, people_visible


def _chosen_team(request, teams):
    wanted = request.GET.get("team")
    if wanted is None:
        return teams[0] if teams else None
    return selectors.radar_team(user=request.user, team_id=wanted)


@login_required
@require_GET
def radar_page(request):
    if not request.user.is_manager:
        raise PermissionDenied
    teams = list(selectors.radar_teams(user=request.user))
    try:
        team = _chosen_team(request, teams)
    except ValidationError:
        raise Http404 from None
    context = {"teams": teams, "team": team}
    if team is not None:
        context["radar"] = selectors.radar_for(team=team)
    return render(request, "radar/radar.html", context)


@login_required
@require_GET
def radar_chart(request):
    try:
        team = selectors.radar_team(user=request.user, team_id=request.GET.get("team"))
    except ValidationError as exc:
        return HttpResponse("\n".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(drift_chart_png(drift_watch(team=team), float(team.drift_share)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def people_page(request):
    teams = list(team_list(user=request.user).order_by("name"))
    wanted = request.GET.get("team")
    team = next((t for t in teams if str(t.id) == wanted), None) if wanted else (teams[0] if teams else None)
    if wanted and team is None:
        raise Http404
    people = people_figures(team=team, users=people_visible(viewer=request.user, team=team)) if team else []
    return render(request, "radar/people.html", {"teams": teams, "team": team, "people": people, "days": PEOPLE_DAYS})


def _idea_form(request, data=None):
    teams = team_list(user=request.user).order_by("name")
    rules = Rule.objects.filter(team__in=teams, active=True).order_by("name")
    return IdeaForm(data, teams=teams, rules=rules)


@login_required
@require_http_methods(["GET", "POST"])
def idea_page(request):
    form = _idea_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.idea_propose(
                    actor=request.user, team=data["team"], kind=data["kind"], title=data["title"], story=data["story"],
                    rule=data["rule"] if data["kind"] == Idea.Kind.DUMB_RULE else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Thank you: your idea is with the team's managers."))
                return redirect("radar:ideas")
        status = 400
    ideas = list(selectors.idea_list(user=request.user).order_by("-proposed_at", "-id")[:100])
    for idea in ideas:
        idea.decidable = idea.status == Idea.Status.PROPOSED and user_manages(request.user, idea.team_id)
    return render(request, "radar/ideas.html", {"form": form, "ideas": ideas, "decision_form": IdeaDecisionForm()}, status=status)


@login_required
@require_POST
def idea_decide(request, idea_id: int):
    idea = selectors.idea_list(user=request.user).filter(pk=idea_id).first()
    if idea is None:
        raise Http404
    form = IdeaDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
        return redirect("radar:ideas")
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "accept":
            idea = services.idea_accept(actor=request.user, idea=idea, note=note)
            messages.success(request, _("Accepted.") + (" " + _("A draft gesture was added: complete it on the gestures page.") if idea.gesture_id else ""))
        else:
            services.idea_decline(actor=request.user, idea=idea, note=note)
            messages.success(request, _("Declined."))
    except (ValidationError, StateConflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [getattr(exc, "message", str(exc))]))
    return redirect("radar:ideas")


