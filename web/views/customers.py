"""Customers: a searchable list and each customer's page (history, escalator, recommended surprise)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import scope_to_teams
from interactions import services as interaction_services
from interactions.selectors import expectation_profile
from recovery import services as recovery_services
from recovery.models import RecoveryCase

from .. import selectors
from ..forms import CustomerSearchForm

@login_required
@require_GET
def customer_list(request):
    form = CustomerSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    customers = selectors.customer_search(user=request.user, query=query, limit=100)
    return render(request, "web/customer_list.html", {"form": form, "customers": customers, "query": query})


@login_required
@require_GET
def customer_detail(request, customer_id: int):
    customer = selectors.customer_for_viewer(user=request.user, customer_id=customer_id)
    if customer is None:
        raise Http404
    profile = expectation_profile(customer=customer)
    history = selectors.customer_history(customer=customer)
    open_cases = list(
        scope_to_teams(RecoveryCase.objects.filter(customer=customer), request.user)
        .exclude(status=RecoveryCase.Status.CLOSED)
        .order_by("fix_due", "id")
    )
    for case in open_cases:
        case.status_link = recovery_services.case_status_url(case)
    latest = history[0] if history else None
    context = {
        "customer": customer,
        "profile": profile,
        "recommended": selectors.recommended_surprises(profile),
        "history": history,
        "open_cases": open_cases,
        "latest_feedback_url": interaction_services.feedback_url(latest) if latest else "",
        "latest": latest,
    }
    return render(request, "web/customer_detail.html", context)
