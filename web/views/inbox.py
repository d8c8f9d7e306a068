"""The inbox: customers' emails waiting to be assessed, and the one screen that assesses one (the
mail beside the log form's controls). Every write is inbox.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import StateConflict
from inbox import selectors as inbox_selectors
from inbox import services as inbox_services
from inbox.models import InboxItem
from interactions.levels import level_label
from interactions.selectors import gestures_offered

from ..forms import InboxAssessForm, InboxDismissForm
from ._common import add_service_errors

PAGE = 100


@login_required
@require_GET
def inbox_list(request):
    items = list(inbox_selectors.inbox_list(user=request.user)[:PAGE])
    return render(request, "web/inbox_list.html", {"items": items})


def _item(request, item_id: int) -> InboxItem:
    try:
        return inbox_selectors.inbox_item(user=request.user, pk=item_id)
    except InboxItem.DoesNotExist:
        raise Http404 from None


def _next_waiting(request, after: InboxItem):
    return inbox_selectors.inbox_next_waiting(user=request.user, after=after)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_item(request, item_id: int):
    item = _item(request, item_id)
    gestures = gestures_offered(team_id=item.team_id)
    waiting = item.status == InboxItem.Status.WAITING
    if request.method == "POST" and waiting:
        form = InboxAssessForm(request.POST, gestures=gestures)
        if form.is_valid():
            data = form.cleaned_data
            try:
                interaction = inbox_services.inbox_assess(
                    actor=request.user, item=item, channel=data["channel"], promise_kept=data["promise_kept"],
                    issues=data["issues"], matched_preference=data["matched_preference"], gestures=data["gestures"],
                    summary=data["summary"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StateConflict as exc:
                messages.error(request, exc.message)
                return redirect("web:inbox-item", item.pk)
            else:
                messages.success(request, _("Logged as %(level)s.") % {"level": level_label(interaction.level)})
                following = _next_waiting(request, item)
                return redirect("web:inbox-item", following) if following else redirect("web:inbox")
        status = 400
    else:
        form = InboxAssessForm(initial={"summary": inbox_services.inbox_summary(item)}, gestures=gestures)
        status = 200
    context = {"item": item, "form": form, "dismiss_form": InboxDismissForm(), "waiting": waiting}
    return render(request, "web/inbox_item.html", context, status=status)


@login_required
@require_POST
def inbox_dismiss(request, item_id: int):
    item = _item(request, item_id)
    form = InboxDismissForm(request.POST)
    if form.is_valid():
        try:
            inbox_services.inbox_dismiss(actor=request.user, item=item, reason=form.cleaned_data["reason"])
        except (StateConflict, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
            return redirect("web:inbox-item", item.pk)
        messages.success(request, _("Dismissed."))
    following = _next_waiting(request, item)
    return redirect("web:inbox-item", following) if following else redirect("web:inbox")
