from .selectors import notifications_unread_count


def unread_notifications(request):
    """The bell's count in the navigation: counted once, and only when a page shows it (the
    template engine calls a callable when it first resolves the variable)."""
    user = getattr(request, "user", None)
    counted = []

    def unread() -> int:
        if not counted:
            counted.append(notifications_unread_count(user=user))
        return counted[0]

    return {"unread_notifications": unread}
