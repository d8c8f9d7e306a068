"""The customer's pages (no login): the case status and the recovered-level rating."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import StateConflict
from interactions.customer_pages import chosen_level, customer_page
from interactions.levels import CUSTOMER_CHOICES

from .models import RecoveryCase
from .services import links
from .services import steps as recovery_steps


def _not_found(request):
    """Unknown, malformed and expired links all look the same: a plain 404, never a 500."""
    return render(request, "recovery/link_invalid.html", {}, status=404)


def _steps(case: RecoveryCase) -> list[dict]:
    """The case's progress in plain words: no staff names, no internal notes."""
    tz = case.team.tz
    day = lambda at: timezone.localtime(at, tz)  # noqa: E731
    steps = [{"title": _("We are fixing it"), "done": case.fixed_at is not None, "at": day(case.opened_at),
              "text": _("We know something went wrong and we are putting it right.")}]
    if case.fixed_at:
        steps.append({"title": _("Fixed on %(date)s") % {"date": date_format(day(case.fixed_at), "j F Y")}, "done": True,
                      "at": day(case.fixed_at), "text": _("The problem has been fixed."), "message": case.customer_message})
    if case.surprised_at:
        steps.append({"title": _("A little something for you"), "done": True, "at": day(case.surprised_at),
                      "text": _("To say sorry, we added something extra for you.")})
    if case.closed_at:
        steps.append({"title": _("Closed"), "done": True, "at": day(case.closed_at),
                      "text": _("This case is closed. Thank you for your patience.")})
    return steps


@customer_page
@require_safe
def case_status(request, token: str):
    case = links.case_by_status_token(token)
    if case is None:
        return _not_found(request)
    rate_url = None
    if case.status == RecoveryCase.Status.CLOSED and case.recovered_level is None:
        rate_url = reverse("case-recovered-feedback", args=[links.recovered_token(case)])
    response = render(request, "recovery/status.html", {"case": case, "team_name": case.team.name, "team_tz": case.team.timezone, "steps": _steps(case), "rate_url": rate_url})
    return response


@customer_page
@require_http_methods(["GET", "POST"])
def case_recovered_feedback(request, token: str):
    case = links.case_by_recovered_token(token)
    if case is None:
        return _not_found(request)
    errors = []
    status_code = 200
    if request.method == "POST" and case.recovered_level is None:
        try:
            case = recovery_steps.case_recovered_rate(case=case, level=request.POST.get("level", ""))
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
            status_code = 400
        except StateConflict:
            case.refresh_from_db()
    context = {
        "case": case,
        "team_name": case.team.name,
        "choices": CUSTOMER_CHOICES,
        "chosen": chosen_level(request) if case.recovered_level is None else None,
        "errors": errors,
    }
    return render(request, "recovery/recovered.html", context, status=status_code)
