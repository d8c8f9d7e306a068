"""The person's notifications: the list behind the bell, opening one (which marks it read), and
marking them all read."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from notifications.selectors import notifications_of
from notifications.services import notifications_mark_read

SHOWN = 100


@login_required
@require_GET
def notification_list(request):
    notifications = list(notifications_of(user=request.user)[:SHOWN])
    return render(request, "web/notification_list.html", {"notifications": notifications})


@login_required
@require_GET
def notification_open(request, notification_id: int):
    """Follow a notification to the page it is about; it counts as read."""
    notification = notifications_of(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.url.startswith(f"{settings.SITE_URL}/"):
        return redirect(notification.url[len(settings.SITE_URL):])
    return redirect("web:notifications")


@login_required
@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("web:notifications")
