from django.utils.functional import SimpleLazyObject

from .selectors import notifications_unread_count


def unread_notifications(request):
    """The bell's count in the navigation: counted only when a page shows it (one query)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
