"""Reads of webhooks, scoped to the teams the viewer manages (admins: every team)."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.selectors import scope_to_teams

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscription_list(*, user) -> QuerySet:
    """Only managers and admins see webhooks (the URLs are the team's integrations)."""
    if not (user and user.is_authenticated and (user.is_admin or user.role == User.Role.MANAGER)):
        return WebhookSubscription.objects.none()
    return scope_to_teams(WebhookSubscription.objects.select_related("team", "created_by"), user)


def delivery_list(*, subscription: WebhookSubscription) -> QuerySet:
    """A subscription's deliveries, newest first, each with its event and its attempts (three queries a page)."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id")))
        .order_by("-created_at", "-id")
    )


def deliveries_waiting() -> QuerySet:
    """The webhook backlog: deliveries not yet delivered nor given up (the partial index `webhook_delivery_due`)."""
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)


def subscriptions_failing() -> QuerySet:
    return WebhookSubscription.objects.filter(active=True, failing_since__isnull=False)
