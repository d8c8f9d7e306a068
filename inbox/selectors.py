"""Reads of the inbox, scoped to the viewer's teams."""

from django.db.models import Count, Prefetch, QuerySet

from accounts.selectors import scope_to_teams

from .models import InboxItem, InboxMessage


def inbox_list(*, user, status: str | None = InboxItem.Status.WAITING) -> QuerySet:
    """Conversations of the viewer's teams, newest first, with their customer and message count."""
    items = scope_to_teams(InboxItem.objects.select_related("customer"), user).annotate(message_count=Count("messages"))
    return items.filter(status=status) if status else items


def inbox_item(*, user, pk: int) -> InboxItem:
    return (
        scope_to_teams(InboxItem.objects.select_related("customer", "team"), user)
        .prefetch_related(Prefetch("messages", queryset=InboxMessage.objects.order_by("sent_at", "id")))
        .get(pk=pk)
    )


def inbox_waiting_count(*, user) -> int:
    return scope_to_teams(InboxItem.objects.filter(status=InboxItem.Status.WAITING), user).count()


def inbox_next_waiting(*, user, after: InboxItem) -> int | None:
    """The id of the next conversation waiting in the viewer's inbox after this one, if any."""
    return inbox_list(user=user).exclude(pk=after.pk).values_list("pk", flat=True).first()
