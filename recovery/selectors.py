"""Reads of cases, rules and bends, scoped to the viewer; the surprise recommendation."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Case, Count, DateTimeField, F, FloatField, Q, QuerySet, When
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import scope_to_teams
from interactions.levels import Channel, Level
from interactions.models import Gesture, LevelChange, Occasion
from interactions.occasions import (
    OCCASION_DAYS,
    days_ahead,
    falls_on,
    kind_for_label,
    next_date,
    occasion_words,
    special_date_month_day,
    words,
)
from interactions.selectors import rubric_facts

from .models import BendEvent, CaseEvent, RecoveryCase, Rule, RuleBend
from .services import cases_overdue_q

BOARD_LIMIT = 50
DUMB_RULES_DAYS = 90  # the dumb-rules ranking counts the bends asked in this many days


def case_list(*, user) -> QuerySet:
    return scope_to_teams(RecoveryCase.objects.all(), user)


def case_overdue_filter(queryset: QuerySet, overdue: bool, *, now: datetime | None = None) -> QuerySet:
    q = cases_overdue_q(now or timezone.now())
    return queryset.filter(q) if overdue else queryset.exclude(q)


def case_owner_filter(queryset: QuerySet, owner: str, *, user) -> QuerySet:
    """`me`: the viewer's cases; `none`: nobody's yet; an id: that person's."""
    if owner == "me":
        return queryset.filter(owner_id=user.pk)
    if owner == "none":
        return queryset.filter(owner__isnull=True)
    return queryset.filter(owner_id=int(owner))


def case_due_now() -> Case:
    """The deadline that applies now (RecoveryCase.deadline) as an expression, to order by."""
    Status = RecoveryCase.Status
    return Case(
        When(status=Status.OPEN, then=F("fix_due")), When(status=Status.FIXED, then=F("surprise_due")), default=None,
        output_field=DateTimeField(),
    )


def my_cases(*, user, limit: int = 50) -> list[RecoveryCase]:
    """The frontline's home queue: the viewer's cases not closed yet, most urgent first (the fix due
    while open, the surprise due once fixed, then the surprised ones waiting to be closed)."""
    return list(
        RecoveryCase.objects.filter(owner_id=user.pk)
        .exclude(status=RecoveryCase.Status.CLOSED)
        .select_related("customer", "team")
        .order_by(case_due_now().asc(nulls_last=True), "id")[:limit]
    )


def _cases(user, filters: dict | None = None) -> QuerySet:
    """The viewer's cases with their customer, team and owner, narrowed by the board's filters."""
    cases = case_list(user=user).select_related("customer", "team", "owner")
    filters = filters or {}
    if filters.get("owner"):
        cases = case_owner_filter(cases, filters["owner"], user=user)
    if filters.get("severity"):
        cases = cases.filter(severity=filters["severity"])
    if filters.get("channel"):
        cases = cases.filter(interaction__channel=filters["channel"])
    if filters.get("overdue"):
        cases = case_overdue_filter(cases, filters["overdue"] == "true")
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
        .order_by(F("escalated_at").desc(nulls_last=True), case_due_now().asc(), "-id")[:limit]
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


def case_detail(*, user, case_id) -> RecoveryCase | None:
    """One case of the viewer's teams with its interaction, timeline and bends, or None."""
    return (
        _cases(user)
        .select_related("interaction", "surprise_gesture", "follow_up_of")
        .prefetch_related("events__actor", "bends__rule", "bends__requested_by", "bends__decided_by")
        .filter(pk=case_id)
        .first()
    )


def case_follow_ups(*, case: RecoveryCase) -> list[RecoveryCase]:
    """The cases opened as follow-ups of this one, oldest first."""
    return list(case.follow_ups.order_by("id"))


def customer_open_cases(*, user, customer) -> list[RecoveryCase]:
    """A customer's cases not closed yet, soonest fix due first."""
    return list(
        case_list(user=user).filter(customer=customer).exclude(status=RecoveryCase.Status.CLOSED).order_by("fix_due", "id")
    )


