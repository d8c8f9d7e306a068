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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_is_member, user_manages
from interactions.models import Gesture
from recovery import selectors as recovery_selectors
from recovery import services as recovery_services
from recovery.models import RecoveryCase

from .. import selectors
from ..forms import CaseCloseForm, CaseFixForm, CaseSurpriseForm
from ._common import StateConflict, add_service_errors

Status = RecoveryCase.Status


@login_required
@require_GET
def case_board(request):
    board = selectors.case_board(user=request.user)
    columns = [(status, label, board[status]) for status, label in Status.choices]
    return render(request, "web/case_board.html", {"columns": columns, "now": timezone.now()})


def allowed_actions(user, case: RecoveryCase) -> set[str]:
    """What this user may do to this case now: fix, surprise, close (after a surprise),
    close_without_surprise (managers, with a reason), bend."""
    if not user_is_member(user, case.team_id):
        return set()
    actions = {"bend"} if case.status != Status.CLOSED else set()
    if case.status == Status.OPEN:
        actions.add("fix")
    elif case.status == Status.FIXED:
        actions.add("surprise")
        if user_manages(user, case.team_id):
            actions.add("close_without_surprise")
    elif case.status == Status.SURPRISED:
        actions.add("close")
    return actions


def _case_or_404(request, case_id):
    case = selectors.case_detail(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    return case


def _surprise_gestures(case):
    """The recommendations (never received, highest level, fitting their preferences first), then the
    team's other active gestures."""
    recommended = recovery_selectors.gestures_recommended(case=case)
    chosen = {r.gesture.pk for r in recommended}
    others = [g for g in Gesture.objects.filter(team_id=case.team_id, active=True).order_by("name", "id") if g.pk not in chosen]
    return recommended, [r.gesture for r in recommended] + others


def _render_case(request, case, *, status=200, **forms):
    actions = allowed_actions(request.user, case)
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
        "close_form": forms.get("close_form") or CaseCloseForm(needs_reason=case.status == Status.FIXED),
    }
    return render(request, "web/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request, case_id: int):
    return _render_case(request, _case_or_404(request, case_id))


def _act(request, case, action, form, call, form_name):
    if not user_is_member(request.user, case.team_id):
        raise PermissionDenied
    if action == "close_without_surprise" and not user_manages(request.user, case.team_id):
        raise PermissionDenied
    if action not in allowed_actions(request.user, case):
        messages.error(request, _("This case has moved on: it is %(status)s now.") % {"status": case.get_status_display()})
        return redirect("web:case-detail", case_id=case.pk)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except StateConflict as exc:
            messages.error(request, exc.message)
            return redirect("web:case-detail", case_id=case.pk)
        else:
            return redirect("web:case-detail", case_id=case.pk)
    return _render_case(request, case, status=400, **{form_name: form})


@login_required
@require_POST
def case_fix(request, case_id: int):
    case = _case_or_404(request, case_id)

    def call(data):
        recovery_services.case_fix(actor=request.user, case=case, note=data["note"])
        messages.success(request, _("Case marked fixed. Next: surprise the customer."))

    return _act(request, case, "fix", CaseFixForm(request.POST), call, "fix_form")


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
    return _act(request, case, "surprise", form, call, "surprise_form")


@login_required
@require_POST
def case_close(request, case_id: int):
    case = _case_or_404(request, case_id)
    without_surprise = case.status == Status.FIXED
    action = "close_without_surprise" if without_surprise else "close"

    def call(data):
        recovery_services.case_close(
            actor=request.user, case=case, note=data.get("note") or "", reason=data.get("reason") or ""
        )
        messages.success(request, _("Case closed."))

    form = CaseCloseForm(request.POST, needs_reason=without_surprise)
    return _act(request, case, action, form, call, "close_form")
