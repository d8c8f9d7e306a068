"""Reads of customers, gestures and interactions, scoped to the viewer; the rubric's facts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, CharField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import scope_to_teams, team_ids_named

from . import scoring
from .levels import Level
from .models import Customer, Gesture, GestureDelivery, GestureDrift, Interaction, JobRun
from .rescoring import EpochMicros, epoch_micros_sql, raw_rows
from .rubric import Rubric, deliveries_in_window, drift_timelines, micros, offset_in_force


def customer_list(*, user) -> QuerySet:
    """The customers of the viewer's teams, with the team (its familiarity window) loaded."""
    return scope_to_teams(Customer.objects.select_related("team"), user)


def gesture_list(*, user) -> QuerySet:
    return scope_to_teams(Gesture.objects.all(), user)


def customer_search(*, user, query: str, limit: int = 10) -> list[Customer]:
    """The viewer's teams' customers whose name, email or phone holds what was typed, by name."""
    query = (query or "").strip()
    qs = scope_to_teams(Customer.objects.select_related("team"), user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query))
    return list(qs.order_by("name", "id")[:limit])


def customer_for_viewer(*, user, customer_id) -> Customer | None:
    """One customer of the viewer's teams, or None (also for an id that is not a number)."""
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        return None
    return scope_to_teams(Customer.objects.select_related("team", "personal_contact"), user).filter(
        pk=customer_id
    ).first()


def customer_history(*, customer: Customer, limit: int = 50) -> list[Interaction]:
    """The customer's latest interactions, newest first, with who logged them and their case."""
    return list(
        customer.interactions.select_related("logged_by", "recovery_case")
        .prefetch_related("gestures")
        .order_by("-occurred_at", "-id")[:limit]
    )


def interaction_for_viewer(*, user, interaction_id) -> Interaction | None:
    """One interaction of the viewer's teams, or None (also for an id that is not a number)."""
    try:
        interaction_id = int(interaction_id)
    except (TypeError, ValueError):
        return None
    return (
        scope_to_teams(Interaction.objects.select_related("customer", "recovery_case"), user)
        .filter(pk=interaction_id)
        .first()
    )


def gestures_offered(*, team_id: int) -> list[Gesture]:
    """A team's active gestures by name: what can be given to its customers."""
    return list(Gesture.objects.filter(team_id=team_id, active=True).order_by("name", "id"))


def gestures_for_logging(*, user, customer: Customer | None) -> list[Gesture]:
    """Active gestures of the customer's team, or of all the viewer's teams before one is chosen."""
    qs = scope_to_teams(Gesture.objects.filter(active=True), user).select_related("team")
    if customer is not None:
        qs = qs.filter(team_id=customer.team_id)
    return list(qs.order_by("team__name", "name"))


