"""Demo teams and users for `seed_demo` (idempotent: found by name, never duplicated)."""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.utils import timezone as dj_timezone

from .models import Team, User

DEMO_PASSWORD = "cxportal-demo"

TEAMS = [
    # The bistro's SLAs count its opening hours only: closed on Sundays, Dutch public holidays and New Year's Eve.
    {"name": "Harbour Bistro", "timezone": "Europe/Amsterdam", "say_yes_threshold": Decimal("15"),
     "business_hours": "mon-sat 09:00-22:00", "holiday_country": "NL", "closed_dates": f"{date.today().year}-12-31"},
    {"name": "Northwind Support", "timezone": "America/New_York", "say_yes_threshold": Decimal("0")},
]
# username, role, team index (None = no team), approval limit, language
USERS = [
    ("admin", User.Role.ADMIN, None, Decimal("100000"), ""),
    ("maria", User.Role.MANAGER, 0, Decimal("200"), ""),
    ("sam", User.Role.FRONTLINE, 0, Decimal("0"), ""),
    ("joost", User.Role.FRONTLINE, 0, Decimal("0"), "nl"),
    ("nadia", User.Role.MANAGER, 1, Decimal("500"), ""),
    ("leo", User.Role.FRONTLINE, 1, Decimal("0"), ""),
    ("priya", User.Role.FRONTLINE, 1, Decimal("0"), ""),
]


def seed_accounts() -> tuple[list[Team], dict[str, User]]:
    teams = []
    for spec in TEAMS:
        team, _ = Team.objects.get_or_create(name=spec["name"], defaults={k: v for k, v in spec.items() if k != "name"})
        teams.append(team)
    users = {}
    for username, role, team_index, limit, language in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                approval_limit=limit,
                email=f"{username}@example.com",
                first_name=username.capitalize(),
                language=language,
                is_staff=role == User.Role.ADMIN,
                is_superuser=role == User.Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if team_index is not None:
                user.teams.add(teams[team_index])
        users[username] = user
    return teams, users


@contextmanager
def replayed_at(moment):
    """The demo's history is replayed as if it happened live: inside this block the app's clock
    (`django.utils.timezone.now`, which every service and every auto_now field reads) says `moment`,
    so a case opened by a visit five weeks ago opens five weeks ago, with its due time then. Used by
    seed_demo only, never by the app."""
    original = dj_timezone.now
    dj_timezone.now = lambda: moment
    try:
        yield
    finally:
        dj_timezone.now = original
