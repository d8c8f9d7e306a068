"""Logging an interaction (its level by the rubric, its deliveries, its history) and giving a
gesture outside one; the checks every write of an interaction's facts shares."""

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import scope_to_teams_sql
from core.db import RowReader

from .. import links, scoring
from ..level_changes import interaction_insert_with_level, levels_announce
from ..levels import Channel, Issue
from ..models import Customer, Gesture, GestureDelivery, Interaction, LevelChange, Occasion, OccasionKind
from ..selectors import rubric_facts

FEEDBACK = "feedback"
# Nothing is logged before this: keeps window arithmetic far from datetime's limits.
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)


def _mark_rescore_from(customer_id: int, at: datetime) -> None:
    """Late facts: the customer's later interactions must be re-scored from `at` on (by the re-score job)."""
    Customer.objects.filter(pk=customer_id).filter(Q(rescore_from__isnull=True) | Q(rescore_from__gt=at)).update(
        rescore_from=at
    )


def _clean_occasion(occasion) -> tuple[str, date | None]:
    """An interaction's occasion: {"kind": ..., "date": date} or None."""
    if not occasion:
        return "", None
    kind, when = occasion.get("kind"), occasion.get("date")
    errors = []
    if kind not in OccasionKind.values:
        errors.append(_("Choose an occasion from: %(kinds)s.") % {"kinds": ", ".join(OccasionKind.values)})
    if not isinstance(when, date) or isinstance(when, datetime):
        errors.append(_("An occasion needs its date."))
    if errors:
        raise ValidationError({"occasion": errors})
    return kind, when


def _clean_facts(*, channel: str, issues, summary: str) -> list[str]:
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = [_('"%(channel)s" is not a valid channel.') % {"channel": channel}]
    issues = list(dict.fromkeys(issues or []))
    unknown = [i for i in issues if i not in Issue.values]
    if unknown:
        errors["issues"] = [_("Unknown issue(s): %(issues)s.") % {"issues": ", ".join(map(str, unknown))}]
    if len(summary) > 5000:
        errors["summary"] = [_("At most 5000 characters.")]
    if errors:
        raise ValidationError(errors)
    return issues


_CUSTOMER_AND_TEAM = RowReader(Customer, Team)


def _customer_locked(*, actor: User, customer: Customer | int, team_id: int | None = None) -> Customer:
    """The customer (an instance or an id), with its team, locked for this transaction: one of the
    actor's teams' customers, or a 400 on `customer` (another team's customer reads as nonexistent).

    The lock: two logs for one customer at once must count each other's deliveries. Only the
    customer's row (`FOR UPDATE OF`), not its team's, so the team's other customers are logged in
    parallel. One hand-written statement, the actor's teams a subquery of it: the same statement as
    a queryset cost four times its running time to compile and read (`RowReader`).
    """
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    scope, params = scope_to_teams_sql(actor, "c.team_id")
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {_CUSTOMER_AND_TEAM.columns(Customer, 'c')}, {_CUSTOMER_AND_TEAM.columns(Team, 't')} "  # nosec B608
        f"FROM {Customer._meta.db_table} c JOIN {Team._meta.db_table} t ON t.id = c.team_id "
        f"WHERE c.id = %s AND {scope}{lock}"
    )  # the names come from the models, every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer_id, *params])
        row = cursor.fetchone()
    if row is None:
        raise ValidationError({"customer": [_('Invalid pk "%(pk)s" - object does not exist.') % {"pk": customer_id}]})
    found, team = _CUSTOMER_AND_TEAM.instances(row, connection)
    found.team = team
    if team_id is not None and team_id != found.team_id:
        raise ValidationError({"team": [_("The team is the customer's team.")]})
    return found


