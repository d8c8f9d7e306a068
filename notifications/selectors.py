"""Reads of a person's notifications: always their own, never anyone else's."""

from django.db.models import QuerySet

from .models import Notification


def notifications_of(*, user) -> QuerySet:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-id")


def notifications_unread_count(*, user) -> int:
    if not user or not user.is_authenticated:
        return 0
    return notifications_of(user=user).filter(read_at__isnull=True).count()
