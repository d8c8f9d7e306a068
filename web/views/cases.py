"""Recovery cases: the board by state, a case's page with its timeline, and its actions.

Actions are shown only when the case's state and the user's role allow them; the recovery
services refuse them again on the server.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import people_of_teams, team_people
from interactions.selectors import gestures_offered
from recovery import selectors as recovery_selectors
from recovery import services as recovery_services
from recovery import workflow
from recovery.models import RecoveryCase

from ..forms import CaseAssignForm, CaseBoardFilterForm, CaseCloseForm, CaseFixForm, CaseNoteForm, CaseSurpriseForm
from ._common import StateConflict, add_service_errors

Status = RecoveryCase.Status


@login_required
@require_GET
def case_board(request):
    """The board by state, filtered by owner, state, level, overdue and channel; the filters live in
    the URL. `?owner=me` is the frontline's "my cases"."""
    form = CaseBoardFilterForm(
        request.GET or None, members=people_of_teams(user=request.user), statuses=Status.choices,
        severities=RecoveryCase._meta.get_field("severity").choices,
    )
    status = 200
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        else:
            status = 400
    board = recovery_selectors.case_board(user=request.user, filters=filters)
    shown = [filters["status"]] if filters.get("status") else Status.values
    columns = [(value, label, board[value]) for value, label in Status.choices if value in shown]
    context = {"columns": columns, "now": timezone.now(), "filter_form": form, "filtered": bool(filters),
               "mine": filters.get("owner") == "me", "here": request.get_full_path()}
    return render(request, "web/case_board.html", context, status=status)


def _case_or_404(request, case_id):
    case = recovery_selectors.case_detail(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    return case


def _surprise_gestures(case):
    """The recommendations (never received, highest level, fitting their preferences first), then the
    team's other active gestures."""
    recommended = recovery_selectors.gestures_recommended(case=case)
    chosen = {r.gesture.pk for r in recommended}
    others = [g for g in gestures_offered(team_id=case.team_id) if g.pk not in chosen]
    return recommended, [r.gesture for r in recommended] + others


def _render_case(request, case, *, status=200, conflict="", **forms):
    actions = workflow.case_actions(request.user, case)
    recommended, ordered = _surprise_gestures(case) if "surprise" in actions else ([], [])
    context = {
        "case": case,
        "events": list(case.events.all()),
        "bends": list(case.bends.all()),
        "actions": actions,
        "recommended": recommended,
        "now": timezone.now(),
        "status_link": recovery_services.case_status_url(case),
        "fix_form": forms.get("fix_form") or CaseFixForm(),
        "surprise_form": forms.get("surprise_form") or CaseSurpriseForm(gestures=ordered),
        "close_form": forms.get("close_form") or CaseCloseForm(needs_reason=_needs_reason(case)),
        "assign_form": forms.get("assign_form") or CaseAssignForm(members=team_people(team_id=case.team_id), initial={"owner": case.owner_id}),
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "follow_ups": recovery_selectors.case_follow_ups(case=case),
        "escalated": case.is_escalated(timezone.now()),
        "conflict": conflict,
        "due_what": case.deadline[0],
        "due": case.deadline[1],
    }
    return render(request, "web/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request, case_id: int):
    return _render_case(request, _case_or_404(request, case_id))


def _needs_reason(case) -> bool:
    return workflow.close_action(case) == workflow.CLOSE_WITHOUT_SURPRISE


def _conflict(request, case, message):
    """A stale action (the case moved on meanwhile): the page again, saying why, as a 409."""
    case = _case_or_404(request, case.pk)
    return _render_case(request, case, status=409, conflict=message)


def _next_or_case(request, case):
    """Back where the action was taken (the board keeps its filters), else the case's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("web:case-detail", case_id=case.pk)


def _act(request, case, action, form, call, form_name):
    """The workflow decides (recovery.workflow), exactly as for the API: 403 when the user may never
    do this here, 409 with the reason on the page when the case's state does not allow it now."""
    verdict = workflow.case_action_verdict(request.user, case, action)
    if verdict.outcome == workflow.FORBIDDEN:
        raise PermissionDenied(verdict.message)
    if verdict.outcome == workflow.CONFLICT:
        return _conflict(request, case, verdict.message)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except StateConflict as exc:
            return _conflict(request, case, exc.message)
        else:
            return _next_or_case(request, case)
    return _render_case(request, case, status=400, **{form_name: form})


@login_required
@require_POST
def case_fix(request, case_id: int):
    case = _case_or_404(request, case_id)

    def call(data):
        recovery_services.case_fix(
            actor=request.user, case=case, note=data["note"], customer_message=data["customer_message"]
        )
        messages.success(request, _("Case marked fixed. Next: surprise the customer."))

    return _act(request, case, workflow.FIX, CaseFixForm(request.POST), call, "fix_form")


@login_required
@require_POST
def case_surprise(request, case_id: int):
    case = _case_or_404(request, case_id)
    ordered = _surprise_gestures(case)[1]
    gestures = {g.pk: g for g in ordered}

    def call(data):
        recovery_services.case_surprise(
            actor=request.user, case=case, gesture=gestures[data["gesture"]], note=data.get("note") or ""
        )
        messages.success(request, _("Surprise recorded."))

    form = CaseSurpriseForm(request.POST, gestures=list(gestures.values()))
    return _act(request, case, workflow.SURPRISE, form, call, "surprise_form")


@login_required
@require_POST
def case_close(request, case_id: int):
    case = _case_or_404(request, case_id)
    without_surprise = _needs_reason(case)
    action = workflow.close_action(case)

    def call(data):
        recovery_services.case_close(
            actor=request.user, case=case, note=data.get("note") or "", reason=data.get("reason") or ""
        )
        messages.success(request, _("Case closed."))

    form = CaseCloseForm(request.POST, needs_reason=without_surprise)
    return _act(request, case, action, form, call, "close_form")


@login_required
@require_POST
def case_assign(request, case_id: int):
    """Assign (or take, with owner=me) a case: from its page or from the board."""
    case = _case_or_404(request, case_id)

    def call(data):
        case_now = recovery_services.case_assign(actor=request.user, case=case, owner=data["owner"])
        if case_now.owner_id == request.user.pk:
            messages.success(request, _("Case #%(id)s is yours now.") % {"id": case.pk})
        else:
            messages.success(request, _("Case #%(id)s assigned to %(who)s.") % {"id": case.pk, "who": case_now.owner.get_username()})

    form = CaseAssignForm(request.POST, members=team_people(team_id=case.team_id), me=request.user)
    return _act(request, case, workflow.ASSIGN, form, call, "assign_form")


@login_required
@require_POST
def case_note(request, case_id: int):
    """An internal note on the timeline: the team reads it, the customer never does."""
    case = _case_or_404(request, case_id)

    def call(data):
        recovery_services.case_note_add(actor=request.user, case=case, note=data["note"])
        messages.success(request, _("Note added."))

    return _act(request, case, workflow.NOTE, CaseNoteForm(request.POST), call, "note_form")