def latest_changes() -> tuple:
    """The newest level change, case event and bend event ids: whatever a dashboard shows changes
    only with one of them written (a level logged, rated or re-scored; a case opened, moved or
    escalated; a bend asked or decided). One query of three primary-key look-ups, never a count."""
    tables = (LevelChange._meta.db_table, CaseEvent._meta.db_table, BendEvent._meta.db_table)
    maxima = [f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables]  # nosec B608 - model tables, no values
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(maxima))
        return tuple(cursor.fetchone())


def bends_decidable_q(user) -> Q:
    """The bends this user can decide, as a filter: the same rule as services.bend_may_decide (their
    teams as a manager, within their approval limit; an admin anywhere), never their own."""
    if user.is_admin:
        return ~Q(requested_by_id=user.pk)
    if not user.is_manager:
        return Q(pk__in=[])
    return ~Q(requested_by_id=user.pk) & Q(cost__lte=user.approval_limit)


def case_events(*, case: RecoveryCase) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


def rule_list(*, user) -> QuerySet:
    return scope_to_teams(Rule.objects.all(), user).order_by("team_id", "name", "id")


def rules_to_bend(*, user, team_id: int) -> list[Rule]:
    """The active rules of one of the viewer's teams, by name: what a bend can be asked for."""
    return list(scope_to_teams(Rule.objects.filter(active=True, team_id=team_id), user).order_by("name"))


def rules_ranked(*, user, days: int = DUMB_RULES_DAYS, now: datetime | None = None) -> QuerySet:
    """Dumb rules: the rules most asked to bend over the period, then the most often approved.

    approval_rate = approved / decided bends in the period (None when nothing was decided yet).
    """
    since = (now or timezone.now()) - timedelta(days=days)
    in_period = Q(bends__requested_at__gte=since)
    return (
        rule_list(user=user)
        .select_related("team")
        .annotate(
            bend_count=Count("bends", filter=in_period),
            approved_count=Count("bends", filter=in_period & Q(bends__status=RuleBend.Status.APPROVED)),
            decided_count=Count("bends", filter=in_period & ~Q(bends__status=RuleBend.Status.PENDING)),
        )
        .annotate(
            approval_rate=Cast(F("approved_count"), FloatField()) / Cast(NullIf(F("decided_count"), 0), FloatField())
        )
        .order_by("-bend_count", F("approval_rate").desc(nulls_last=True), "name", "id")
    )


def dumb_rules_top(*, user, limit: int = 5) -> list[Rule]:
    """The head of the dumb-rules ranking, only rules asked to bend at all."""
    return [rule for rule in rules_ranked(user=user)[:limit] if rule.bend_count]


def bend_list(*, user) -> QuerySet:
    return scope_to_teams(RuleBend.objects.all(), user)


def pending_bends(*, user, limit: int = 50, decidable: bool | None = True) -> list[RuleBend]:
    """Bends waiting for a decision in the viewer's teams, oldest first (the queue). `decidable`:
    True, only those the viewer can decide; False, only those waiting for others; None, all."""
    bends = bend_list(user=user).filter(status=RuleBend.Status.PENDING)
    if decidable is not None:
        can = bends_decidable_q(user)
        bends = bends.filter(can) if decidable else bends.exclude(can)
    return list(bends.select_related("rule", "team", "requested_by", "case", "customer").order_by("requested_at", "id")[:limit])


def decided_bends(*, user, limit: int = 50) -> list[RuleBend]:
    """The latest decided bends of the viewer's teams, with who asked and who decided."""
    return list(
        bend_list(user=user).exclude(status=RuleBend.Status.PENDING)
        .select_related("rule", "team", "requested_by", "decided_by", "case", "customer")
        .order_by("-decided_at", "-id")[:limit]
    )


def bend_for_decision(*, user, bend_id: int) -> RuleBend | None:
    """One bend of the viewer's teams with its rule, team and people, or None."""
    return bend_list(user=user).select_related("rule", "team", "requested_by", "decided_by").filter(pk=bend_id).first()


