"""Customers: a searchable list and each customer's page (history, escalator, recommended surprise)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from interactions import selectors
from interactions import services as interaction_services
from recovery import services as recovery_services
from recovery.selectors import customer_open_cases

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
    profile = selectors.expectation_profile(customer=customer)
    history = selectors.customer_history(customer=customer)
    open_cases = customer_open_cases(user=request.user, customer=customer)
    for case in open_cases:
        case.status_link = recovery_services.case_status_url(case)
    latest = history[0] if history else None
    context = {
        "customer": customer,
        "profile": profile,
        "recommended": selectors.surprises_never_received(profile),
        "history": history,
        "open_cases": open_cases,
        "latest_feedback_url": interaction_services.feedback_url(latest) if latest else "",
        "latest": latest,
    }
    return render(request, "web/customer_detail.html", context)
