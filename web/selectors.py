"""Reads behind the staff pages, each scoped to the viewer's teams and a fixed number of queries.

The dashboard never counts the whole interactions table: it aggregates only today's or this
week's rows of the viewer's teams, which the (team, -occurred_at) index serves as a range scan.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Team
from accounts.selectors import scope_to_teams, team_ids_of
from interactions.levels import Level
from interactions.models import Customer, Gesture, Interaction, JobRun, LevelChange
from interactions.selectors import expectation_profile
from recovery import selectors as recovery_selectors
from recovery.models import BendEvent, CaseEvent, RecoveryCase, Rule, RuleBend

DUMB_RULES_DAYS = 90
BOARD_LIMIT = 50
BAR_STEP = 30  # px between the chart's bars
BAR_SPACE = 170  # px the longest bar takes


@dataclass(frozen=True)
class LevelMix:
    """How many interactions landed on each level in a period, for a bar chart."""

    counts: dict[int, int]
    since: datetime

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[dict]:
        top = max(self.counts.values(), default=0) or 1
        total = self.total or 1
        return [
            {
                "level": level,
                "y": index * BAR_STEP,
                "bar": round(BAR_SPACE * self.counts.get(level, 0) / top),
                "label": level.label,
                "count": self.counts.get(level, 0),
                "share": round(100 * self.counts.get(level, 0) / total),
                "width": round(100 * self.counts.get(level, 0) / top, 1),
            }
            for index, level in enumerate(Level)
        ]

    @property
    def chart_height(self) -> int:
        return BAR_STEP * len(Level)

    @property
    def desired_or_higher_share(self) -> int:
        if not self.total:
            return 0
        return round(100 * sum(n for lvl, n in self.counts.items() if lvl >= Level.DESIRED) / self.total)


def _start_of_today(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _start_of_week(now: datetime) -> datetime:
    today = _start_of_today(now)
    return today - timedelta(days=today.weekday())


def dashboard_stamp() -> tuple:
    """The newest level change, case event and bend event ids: whatever a dashboard shows changes
    only with one of them written (a level logged, rated or re-scored; a case opened, moved or
    escalated; a bend asked or decided). One query of three primary-key look-ups, never a count."""
    tables = (LevelChange._meta.db_table, CaseEvent._meta.db_table, BendEvent._meta.db_table)
    maxima = [f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables]  # nosec B608 - model tables, no values
    sql = "SELECT " + ", ".join(maxima)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _period_of_teams(user, since: datetime) -> QuerySet:
    ids = team_ids_of(user)
    if ids is None:  # an admin: name every team, so the (team, -occurred_at) index serves it too
        ids = list(Team.objects.values_list("id", flat=True))
    return Interaction.objects.filter(team_id__in=ids, occurred_at__gte=since).order_by().values("level")


def level_mix(*, user, since: datetime) -> LevelMix:
    """One aggregate over the viewer's teams' interactions since `since` (a day or a week of rows)."""
    rows = _period_of_teams(user, since).annotate(n=Count("id")).values_list("level", "n")
    return LevelMix(counts={Level(level): n for level, n in rows}, since=since)


def level_mixes_today_and_week(*, user, now: datetime | None = None) -> tuple[LevelMix, LevelMix]:
    """Today's and this week's mix in one aggregate over the week's rows (today is inside the week)."""
    now = now or timezone.now()
    today, week = _start_of_today(now), _start_of_week(now)
    rows = (
        _period_of_teams(user, week)
        .annotate(n=Count("id"), today=Count("id", filter=Q(occurred_at__gte=today)))
        .values_list("level", "n", "today")
    )
    week_counts, today_counts = {}, {}
    for level, n, n_today in rows:
        week_counts[Level(level)] = n
        if n_today:
            today_counts[Level(level)] = n_today
    return LevelMix(counts=today_counts, since=today), LevelMix(counts=week_counts, since=week)


def level_mix_today(*, user, now: datetime | None = None) -> LevelMix:
    return level_mix(user=user, since=_start_of_today(now or timezone.now()))


def _cases(user, filters: dict | None = None) -> QuerySet:
    cases = scope_to_teams(RecoveryCase.objects.all(), user).select_related("customer", "team", "owner")
    filters = filters or {}
    if filters.get("owner"):
        cases = recovery_selectors.case_owner_filter(cases, filters["owner"], user=user)
    if filters.get("severity"):
        cases = cases.filter(severity=filters["severity"])
    if filters.get("channel"):
        cases = cases.filter(interaction__channel=filters["channel"])
    if filters.get("overdue"):
        cases = recovery_selectors.case_overdue_filter(cases, filters["overdue"] == "true")
    return cases


