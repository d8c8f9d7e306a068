"""Re-scoring a set of customers' interactions on the database: read their rows, assess them with
the rubric (interactions.rubric, the same facts logging uses), write what differs through the one
way a level changes (interactions.level_changes).

The re-score job (drift) runs it chunk by chunk over many customers; a correction runs it for one
customer inside its request.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BigIntegerField, Func, TextField
from django.db.models.functions import Cast

from accounts.models import Team

from .level_changes import levels_write
from .models import Gesture, GestureDelivery, GestureDrift, Interaction
from .rubric import HISTORY_FIELDS, Rescored, Rubric, assess_history


class EpochMicros(Func):
    """A timestamp column as integer microseconds since the epoch (exact on both databases)."""

    output_field = BigIntegerField()
    POSTGRESQL = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; unixepoch() drops the fraction.
    SQLITE = "(unixepoch(%(expressions)s) * 1000000 + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.POSTGRESQL, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.SQLITE, **extra)


def epoch_micros_sql(column: str) -> str:
    """EpochMicros for hand-written SQL on the current database."""
    template = EpochMicros.POSTGRESQL if connection.vendor == "postgresql" else EpochMicros.SQLITE
    return template % {"expressions": column}


def raw_rows(queryset) -> list[tuple]:
    """The queryset's rows as the driver returns them: these columns (integers, booleans, text) need none
    of the ORM's per-row conversion, which would cost more than the rubric on a million rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rubric_load(team_ids) -> Rubric:
    """The rubric for these teams: their windows, gestures and drift timelines (three queries)."""
    team_ids = sorted(set(team_ids))
    windows = dict(Team.objects.filter(id__in=team_ids).values_list("id", "familiarity_window_days"))
    gestures = raw_rows(
        Gesture.objects.filter(team_id__in=team_ids)
        .annotate(channels_json=Cast("channels", TextField()))
        .values_list("id", "team_id", "name", "base_level", "recurring", "active", "channels_json")
    )
    drifts = raw_rows(
        GestureDrift.objects.filter(gesture__team_id__in=team_ids)
        .annotate(at_us=EpochMicros("effective_from"))
        .values_list("gesture_id", "at_us", "offset")
    )
    return Rubric(windows=windows, gestures=gestures, drifts=drifts)


@contextmanager
def _gc_paused():
    """Assessing allocates only acyclic tuples and lists: the cycle collector would scan them in vain."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Scored:
    examined: int
    changes: list[Rescored]
    rubric: Rubric


def customers_assess(interactions, deliveries, team_ids) -> Scored:
    """Read these interactions and the customers' deliveries (querysets already narrowed to the
    customers) and assess them; nothing is written."""
    with _gc_paused():
        return _customers_assess(interactions, deliveries, team_ids)


def _customers_assess(interactions, deliveries, team_ids) -> Scored:
    rows = raw_rows(
        interactions.annotate(
            at_us=EpochMicros("occurred_at"),
            issues_json=Cast("issues", TextField()),
            omitted_json=Cast("omitted_gestures", TextField()),
        )
        .order_by("customer_id", "occurred_at", "id")
        .values_list(*HISTORY_FIELDS)
    )
    delivery_rows = raw_rows(
        deliveries.annotate(at_us=EpochMicros("delivered_at"))
        .order_by("customer_id", "gesture_id", "delivered_at")
        .values_list("interaction_id", "customer_id", "gesture_id", "at_us")
    )
    rubric = rubric_load(team_ids)  # after the reads: it knows every gesture they mention
    return Scored(len(rows), assess_history(rubric, rows, delivery_rows), rubric)


def customer_rescore(*, customer_id: int, team_id: int, since: datetime | None, cause: str, actor=None) -> list[Rescored]:
    """Re-score one customer's interactions from `since` on (all when None), now, in the caller's
    transaction: a correction's later interactions. Returns the rows whose level moved."""
    interactions = Interaction.objects.filter(customer_id=customer_id)
    if since is not None:
        interactions = interactions.filter(occurred_at__gte=since)
    scored = customers_assess(interactions, GestureDelivery.objects.filter(customer_id=customer_id), [team_id])
    return levels_write(scored.changes, cause=cause, customers=(customer_id, customer_id), actor=actor)


__all__ = ["EpochMicros", "customer_rescore", "customers_assess", "epoch_micros_sql", "raw_rows", "rubric_load"]
