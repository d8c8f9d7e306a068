"""Managers' pages, kept simple: rules with the dumb-rules ranking, gestures, team settings, jobs;
and everyone's profile (language)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services as account_services
from accounts.selectors import managed_teams, team_list, team_setting_changes, user_manages
from interactions import services as interaction_services
from interactions.selectors import gesture_list, job_runs
from notifications.services import emails_dead
from recovery import selectors as recovery_selectors
from recovery import services as recovery_services

from ..forms import GestureCreateForm, GestureForm, ProfileForm, RuleForm, TeamSettingsForm
from ._common import add_service_errors


@login_required
@require_GET
def rule_list(request):
    context = {
        "rules": list(recovery_selectors.rules_ranked(user=request.user)[:200]),
        "days": recovery_selectors.DUMB_RULES_DAYS,
        "can_add": bool(request.user.is_manager),
    }
    return render(request, "web/rule_list.html", context)


def _managed_teams_or_403(user):
    teams = managed_teams(user=user)
    if not teams:
        raise PermissionDenied
    return teams


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    teams = _managed_teams_or_403(request.user)
    form = RuleForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recovery_services.rule_create(
                actor=request.user, team=form.teams[data["team"]], name=data["name"], description=data["description"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rule added."))
            return redirect("web:rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/rule_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def gesture_create(request):
    teams = _managed_teams_or_403(request.user)
    form = GestureCreateForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team = form.teams[data.pop("team")]
        try:
            interaction_services.gesture_create(actor=request.user, team=team, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Gesture added."))
            return redirect("web:gestures")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/gesture_edit.html", {"form": form, "gesture": None}, status=status)


@login_required
@require_GET
def gesture_index(request):
    gestures = list(gesture_list(user=request.user).select_related("team").order_by("team__name", "name"))
    for g in gestures:
        g.editable = user_manages(request.user, g.team_id)
    return render(request, "web/gesture_list.html", {"gestures": gestures, "can_add": bool(request.user.is_manager)})


@login_required
@require_http_methods(["GET", "POST"])
def gesture_edit(request, gesture_id: int):
    gesture = gesture_list(user=request.user).select_related("team").filter(pk=gesture_id).first()
    if gesture is None:
        raise Http404
    if not user_manages(request.user, gesture.team_id):
        raise PermissionDenied
    form = GestureForm(request.POST or None, instance=copy.copy(gesture))  # the form edits its own copy
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            interaction_services.gesture_update(actor=request.user, gesture=gesture, changes=changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Gesture saved."))
            return redirect("web:gestures")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/gesture_edit.html", {"form": form, "gesture": gesture}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request, team_id: int):
    team = team_list(user=request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404
    if not user_manages(request.user, team.id):
        raise PermissionDenied
    form = TeamSettingsForm(request.POST or None, instance=copy.copy(team))  # the form edits its own copy
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            account_services.team_update_settings(actor=request.user, team=team, changes=changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team settings saved."))
            return redirect("web:team-settings", team_id=team.pk)
    changes = team_setting_changes(team=team)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/team_settings.html", {"form": form, "team": team, "changes": changes}, status=status)


@login_required
@require_GET
def team_index(request):
    teams = managed_teams(user=request.user)
    if not teams:
        raise PermissionDenied
    if len(teams) == 1:
        return redirect("web:team-settings", team_id=teams[0].pk)
    return render(request, "web/team_list.html", {"teams": teams})


@login_required
@require_GET
def job_list(request):
    if not request.user.is_manager:
        raise PermissionDenied
    runs = job_runs()
    any_running = any(run.status == run.Status.RUNNING for run in runs)
    dead = emails_dead().order_by("-dead_at", "-id")
    context = {
        "runs": runs,
        "any_running": any_running,
        "dead_count": dead.count(),
        # Subjects and addresses name customers of every team: only admins read them.
        "dead_letters": list(dead[:20]) if request.user.is_admin else [],
    }
    return render(request, "web/job_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            account_services.user_update(actor=user, user=user, changes={"language": form.cleaned_data["language"]})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            language = user.language or translation.get_language_from_request(request)
            translation.activate(language)
            messages.success(request, _("Profile saved."))
            return redirect("web:profile")
    return render(request, "web/profile.html", {"form": form}, status=400 if form.errors else 200)
