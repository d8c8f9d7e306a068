"""The webhooks page of a team (its managers and admins): subscriptions, their deliveries and attempts,
"send again" and a ping. As thin as the API: every write is a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import StateConflict
from accounts.models import Team
from accounts.selectors import user_manages

from . import selectors, services
from .forms import SubscriptionForm
from .models import EventType
from .schedule import RETRY_PAUSES, pause_words

PAGE_DELIVERIES = 30


def _team_managed(request, team_id: int) -> Team:
    team = get_object_or_404(Team, pk=team_id)
    if not user_manages(request.user, team.pk):
        raise PermissionDenied
    return team


def _subscription(request, team: Team, subscription_id: int):
    return get_object_or_404(selectors.subscription_list(user=request.user).filter(team=team), pk=subscription_id)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request, team_id: int):
    team = _team_managed(request, team_id)
    form = SubscriptionForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.subscription_create(
                actor=request.user, team=team, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            form = SubscriptionForm()
    context = {
        "team": team,
        "form": form,
        "created": created,  # shown with its secret, this once
        "subscriptions": list(selectors.subscription_list(user=request.user).filter(team=team).order_by("id")),
        "event_labels": dict(EventType.choices),
    }
    status = 400 if request.method == "POST" and created is None else 200
    return render(request, "webhooks/subscription_list.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def subscription_detail(request, team_id: int, subscription_id: int):
    team = _team_managed(request, team_id)
    subscription = _subscription(request, team, subscription_id)
    deliveries = list(selectors.delivery_list(subscription=subscription)[:PAGE_DELIVERIES])
    context = {"team": team, "subscription": subscription, "deliveries": deliveries, "retry_pauses": [pause_words(p) for p in RETRY_PAUSES]}
    return render(request, "webhooks/subscription_detail.html", context)


def _act(request, action, success: str):
    try:
        action()
    except (StateConflict, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def subscription_ping(request, team_id: int, subscription_id: int):
    team = _team_managed(request, team_id)
    subscription = _subscription(request, team, subscription_id)
    _act(request, lambda: services.subscription_ping(actor=request.user, subscription=subscription), _("Ping sent."))
    return redirect("webhooks:detail", team.pk, subscription.pk)


@login_required
@require_POST
def subscription_switch(request, team_id: int, subscription_id: int):
    team = _team_managed(request, team_id)
    subscription = _subscription(request, team, subscription_id)
    active = not subscription.active
    _act(
        request,
        lambda: services.subscription_update(actor=request.user, subscription=subscription, changes={"active": active}),
        _("Switched on.") if active else _("Switched off."),
    )
    return redirect("webhooks:detail", team.pk, subscription.pk)


@login_required
@require_POST
def subscription_delete(request, team_id: int, subscription_id: int):
    team = _team_managed(request, team_id)
    subscription = _subscription(request, team, subscription_id)
    services.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("Webhook removed."))
    return redirect("webhooks:list", team.pk)


@login_required
@require_POST
def delivery_resend(request, team_id: int, subscription_id: int, delivery_id: int):
    team = _team_managed(request, team_id)
    subscription = _subscription(request, team, subscription_id)
    delivery = get_object_or_404(subscription.deliveries.all(), pk=delivery_id)
    _act(request, lambda: services.delivery_resend(actor=request.user, delivery=delivery), _("Sent again."))
    return redirect("webhooks:detail", team.pk, subscription.pk)
