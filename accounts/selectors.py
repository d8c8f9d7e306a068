"""Reads of accounts and teams, and the one scoping rule every app uses.

Nobody sees another team's customers, interactions, cases or bends; admins see every team.
Every queryset a user sees goes through `scope_to_teams`, so a view cannot forget.
"""

import zoneinfo

from django.db.models import Q, QuerySet

from .models import Team, User


def _memberships(user) -> QuerySet:
    """The user's team ids, from the membership table alone: no join, no ordering, no related manager."""
    return User.teams.through.objects.filter(user_id=user.pk).values_list("team_id", flat=True)


def team_ids_of(user) -> frozenset[int] | None:
    """The ids of the teams this user may see; None means every team (an admin)."""
    if not user or not user.is_authenticated:
        return frozenset()
    if user.is_admin:
        return None
    cached = getattr(user, "_cx_team_ids", None)
    if cached is None:
        cached = frozenset(_memberships(user))
        user._cx_team_ids = cached
    return cached


def scope_to_teams(queryset: QuerySet, user, *, team_field: str = "team", in_one_statement: bool = False) -> QuerySet:
    """Restrict a queryset to the rows of the user's teams (`team_field` is the path to the team).

    `in_one_statement`: when the user's teams are not known yet, the database reads them inside the
    same statement (a subquery) rather than in a query of their own: for a single look-up, where a
    round trip costs more than the subquery.
    """
    if in_one_statement and user and user.is_authenticated and not user.is_admin and getattr(user, "_cx_team_ids", None) is None:
        return queryset.filter(**{f"{team_field}__in": _memberships(user)})
    ids = team_ids_of(user)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{team_field}__in": ids})


def scope_to_teams_sql(user, column: str) -> tuple[str, list]:
    """`scope_to_teams` for a hand-written statement: a condition on `column` (a team id column)
    and its parameters; the user's teams read by a subquery when they are not known yet."""
    if not user or not user.is_authenticated:
        return "1 = 0", []
    if user.is_admin:
        return "1 = 1", []
    ids = getattr(user, "_cx_team_ids", None)
    if ids is not None:
        return (f"{column} IN ({', '.join(['%s'] * len(ids))})", sorted(ids)) if ids else ("1 = 0", [])
    membership = User.teams.through._meta
    team, member = membership.get_field("team").column, membership.get_field("user").column
    # the names come from the caller's code and the model; the user is a parameter
    return f"{column} IN (SELECT {team} FROM {membership.db_table} WHERE {member} = %s)", [user.pk]  # nosec B608


def team_ids_named(user) -> list[int] | frozenset[int]:
    """The ids of the viewer's teams, every team's named one by one for an admin: a filter on them
    is served by an index that starts with the team, where "every row" would read the whole table."""
    ids = team_ids_of(user)
    return list(Team.objects.values_list("id", flat=True)) if ids is None else ids


def user_is_member(user, team_id: int) -> bool:
    ids = team_ids_of(user)
    return ids is None or team_id in ids


def user_manages(user, team_id: int) -> bool:
    """Managers manage their own teams; admins manage every team."""
    if user.is_admin:
        return True
    return user.role == User.Role.MANAGER and user_is_member(user, team_id)


def team_list(*, user) -> QuerySet:
    return scope_to_teams(Team.objects.all(), user, team_field="id")


def managed_teams(*, user) -> list[Team]:
    """The teams whose settings, rules and gestures this user looks after: every team for an admin,
    their own for a manager, none for the frontline."""
    if user.is_admin:
        return list(Team.objects.order_by("name"))
    if not user.is_manager:
        return []
    return list(Team.objects.filter(id__in=team_ids_of(user)).order_by("name"))


def team_setting_changes(*, team: Team, limit: int = 20) -> list:
    """The latest changes of a team's settings with who made them, newest first."""
    return list(team.setting_changes.select_related("actor")[:limit])


def user_list(*, user) -> QuerySet:
    """Users sharing a team with the viewer (admins: everyone)."""
    qs = User.objects.prefetch_related("teams").order_by("id")
    ids = team_ids_of(user)
    if ids is None:
        return qs
    return qs.filter(Q(teams__in=ids) | Q(pk=user.pk)).distinct()


def people_of_teams(*, user) -> list[User]:
    """The active people of the viewer's teams (every active person for an admin): who can own a case."""
    ids = team_ids_of(user)
    people = User.objects.filter(is_active=True)
    if ids is not None:
        people = people.filter(teams__in=ids).distinct()
    return list(people.order_by("username"))


def team_people(*, team_id: int) -> list[User]:
    """The active people of one team, by name: whom its work can be given to."""
    return list(User.objects.filter(is_active=True, teams=team_id).order_by("username"))


def team_managers(*, team_id: int) -> QuerySet:
    """Who hears about escalations, waiting bends and the weekly report."""
    return User.objects.filter(teams=team_id, role=User.Role.MANAGER, is_active=True).order_by("id")


def user_timezone(user) -> zoneinfo.ZoneInfo:
    """The time zone a person reads times in: their (first, by name) team's, else UTC. The pages
    (web's middleware) and the staff mails use the same."""
    name = user.teams.order_by("name").values_list("timezone", flat=True).first() if user.pk else None
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
