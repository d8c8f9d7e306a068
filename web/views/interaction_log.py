"""Log an interaction: one screen, keyboard first, usable without JavaScript.

The customer is found as you type (htmx swaps in the matches; without JS the Find button reloads
the page with them) or created inline. The gestures list shows each gesture's standing for the
chosen customer. Submitting calls interactions.services.interaction_log and shows the level it
got and, for Criminal and Basic, the case it opened.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.api import idempotency
from accounts.selectors import team_list, user_is_member
from interactions import selectors
from interactions import services as interaction_services

from ..forms import InteractionCorrectForm, LogInteractionForm
from ._common import add_service_errors

WEB_LOG = "web log form"


def _gesture_rows(user, customer):
    gestures = selectors.gestures_for_logging(user=user, customer=customer)
    standings = selectors.gesture_standings(customer=customer) if customer is not None else {}
    return gestures, [(g, standings.get(g.id)) for g in gestures]


@login_required
@require_http_methods(["GET", "POST"])
def log_interaction(request):
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    customer = selectors.customer_for_viewer(user=user, customer_id=source.get("customer"))
    query = request.GET.get("q", "")
    matches = selectors.customer_search(user=user, query=query) if query else []
    if customer is None and len(matches) == 1:
        customer = matches[0]
    gestures, gesture_rows = _gesture_rows(user, customer)
    teams = list(team_list(user=user))

    if request.method == "POST":
        form = LogInteractionForm(request.POST, gestures=gestures)
        if form.is_valid():
            logged_id = _log_once(form, user=user, customer=customer, teams=teams)
            if logged_id is not None:
                return redirect(f"{reverse('web:log')}?done={logged_id}")
        status = 400
    else:
        initial = {"promise_kept": True, "channel": "phone", "nonce": secrets.token_urlsafe(24)}
        form = LogInteractionForm(gestures=gestures, initial=initial)
        status = 200

    done = selectors.interaction_for_viewer(user=user, interaction_id=request.GET.get("done"))
    context = {
        "form": form,
        "query": query,
        "matches": matches,
        "customer": customer,
        "gesture_rows": gesture_rows,
        "teams": teams,
        "done": done,
        "now": timezone.now(),
        "feedback_url": interaction_services.feedback_url(done) if done else "",
        "checked_gestures": {int(g) for g in form["gestures"].value() or [] if str(g).isdigit()},
        "checked_issues": set(form["issues"].value() or []),
    }
    return render(request, "web/log.html", context, status=status)


def _log_once(form, *, user, customer, teams) -> int | None:
    """Log once per form nonce: a double click or a resubmitted page shows the first log, adds nothing.

    The nonce is claimed in the same transaction as the log; a twin submit waits for it, then finds
    the interaction it made. A refused log frees the nonce again."""
    nonce = form.cleaned_data.get("nonce")
    if not nonce:
        interaction = _log(form, user=user, customer=customer, teams=teams)
        return interaction.pk if interaction is not None else None
    key = f"web-log:{nonce}"
    with transaction.atomic():
        claimed = idempotency.claim(user=user, key=key, fingerprint=WEB_LOG)
        if claimed is None:
            return idempotency.earlier_answer(user=user, key=key).response_body["interaction"]
        interaction = _log(form, user=user, customer=customer, teams=teams)
        if interaction is None:
            transaction.set_rollback(True)
            return None
        idempotency.answer(claimed, status_code=302, body={"interaction": interaction.pk})
        return interaction.pk


def _log(form, *, user, customer, teams):
    data = form.cleaned_data
    try:
        with transaction.atomic():
            if customer is None:
                if data.get("customer"):
                    form.add_error("customer", _("No such customer in your teams."))
                    return None
                if data.get("new_customer_team") and not any(t.id == data["new_customer_team"] for t in teams):
                    form.add_error("new_customer_team", _("Choose one of your teams."))  # not silently another team
                    return None
                team = next((t for t in teams if t.id == data.get("new_customer_team")), teams[0] if teams else None)
                if team is None or not user_is_member(user, team.id):
                    raise PermissionDenied
                customer = interaction_services.customer_create(
                    actor=user, team=team, name=data["new_customer_name"], email=data.get("new_customer_email") or ""
                )
            return interaction_services.interaction_log(
                actor=user,
                customer=customer,
                channel=data["channel"],
                summary=data.get("summary") or "",
                promise_kept=data.get("promise_kept", False),
                issues=data.get("issues") or [],
                matched_preference=data.get("matched_preference", False),
                gestures=data.get("gestures") or [],
                occurred_at=data.get("occurred_at") or None,
                occasion={"kind": data["occasion_kind"], "date": data["occasion_date"]} if data.get("occasion_date") else None,
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def interaction_edit(request, interaction_id: int):
    """Correct a logged interaction's facts: whoever logged it within 24 hours, a manager any time.
    The same controls as logging; the services decide who may and re-score."""
    interaction = selectors.interaction_for_viewer(user=request.user, interaction_id=interaction_id)
    if interaction is None:
        raise Http404
    allowed, why = interaction_services.interaction_may_correct(request.user, interaction)
    if not allowed:
        raise PermissionDenied(why)
    gestures = selectors.gestures_for_logging(user=request.user, customer=interaction.customer)
    delivered = selectors.gesture_ids_of(interaction)
    status = 200
    if request.method == "POST":
        form = InteractionCorrectForm(request.POST, gestures=gestures)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "note"}
            changes["issues"] = changes.get("issues") or []
            changes["gestures"] = changes.get("gestures") or []
            try:
                interaction_services.interaction_correct(
                    actor=request.user, interaction=interaction, changes=changes, note=form.cleaned_data.get("note") or ""
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Corrected; its level and the customer's later ones were re-scored."))
                return redirect("web:customer-detail", customer_id=interaction.customer_id)
        status = 400
    else:
        form = InteractionCorrectForm(
            gestures=gestures,
            initial={
                "channel": interaction.channel, "occurred_at": timezone.localtime(interaction.occurred_at),
                "promise_kept": interaction.promise_kept, "issues": interaction.issues,
                "matched_preference": interaction.matched_preference, "gestures": delivered,
                "summary": interaction.summary,
            },
        )
    return render(request, "web/interaction_edit.html", {"form": form, "interaction": interaction}, status=status)


@login_required
@require_GET
def customer_matches(request):
    """htmx: the customers matching what was typed, as radio buttons for the log form."""
    query = request.GET.get("q", "")
    matches = selectors.customer_search(user=request.user, query=query) if query.strip() else []
    return render(request, "web/partials/customer_matches.html", {"matches": matches, "query": query})


@login_required
@require_GET
def gesture_choices(request):
    """htmx: the gestures with each one's standing for the chosen customer."""
    customer = selectors.customer_for_viewer(user=request.user, customer_id=request.GET.get("customer"))
    rows = _gesture_rows(request.user, customer)[1]
    return render(request, "web/partials/gesture_choices.html", {"gesture_rows": rows, "customer": customer})
