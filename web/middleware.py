import zoneinfo

from django.utils import timezone

SESSION_KEY = "cx_timezone"


class TeamTimezoneMiddleware:
    """Show times in the time zone of the signed-in user's (first) team: SLA deadlines read as the
    team lives them. Remembered in the session, so it costs one query per login, not per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                name = user.teams.order_by("name").values_list("timezone", flat=True).first() or ""
                request.session[SESSION_KEY] = name
            if name:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(name))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
