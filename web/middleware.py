import zoneinfo
from contextvars import ContextVar

from django.utils import timezone

SESSION_KEY = "cx_timezone"
NAMED_KEY = "cx_zone_named"

# Whether the viewer's times carry their zone's name: set per request, read by the `when` filter.
zone_named: ContextVar[bool] = ContextVar("zone_named", default=False)


def _viewer_zones(user) -> tuple[str, bool]:
    """The zone the viewer reads times in (their first team's) and whether the teams they see live in
    other zones too (an admin sees every team; a person may be in teams on two continents)."""
    from accounts.models import Team

    teams = Team.objects.all() if user.is_admin else user.teams.all()
    zones = list(teams.order_by("name").values_list("timezone", flat=True))
    own = list(user.teams.order_by("name").values_list("timezone", flat=True)[:1]) if user.is_admin else zones[:1]
    name = own[0] if own else ""
    return name, len(set(zones) | {name or "UTC"}) > 1


class TeamTimezoneMiddleware:
    """Show times in the time zone of the signed-in user's (first) team: SLA deadlines read as the
    team lives them. Where the teams the viewer sees live in other zones, every time names its zone
    (docs/web.md, "Times"). Remembered in the session, so it costs queries once per login, not per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        named = False
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            named = request.session.get(NAMED_KEY)
            if name is None or named is None:
                name, named = _viewer_zones(user)
                request.session[SESSION_KEY] = name
                request.session[NAMED_KEY] = named
            if name:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(name))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        token = zone_named.set(bool(named))
        try:
            return self.get_response(request)
        finally:
            zone_named.reset(token)
            timezone.deactivate()
