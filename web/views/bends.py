"""Rule bends: the request form (from a case or a customer), the managers' approval queue with
inline approve/reject (htmx; a plain form post without JS), and the decided bends with who and why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import user_is_member, user_manages
from interactions.selectors import customer_for_viewer
from recovery import selectors
from recovery import services as recovery_services
from recovery.models import RuleBend

from ..forms import BendDecisionForm, BendRequestForm
from ._common import StateConflict, add_service_errors, is_htmx


def can_decide(user, bend: RuleBend) -> bool:
    """Managers of the bend's team within their approval limit (admins anywhere), never on their own request."""
    return bend.status == RuleBend.Status.PENDING and recovery_services.bend_may_decide(user, bend)[0]


@login_required
@require_GET
def bend_list(request):
    """The queue shows only the bends the viewer can decide, oldest first with their age; the rest of
    the team's pending bends are listed under "waiting for others", saying who decides them."""
    user = request.user
    pending = selectors.pending_bends(user=user, decidable=True)
    for bend in pending:
        bend.decidable = can_decide(user, bend)
    waiting = selectors.pending_bends(user=user, decidable=False)
    for bend in waiting:
        bend.decidable = False
    context = {"pending": pending, "waiting": waiting, "decided": selectors.decided_bends(user=user), "now": timezone.now()}
    return render(request, "web/bend_list.html", context)


@login_required
@require_POST
def bend_decide(request, bend_id: int):
    bend = selectors.bend_for_decision(user=request.user, bend_id=bend_id)
    if bend is None:
        raise Http404
    if not user_manages(request.user, bend.team_id) or bend.requested_by_id == request.user.pk:
        raise PermissionDenied
    form = BendDecisionForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose approve or reject.")
    else:
        try:
            bend = recovery_services.bend_decide(
                actor=request.user,
                bend=bend,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data.get("note") or "",
            )
        except StateConflict as exc:
            if is_htmx(request):  # the row as it is now, saying why the decision did not count (409)
                bend = selectors.bend_for_decision(user=request.user, bend_id=bend.pk)
                bend.decidable = can_decide(request.user, bend)
                return render(request, "web/partials/bend_row.html", {"bend": bend, "error": exc.message}, status=409)
            messages.error(request, exc.message)
            return redirect("web:bends")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if is_htmx(request):
        bend = selectors.bend_for_decision(user=request.user, bend_id=bend.pk)
        bend.decidable = can_decide(request.user, bend)
        return render(request, "web/partials/bend_row.html", {"bend": bend, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        approved = bend.status == RuleBend.Status.APPROVED
        messages.success(request, _("Bend approved.") if approved else _("Bend rejected."))
    return redirect("web:bends")


@login_required
@require_http_methods(["GET", "POST"])
def bend_request(request):
    """Ask to bend a rule for a case or a customer of one of your teams."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    case = selectors.case_detail(user=user, case_id=source.get("case")) if str(source.get("case", "")).isdigit() else None
    customer = case.customer if case else customer_for_viewer(user=user, customer_id=source.get("customer"))
    if customer is None:
        raise Http404
    if not user_is_member(user, customer.team_id):
        raise PermissionDenied
    rules = selectors.rules_to_bend(user=user, team_id=customer.team_id)
    rules_by_id = {r.id: r for r in rules}
    initial = {"case": case.pk if case else None, "customer": customer.pk}
    if request.method == "POST":
        form = BendRequestForm(request.POST, rules=rules, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bend = recovery_services.bend_request(
                    actor=user,
                    rule=rules_by_id[data["rule"]],
                    case=case,
                    customer=None if case else customer,
                    justification=data["justification"],
                    cost=data["cost"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if bend.status == RuleBend.Status.APPROVED:
                    messages.success(request, _("Within the say-yes threshold: approved at once."))
                else:
                    messages.success(request, _("Bend requested. %(who)s") % {"who": recovery_services.bend_decider_words(bend)})
                return redirect("web:case-detail", case_id=case.pk) if case else redirect(
                    "web:customer-detail", customer_id=customer.pk
                )
        status = 400
    else:
        form = BendRequestForm(rules=rules, initial=initial)
        status = 200
    return render(request, "web/bend_request.html", {"form": form, "case": case, "customer": customer}, status=status)