@transaction.atomic
def interaction_log(
    *,
    actor: User,
    customer: Customer | int,
    channel: str,
    occurred_at: datetime | None = None,
    summary: str = "",
    promise_kept: bool = True,
    issues=(),
    matched_preference: bool = False,
    gestures=(),
    team: int | None = None,
    occasion: dict | None = None,
    imported: bool = False,
) -> Interaction:
    """Log an interaction and give it its level by the rubric, as of its occurred_at.

    `imported`: history brought in from another tool; its level is recorded with the cause
    `imported`, which opens no recovery case.

    `customer` is one of the actor's teams' customers (or its id); `team`, when given, must be its
    team. Criminal and Basic open a recovery case in the same transaction. A backdated interaction
    marks the customer's later interactions for the re-score job.
    """
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timezone.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("An interaction cannot happen in the future.")]})
    if occurred_at < EARLIEST_OCCURRED_AT:
        raise ValidationError({"occurred_at": [_("An interaction cannot be logged before 2000.")]})
    issues = _clean_facts(channel=channel, issues=issues, summary=summary)
    occasion_kind, occasion_date = _clean_occasion(occasion)
    gesture_ids = list(dict.fromkeys(g.id if isinstance(g, Gesture) else int(g) for g in gestures))
    customer = _customer_locked(actor=actor, customer=customer, team_id=team)
    team = customer.team
    # Asked after the lock, so a log that committed while this one waited counts as later.
    facts = rubric_facts(team=team, customer_id=customer.id, at=occurred_at, ask_later=True)
    bad = [gid for gid in gesture_ids if gid not in facts.active_ids]
    if bad:
        raise ValidationError({"gestures": [_("Not an active gesture of this team: %(ids)s.") % {"ids": ", ".join(map(str, bad))}]})
    assessment = facts.assess(
        channel=channel, promise_kept=promise_kept, issues=issues, matched_preference=matched_preference, gestures=gesture_ids
    )
    nonce, digest = links.new_link(purpose=FEEDBACK)
    interaction = Interaction(
        team=team,
        customer=customer,
        channel=channel,
        occurred_at=occurred_at,
        summary=summary,
        promise_kept=promise_kept,
        issues=issues,
        matched_preference=matched_preference,
        assessed_level=assessment.level,
        level=assessment.level,
        omitted_gestures=list(assessment.omitted),
        reason=assessment.reason.encode(),
        logged_by=actor,
        feedback_nonce=nonce,
        feedback_digest=digest,
        occasion_kind=occasion_kind,
        occasion_date=occasion_date,
    )
    cause = LevelChange.Cause.IMPORTED if imported else LevelChange.Cause.LOGGED
    # The row and its first level's history row (one statement on PostgreSQL), lean inserts built by the model layer.
    move = interaction_insert_with_level(interaction=interaction, cause=cause, actor=actor)
    if occasion_date is not None:  # once, on its date: the radar and the reminder find it there
        Occasion.objects.create(
            team=team, customer=customer, interaction=interaction, kind=occasion_kind, month=occasion_date.month, day=occasion_date.day, year=occasion_date.year,
        )
    if gesture_ids:
        GestureDelivery.objects.bulk_create(
            GestureDelivery(interaction=interaction, gesture_id=gid, customer=customer, delivered_at=occurred_at)
            for gid in gesture_ids
        )
    interaction.delivered_gesture_ids = gesture_ids  # what the response shows, without reading it back
    interaction.recovery_case_id = None  # a listener of the announcement sets it when a case opens
    levels_announce([move])
    if facts.later_interactions:
        _mark_rescore_from(customer.id, occurred_at)
    return interaction


def gesture_deliver(*, customer: Customer, gesture: Gesture, at: datetime) -> tuple[GestureDelivery, int]:
    """Give a customer a gesture outside any interaction (a recovery surprise). It counts on the
    escalator for their later interactions like any delivery. Returns the delivery and the level it
    is perceived at: the gesture's effective base level less one for each time the customer got it
    inside the window before."""
    Customer.objects.select_for_update(of=("self",)).filter(pk=customer.pk).first()  # one delivery count at a time
    facts = rubric_facts(team=customer.team, customer_id=customer.pk, at=at, ask_later=True)
    given = facts.gestures[gesture.pk]
    level = scoring.perceived_level(given.base_level, given.prior_deliveries + 1)
    delivery = GestureDelivery.objects.create(interaction=None, gesture=gesture, customer=customer, delivered_at=at)
    if facts.later_interactions:
        _mark_rescore_from(customer.pk, at)
    return delivery, level