def bend_events(*, bend: RuleBend) -> QuerySet:
    return BendEvent.objects.filter(bend=bend).select_related("actor").order_by("at", "id")


@dataclass(frozen=True)
class GestureRecommendation:
    gesture: Gesture
    level: int  # what it would land at now: its effective base level, never received in the window
    fits_preferences: bool
    why: str
    fit: int = 0  # how well it fits this customer: preferences, preferred channel, an upcoming occasion




def upcoming_occasions(customer, at: datetime, days: int = OCCASION_DAYS) -> list[tuple[str, set[str]]]:
    """The customer's occasions in the next `days` days, each as (its name, the words a fitting gesture
    would use): their special dates (every year) and the occasions noted on their interactions (once;
    one query)."""
    today = timezone.localtime(at, customer.team.tz).date()
    found = []
    for entry in customer.special_dates or []:
        month_day = special_date_month_day(entry.get("date", "")) if isinstance(entry, dict) else None
        if month_day and next_date(month=month_day[0], day=month_day[1], year=None, today=today, days=days):
            label = str(entry.get("label", ""))
            found.append((label, occasion_words(kind_for_label(label), label)))
    within = Q()
    for day in days_ahead(today, days):
        within |= falls_on(day)
    for occasion in Occasion.objects.filter(within, customer_id=customer.pk, interaction__isnull=False).order_by("month", "day", "id"):
        found.append((str(occasion.get_kind_display()), occasion_words(occasion.kind, occasion.label)))
    return found


def gestures_recommended(*, case: RecoveryCase, at: datetime | None = None) -> list[GestureRecommendation]:
    """The team's active gestures this customer has never received in the familiarity window (they
    land at their full base level), best for this customer first.

    Each scores its level plus its fit: +1 when a word of the customer's preferences is in its name or
    description, +1 when it mentions their preferred channel, +2 when it speaks to an occasion of
    theirs in the next 14 days (a birthday cake before a birthday). Ties go first to the better fit,
    then are spread over customers (a stable order per customer), so one gesture does not top every
    list and drift from being given to everyone.
    """
    at = at or timezone.now()
    customer = case.customer
    team = case.team
    gestures = list(Gesture.objects.filter(team_id=team.id, active=True).order_by("name", "id"))
    facts = rubric_facts(team=team, customer_id=customer.id, at=at).gestures
    liked = words(customer.preferences)
    occasions = dict(upcoming_occasions(customer, at))
    channel_words = set()
    if customer.preferred_channel:
        channel_words = {customer.preferred_channel.lower(), str(Channel(customer.preferred_channel).label).lower()}
    found = []
    for g in gestures:
        f = facts[g.id]
        if f.prior_deliveries:
            continue
        gesture_text = f"{g.name} {g.description}".lower()
        gesture_words = words(gesture_text)
        shared = sorted(liked & gesture_words)
        channel_fit = any(w and w in gesture_text for w in channel_words)
        occasion = next((label for label, fitting in occasions.items() if fitting & gesture_words), None)
        fit = (1 if shared else 0) + (1 if channel_fit else 0) + (2 if occasion else 0)
        reasons = [
            _("Never received in the last %(days)d days: lands at %(level)s.")
            % {"days": team.familiarity_window_days, "level": Level(f.base_level).label}
        ]
        if occasion:
            reasons.append(_("Their %(occasion)s is coming up.") % {"occasion": occasion})
        if shared:
            reasons.append(_("Fits their preferences (%(words)s).") % {"words": ", ".join(shared)})
        if channel_fit:
            reasons.append(_("Fits their preferred channel (%(channel)s).") % {"channel": customer.get_preferred_channel_display()})
        found.append(GestureRecommendation(gesture=g, level=f.base_level, fits_preferences=bool(shared or channel_fit), why=" ".join(reasons), fit=fit))
    found.sort(key=lambda r: (-(r.level + r.fit), -r.fit, hashlib.sha256(f"{customer.pk}:{r.gesture.pk}".encode()).digest()))
    return found