def customers_said(*, user, limit: int = 10, days: int = 14, now: datetime | None = None) -> list[Interaction]:
    """What customers said lately: the viewer's teams' ratings of the last `days`, lowest first, then
    newest. One query, served by the (team, -rated_at) index on rated rows."""
    now = now or timezone.now()
    return list(
        Interaction.objects.filter(team_id__in=team_ids_named(user), rated_at__gte=now - timedelta(days=days))
        .select_related("customer", "team")
        .order_by("customer_level", "-rated_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class LevelMix:
    """How many interactions landed on each level in a period."""

    counts: dict[Level, int]
    since: datetime

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def desired_or_higher_share(self) -> int:
        """The percentage at Desired or higher, rounded (0 when there were none)."""
        if not self.total:
            return 0
        return round(100 * sum(n for lvl, n in self.counts.items() if lvl >= Level.DESIRED) / self.total)


def start_of_today(now: datetime) -> datetime:
    """Midnight in the current time zone."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_week(now: datetime) -> datetime:
    """Monday's midnight in the current time zone."""
    today = start_of_today(now)
    return today - timedelta(days=today.weekday())


def _levels_since(user, since: datetime) -> QuerySet:
    """The viewer's teams' interactions since `since`, teams named so the (team, -occurred_at) index
    serves it as a range scan (admins too): never a count over the whole table."""
    return Interaction.objects.filter(team_id__in=team_ids_named(user), occurred_at__gte=since).order_by().values("level")


def level_mix(*, user, since: datetime) -> LevelMix:
    """One aggregate over the viewer's teams' interactions since `since` (a day or a week of rows)."""
    rows = _levels_since(user, since).annotate(n=Count("id")).values_list("level", "n")
    return LevelMix(counts={Level(level): n for level, n in rows}, since=since)


def level_mix_today(*, user, now: datetime | None = None) -> LevelMix:
    return level_mix(user=user, since=start_of_today(now or timezone.now()))


def level_mixes_today_and_week(*, user, now: datetime | None = None) -> tuple[LevelMix, LevelMix]:
    """Today's and this week's mix in one aggregate over the week's rows (today is inside the week)."""
    now = now or timezone.now()
    today, week = start_of_today(now), start_of_week(now)
    rows = (
        _levels_since(user, week)
        .annotate(n=Count("id"), today=Count("id", filter=Q(occurred_at__gte=today)))
        .values_list("level", "n", "today")
    )
    week_counts, today_counts = {}, {}
    for level, n, n_today in rows:
        week_counts[Level(level)] = n
        if n_today:
            today_counts[Level(level)] = n_today
    return LevelMix(counts=today_counts, since=today), LevelMix(counts=week_counts, since=week)


def job_runs(*, limit: int = 50) -> list[JobRun]:
    """The latest background job runs, newest first: team-independent (one re-score covers every team)."""
    return list(JobRun.objects.order_by("-started_at", "-id")[:limit])


class _JoinedIds(Aggregate):
    """Ids joined by commas in one text: string_agg on PostgreSQL, group_concat on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')", **extra_context)


def interaction_list(*, user) -> QuerySet:
    """The interactions of the viewer's teams, ready to serialize in the page's one query: the
    recovery case's id joined in, the delivered gesture ids as one text per row (a subquery on
    the unique (interaction, gesture) index; read them with gesture_ids_of)."""
    delivered = (
        GestureDelivery.objects.filter(interaction_id=OuterRef("id"))
        .order_by()
        .values("interaction_id")
        .annotate(ids=_JoinedIds("gesture_id"))
        .values("ids")
    )
    return scope_to_teams(Interaction.objects.all(), user).annotate(
        recovery_case_id=F("recovery_case__id"), delivered_gesture_list=Subquery(delivered)
    )


def gesture_ids_of(interaction: Interaction) -> list[int]:
    """The ids of the gestures delivered in an interaction, ascending: as interaction_log set them,
    as interaction_list joined them, or else read (one query)."""
    ids = getattr(interaction, "delivered_gesture_ids", None)  # set by interaction_log
    if ids is None:
        if hasattr(interaction, "delivered_gesture_list"):
            text = interaction.delivered_gesture_list
            ids = [int(i) for i in text.split(",")] if text else []
        else:
            ids = interaction.deliveries.values_list("gesture_id", flat=True)
    return sorted(ids)


def effective_base_levels(*, gestures, at: datetime | None = None) -> dict[int, int]:
    """Each gesture's effective base level in force at `at` (drift applied, as the rubric reads it).
    One query for any number."""
    at = at or timezone.now()
    gestures = list(gestures)
    rows = []
    if gestures:
        rows = raw_rows(
            GestureDrift.objects.filter(gesture_id__in=[g.id for g in gestures])
            .annotate(at_us=EpochMicros("effective_from"))
            .values_list("gesture_id", "at_us", "offset")
        )
    timelines, moment = drift_timelines(rows), micros(at)
    return {
        g.id: scoring.effective_base_level(g.base_level, offset_in_force(timelines.get(g.id), moment)) for g in gestures
    }


class RubricFacts:
    """The rubric for one team at one moment, with one customer's deliveries inside the window before it."""

    def __init__(self, *, rubric: Rubric, team_id: int, customer_id: int, at: datetime, times: dict, later_interactions):
        self.rubric, self.team_id, self.customer_id = rubric, team_id, customer_id
        self.at = micros(at)
        self.times = times  # gesture id -> this customer's delivery times inside the window, sorted (µs)
        self.later_interactions = later_interactions  # the customer has interactions after `at` (asked for only)
        rules = rubric.rules[team_id].gestures
        self.active_ids = frozenset(gid for gid, rule in rules.items() if rule.active)

    @property
    def gestures(self) -> dict[int, scoring.GestureFacts]:
        """Every gesture of the team as this customer meets it at `at`, in the team's order."""
        team = self.rubric.rules[self.team_id]
        return {
            rule.gesture_id: self.rubric.facts(
                rule, self.at, deliveries_in_window(self.times.get(rule.gesture_id), self.at, team.window_us)
            )
            for rule in sorted(team.gestures.values(), key=lambda r: r.order)
        }

    def assess(self, *, channel: str, promise_kept: bool, issues, matched_preference: bool, gestures) -> scoring.Assessment:
        given = sorted(set(gestures))
        return self.rubric.assess(self.team_id, self.at, channel, promise_kept, list(issues), matched_preference, given, self.times)[0]


# The rubric's rows for one customer at one moment, in one statement: the team's gestures, their
# drift timelines, and the customer's deliveries inside the window before `at` (and, when asked,
# whether the customer has later interactions). SQL only fetches; interactions.rubric decides, as
# it does for the re-score job. Portable SQL, run on PostgreSQL and SQLite by the same tests.
RUBRIC_ROWS_SQL = """
SELECT 'g', g.id, g.base_level, (CASE WHEN g.recurring THEN 1 ELSE 0 END) + (CASE WHEN g.active THEN 2 ELSE 0 END),
       g.name, CAST(g.channels AS TEXT)
FROM interactions_gesture g WHERE g.team_id = %(team)s
UNION ALL
SELECT 'd', d.gesture_id, d."offset", {drift_from}, NULL, NULL
FROM interactions_gesturedrift d JOIN interactions_gesture dg ON dg.id = d.gesture_id WHERE dg.team_id = %(team)s
UNION ALL
SELECT 'x', x.gesture_id, {delivered_at}, 0, NULL, NULL
FROM interactions_gesturedelivery x
WHERE x.customer_id = %(customer)s AND x.delivered_at >= %(window_start)s AND x.delivered_at < %(at)s
{later}
"""
LATER_SQL = """UNION ALL
SELECT 'l', 0, CASE WHEN EXISTS (SELECT 1 FROM interactions_interaction i
                                 WHERE i.customer_id = %(customer)s AND i.occurred_at > %(at)s) THEN 1 ELSE 0 END, 0, NULL, NULL"""


def rubric_facts(*, team, customer_id: int, at: datetime, ask_later: bool = False) -> RubricFacts:
    """The rubric as this customer meets it at `at`: the team's gestures with the drift in force and
    the customer's deliveries inside the familiarity window before `at`. One statement whatever the
    customer's history. With `ask_later`, it also says whether the customer has interactions after
    `at` (logging a late fact sends them to the re-score)."""
    params = {
        "at": connection.ops.adapt_datetimefield_value(at),
        "window_start": connection.ops.adapt_datetimefield_value(at - timedelta(days=team.familiarity_window_days)),
        "customer": customer_id,
        "team": team.id,
    }
    sql = RUBRIC_ROWS_SQL.format(
        drift_from=epoch_micros_sql("d.effective_from"),
        delivered_at=epoch_micros_sql("x.delivered_at"),
        later=LATER_SQL if ask_later else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    gestures, drifts, times, later = [], [], {}, None
    for kind, a, b, c, name, channels in rows:
        if kind == "g":
            gestures.append((a, team.id, name, b, bool(c & 1), bool(c & 2), channels))
        elif kind == "d":
            drifts.append((a, c, b))
        elif kind == "x":
            times.setdefault(a, []).append(b)
        else:
            later = bool(b)
    for values in times.values():
        values.sort()
    rubric = Rubric(windows={team.id: team.familiarity_window_days}, gestures=gestures, drifts=drifts)
    return RubricFacts(rubric=rubric, team_id=team.id, customer_id=customer_id, at=at, times=times, later_interactions=later)


@dataclass(frozen=True)
class GestureStanding:
    """One line of a customer's expectation profile."""

    gesture: Gesture
    effective_base_level: int
    deliveries_in_window: int
    standing: int | None  # None: never received in the window, lands at its full (effective) level
    next_level: int  # what the next delivery would be perceived at
    omission_cap: int | None  # the cap omitting it would put on the level (recurring only)


def expectation_profiles(*, customers, at: datetime | None = None) -> dict[int, list[GestureStanding]]:
    """Every active gesture's standing for each of these customers now (see expectation_profile).

    Three queries for any number of customers (their teams must be loaded): the teams' active
    gestures, the drift offsets in force, and one delivery aggregate over all the customers, each
    customer's deliveries counted inside their own team's familiarity window.
    """
    at = at or timezone.now()
    customers = list(customers)
    if not customers:
        return {}
    teams = {c.team_id: c.team for c in customers}
    gestures_by_team: dict[int, list[Gesture]] = {team_id: [] for team_id in teams}
    for g in Gesture.objects.filter(team_id__in=teams, active=True).order_by("name", "id"):
        gestures_by_team[g.team_id].append(g)
    effective = effective_base_levels(gestures=[g for gs in gestures_by_team.values() for g in gs], at=at)

    in_window = Q()
    for team_id, team in teams.items():
        in_window |= Q(
            customer_id__in=[c.id for c in customers if c.team_id == team_id],
            delivered_at__gte=at - timedelta(days=team.familiarity_window_days),
        )
    counts: dict[tuple[int, int], int] = {
        (customer_id, gesture_id): n
        for customer_id, gesture_id, n in GestureDelivery.objects.filter(in_window, delivered_at__lt=at)
        .values("customer_id", "gesture_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "gesture_id", "n")
    }

    profiles = {}
    for customer in customers:
        profile = []
        for g in gestures_by_team[customer.team_id]:
            base = effective[g.id]
            n = counts.get((customer.id, g.id), 0)
            profile.append(
                GestureStanding(
                    gesture=g,
                    effective_base_level=base,
                    deliveries_in_window=n,
                    standing=scoring.standing(base, n),
                    next_level=scoring.next_delivery_level(base, n),
                    omission_cap=scoring.omission_cap(base, n) if g.recurring else None,
                )
            )
        profiles[customer.id] = profile
    return profiles


def expectation_profile(*, customer: Customer, at: datetime | None = None) -> list[GestureStanding]:
    """Every active gesture's standing for this customer now: moves as deliveries leave the window and
    as gestures drift, without anyone logging anything."""
    return expectation_profiles(customers=[customer], at=at)[customer.id]


def gesture_standings(*, customer: Customer) -> dict[int, GestureStanding]:
    """The customer's expectation profile keyed by gesture id (what the log form shows next to each)."""
    return {s.gesture.id: s for s in expectation_profile(customer=customer)}


def surprises_never_received(profile: list[GestureStanding]) -> list[GestureStanding]:
    """The gestures of a profile this customer has never received in the window (they land at their
    full effective level), highest effective level first, then the cheapest."""
    fresh = [s for s in profile if s.standing is None]
    return sorted(fresh, key=lambda s: (-s.effective_base_level, float(s.gesture.cost), s.gesture.name))