def _due_first(cases, limit: int) -> list[RecoveryCase]:
    """Soonest due first (no due time last), then by id."""
    far = timezone.now() + timedelta(days=365 * 100)
    return sorted(cases, key=lambda c: (c.due or far, c.id))[:limit]


def _active_by_due(user, limit: int, filters: dict | None = None) -> list[RecoveryCase]:
    """Up to `limit` cases of each active state, each list read in its index's order: open by the
    fix SLA, fixed by the surprise SLA, surprised by age. Never a sort over all open cases."""
    cases = _cases(user, filters)
    open_ = list(cases.filter(status=RecoveryCase.Status.OPEN).order_by("fix_due", "id")[:limit])
    fixed = list(cases.filter(status=RecoveryCase.Status.FIXED).order_by("surprise_due", "id")[:limit])
    surprised = list(cases.filter(status=RecoveryCase.Status.SURPRISED).order_by("id")[:limit])
    for case in open_ + fixed + surprised:
        case.due = case.deadline[1]  # the case says which deadline applies now
    return open_ + fixed + surprised


def open_cases_by_due(*, user, limit: int = BOARD_LIMIT) -> list[RecoveryCase]:
    """Cases not closed yet, soonest due first: the fix SLA until fixed, then the surprise SLA."""
    return _due_first(_active_by_due(user, limit), limit)


def escalated_cases(*, user, limit: int = 20, now: datetime | None = None) -> list[RecoveryCase]:
    """Cases not closed that the check escalated or whose due time has passed (computed now, not
    left to the next periodic check): the freshest escalations first, then the longest overdue."""
    now = now or timezone.now()
    return list(
        _cases(user)
        .exclude(status=RecoveryCase.Status.CLOSED)
        .filter(Q(escalated_at__isnull=False) | RecoveryCase.overdue_q(now))
        .order_by(F("escalated_at").desc(nulls_last=True), recovery_selectors.case_due_now().asc(), "-id")[:limit]
    )


def case_board(*, user, limit: int = BOARD_LIMIT, filters: dict | None = None) -> dict[str, list[RecoveryCase]]:
    """Cases by state: every open, fixed and surprised case (up to `limit` each) and the latest closed,
    narrowed by the board's filters (owner, level, channel, overdue; `status` picks the columns)."""
    filters = filters or {}
    board = {status: [] for status in RecoveryCase.Status.values}
    wanted = filters.get("status")
    if wanted != RecoveryCase.Status.CLOSED:
        for case in _due_first(_active_by_due(user, limit, filters), limit * 3):
            board[case.status].append(case)
    if wanted in (None, "", RecoveryCase.Status.CLOSED) and filters.get("overdue") != "true":
        board[RecoveryCase.Status.CLOSED] = list(
            _cases(user, filters).filter(status=RecoveryCase.Status.CLOSED).order_by("-closed_at", "-id")[:limit]
        )
    if wanted:
        board = {status: cases if status == wanted else [] for status, cases in board.items()}
    return board


def team_members(*, user) -> list:
    """The active people of the viewer's teams (every active person for an admin): who can own a case."""
    from accounts.models import User

    ids = team_ids_of(user)
    people = User.objects.filter(is_active=True)
    if ids is not None:
        people = people.filter(teams__in=ids).distinct()
    return list(people.order_by("username"))


def case_team_members(*, case) -> list:
    """The active people of the case's team: whom it can be assigned to."""
    from accounts.models import User

    return list(User.objects.filter(is_active=True, teams=case.team_id).order_by("username"))


def case_detail(*, user, case_id: int) -> RecoveryCase | None:
    return (
        _cases(user)
        .select_related("interaction", "surprise_gesture", "follow_up_of")
        .prefetch_related("events__actor", "bends__rule", "bends__requested_by", "bends__decided_by")
        .filter(pk=case_id)
        .first()
    )


def pending_bends(*, user, limit: int = 50, decidable: bool | None = True) -> list[RuleBend]:
    """Bends waiting for a decision in the viewer's teams, oldest first (the queue). `decidable`:
    True, only those the viewer can decide; False, only those waiting for others; None, all."""
    bends = scope_to_teams(RuleBend.objects.filter(status=RuleBend.Status.PENDING), user)
    if decidable is not None:
        can = recovery_selectors.bends_decidable_q(user)
        bends = bends.filter(can) if decidable else bends.exclude(can)
    return list(bends.select_related("rule", "team", "requested_by", "case", "customer").order_by("requested_at", "id")[:limit])


def decided_bends(*, user, limit: int = 50) -> list[RuleBend]:
    return list(
        scope_to_teams(RuleBend.objects.exclude(status=RuleBend.Status.PENDING), user)
        .select_related("rule", "team", "requested_by", "decided_by", "case", "customer")
        .order_by("-decided_at", "-id")[:limit]
    )


def bend_for_decision(*, user, bend_id: int) -> RuleBend | None:
    return scope_to_teams(RuleBend.objects.select_related("rule", "team", "requested_by", "decided_by"), user).filter(
        pk=bend_id
    ).first()


def rules_ranked(*, user, days: int = DUMB_RULES_DAYS) -> QuerySet:
    """The dumb-rules ranking (recovery.selectors): most asked to bend in `days`, then most approved."""
    return recovery_selectors.rules_ranked(user=user, days=days).select_related("team")


def dumb_rules_top(*, user, limit: int = 5) -> list[Rule]:
    return [rule for rule in rules_ranked(user=user)[:limit] if rule.bend_count]


def customer_search(*, user, query: str, limit: int = 10) -> list[Customer]:
    query = (query or "").strip()
    qs = scope_to_teams(Customer.objects.select_related("team"), user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query))
    return list(qs.order_by("name", "id")[:limit])


def customer_for_viewer(*, user, customer_id) -> Customer | None:
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        return None
    return scope_to_teams(Customer.objects.select_related("team", "personal_contact"), user).filter(
        pk=customer_id
    ).first()


def customer_history(*, customer: Customer, limit: int = 50) -> list[Interaction]:
    return list(
        customer.interactions.select_related("logged_by", "recovery_case")
        .prefetch_related("gestures")
        .order_by("-occurred_at", "-id")[:limit]
    )


def recommended_surprises(profile) -> list:
    """Gestures this customer has never received in the window (they land at their full effective
    level), highest effective level first."""
    fresh = [s for s in profile if s.standing is None]
    return sorted(fresh, key=lambda s: (-s.effective_base_level, float(s.gesture.cost), s.gesture.name))


def gesture_standings(*, customer: Customer) -> dict[int, object]:
    """The customer's expectation profile keyed by gesture id (what the log form shows next to each)."""
    return {s.gesture.id: s for s in expectation_profile(customer=customer)}


def gestures_for_logging(*, user, customer: Customer | None) -> list[Gesture]:
    """Active gestures of the customer's team, or of all the viewer's teams before one is chosen."""
    qs = scope_to_teams(Gesture.objects.filter(active=True), user).select_related("team")
    if customer is not None:
        qs = qs.filter(team_id=customer.team_id)
    return list(qs.order_by("team__name", "name"))


def interaction_for_viewer(*, user, interaction_id) -> Interaction | None:
    try:
        interaction_id = int(interaction_id)
    except (TypeError, ValueError):
        return None
    return (
        scope_to_teams(Interaction.objects.select_related("customer", "recovery_case"), user)
        .filter(pk=interaction_id)
        .first()
    )


def managed_teams(*, user) -> list[Team]:
    if user.is_admin:
        return list(Team.objects.order_by("name"))
    if not user.is_manager:
        return []
    return list(Team.objects.filter(id__in=team_ids_of(user)).order_by("name"))


def job_runs(*, limit: int = 50) -> list[JobRun]:
    """Background job runs are team-independent (one re-score covers every team)."""
    return list(JobRun.objects.order_by("-started_at", "-id")[:limit])


def customers_said(*, user, limit: int = 10, days: int = 14, now: datetime | None = None) -> list[Interaction]:
    """What customers said lately: the viewer's teams' ratings of the last `days`, lowest first, then
    newest. One query, served by the (team, -rated_at) index on rated rows."""
    now = now or timezone.now()
    ids = team_ids_of(user)
    if ids is None:
        ids = list(Team.objects.values_list("id", flat=True))
    return list(
        Interaction.objects.filter(team_id__in=ids, rated_at__gte=now - timedelta(days=days))
        .select_related("customer", "team")
        .order_by("customer_level", "-rated_at", "-id")[:limit]
    )
