"""The one way an interaction's level changes: the change is recorded (the history row, with its
reason in words) and announced (`levels_changed`). Logging, the customer's rating, a correction and
the re-score job all come through here; what follows a change (a recovery case opening, or closing
as corrected) listens to the announcement instead of being called from here, so this app never
imports the apps built on it.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import override

from core.db import insert_row, insert_row_with_child

from . import reasons, scoring
from .levels import RECOVERY_LEVELS
from .models import Interaction, LevelChange
from .rubric import Rescored

# Sent inside the transaction that changed the levels, with `moves`: a list of LevelMove.
levels_changed = Signal()

Cause = LevelChange.Cause
REASON_MAX = LevelChange._meta.get_field("reason").max_length


@dataclass(slots=True)
class LevelMove:
    """One interaction's level moved (old_level None: it was just logged)."""

    interaction_id: int
    customer_id: int
    team_id: int
    old_level: int | None
    new_level: int
    cause: str
    actor: object = None  # the user behind it, None for the customer or a job
    interaction: Interaction | None = None  # when the caller holds it (listeners may annotate it)

    @property
    def entered_recovery(self) -> bool:
        """Dropped into Criminal or Basic (or lower within them): the interaction needs its recovery case."""
        return self.new_level in RECOVERY_LEVELS and (self.old_level is None or self.new_level < self.old_level)

    @property
    def left_recovery(self) -> bool:
        return self.old_level in RECOVERY_LEVELS and self.new_level not in RECOVERY_LEVELS


def _history_reason(reason_text: str, assessed_level: int, customer_level: int | None, cause: str) -> str:
    """The words of the history row, in English (an audit record has one language); call it with
    English active (`override("en")`), once for a whole batch."""
    if cause == Cause.CUSTOMER_RATING:
        words = reasons.level_reason(reason_text=reason_text, assessed_level=assessed_level, customer_level=customer_level)
    else:
        words = reasons.assessed_reason_words(scoring.Reason.decode(reason_text), assessed_level)
    return words[:REASON_MAX]


def levels_announce(moves: list[LevelMove]) -> None:
    if moves:
        levels_changed.send(sender=LevelMove, moves=moves)


def level_record(*, interaction: Interaction, old_level: int | None, cause: str, actor=None) -> LevelMove:
    """Record the change of one interaction to its current `level` and announce it."""
    insert_row(_change(interaction, old_level, cause, actor))
    move = LevelMove(
        interaction.pk, interaction.customer_id, interaction.team_id, old_level, interaction.level, cause, actor, interaction
    )
    levels_announce([move])
    return move


def _change(interaction: Interaction, old_level: int | None, cause: str, actor) -> LevelChange:
    with override("en"):
        words = _history_reason(interaction.reason, interaction.assessed_level, interaction.customer_level, cause)
    return LevelChange(
        interaction=interaction, old_level=old_level, new_level=interaction.level, cause=cause, reason=words, actor=actor
    )


def interaction_insert_with_level(*, interaction: Interaction, cause: str, actor=None) -> LevelMove:
    """Insert a new interaction with the history row of its first level (one statement on
    PostgreSQL, two elsewhere). Returns its move, for the caller to announce (`levels_announce`)
    once the interaction's other rows (deliveries, occasion) are written."""
    insert_row_with_child(interaction, _change(interaction, None, cause, actor), link="interaction")
    return LevelMove(interaction.pk, interaction.customer_id, interaction.team_id, None, interaction.level, cause, actor, interaction)


def levels_write(
    changes: list[Rescored],
    *,
    cause: str,
    customers: tuple[int, int],
    job_run_id: int | None = None,
    actor=None,
    now: datetime | None = None,
) -> list[Rescored]:
    """Write re-scored rows in bulk (assessment, level, omissions, reason), a history row for each
    level that moved, and announce the moves. Returns the rows whose level moved.

    A row whose level or customer rating moved since it was read (a rating in the meantime) is left
    alone; the rating itself marked its customer for the next run. The customers' id range lets the
    database find the rows by index.
    """
    if not changes:
        return []
    now = now or timezone.now()
    table, history = Interaction._meta.db_table, LevelChange._meta.db_table
    by_id = {c.interaction_id: c for c in changes}
    words: dict[tuple, str] = {}  # the history rows' words; most changes share theirs: word each once
    with override("en"):
        for c in changes:
            key = (c.reason, c.assessed_level, c.customer_level)
            if key not in words:
                words[key] = _history_reason(c.reason, c.assessed_level, c.customer_level, cause)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: the changed rows and, for those whose level moved, their history.
            cursor.execute(
                f"""
                WITH v AS (
                    SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::smallint[], %s::text[], %s::smallint[],
                                         %s::smallint[], %s::text[], %s::text[])
                    AS v(id, assessed, level, omitted, old_level, cl, reason, words)
                ), u AS (
                    UPDATE {table} AS i
                    SET assessed_level = v.assessed, level = v.level, omitted_gestures = v.omitted::jsonb, reason = v.reason
                    FROM v
                    WHERE i.id = v.id AND i.level = v.old_level AND COALESCE(i.customer_level, 0) = v.cl
                      AND i.customer_id BETWEEN %s AND %s
                    RETURNING i.id, v.old_level, v.level, v.words
                ), h AS (
                    INSERT INTO {history} (interaction_id, old_level, new_level, cause, reason, job_run_id, actor_id, changed_at)
                    SELECT u.id, u.old_level, u.level, %s, u.words, %s, %s, %s FROM u WHERE u.old_level <> u.level
                    ON CONFLICT (interaction_id, job_run_id) WHERE job_run_id IS NOT NULL DO NOTHING
                )
                SELECT id FROM u
                """,  # nosec B608 - table names come from the models; every value is a parameter
                [
                    [c.interaction_id for c in changes],
                    [c.assessed_level for c in changes],
                    [c.level for c in changes],
                    [json.dumps(c.omitted) for c in changes],
                    [c.old_level for c in changes],
                    [c.customer_level or 0 for c in changes],
                    [c.reason for c in changes],
                    [words[(c.reason, c.assessed_level, c.customer_level)] for c in changes],
                    customers[0],
                    customers[1],
                    cause,
                    job_run_id,
                    getattr(actor, "pk", None),
                    now,
                ],
            )
            updated = [by_id[row[0]] for row in cursor.fetchall()]
            moved = [c for c in updated if c.level != c.old_level]
        else:  # SQLite (the embedded default): the same UPDATE from json_each, then the history in bulk
            payload = json.dumps(
                [[c.interaction_id, c.assessed_level, c.level, json.dumps(c.omitted), c.old_level, c.customer_level or 0, c.reason] for c in changes]
            )
            cursor.execute(
                f"""
                UPDATE {table} AS i
                SET assessed_level = v.assessed, level = v.level, omitted_gestures = v.omitted, reason = v.reason
                FROM (
                    SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS assessed,
                           json_extract(value, '$[2]') AS level, json_extract(value, '$[3]') AS omitted,
                           json_extract(value, '$[4]') AS old_level, json_extract(value, '$[5]') AS cl,
                           json_extract(value, '$[6]') AS reason
                    FROM json_each(%s)
                ) AS v
                WHERE i.id = v.id AND i.level = v.old_level AND COALESCE(i.customer_level, 0) = v.cl
                  AND i.customer_id BETWEEN %s AND %s
                RETURNING id
                """,  # nosec B608 - the table name comes from the model; every value is a parameter
                [payload, customers[0], customers[1]],
            )
            updated = [by_id[row[0]] for row in cursor.fetchall()]
            moved = [c for c in updated if c.level != c.old_level]
            LevelChange.objects.bulk_create(
                [
                    LevelChange(
                        interaction_id=c.interaction_id, old_level=c.old_level, new_level=c.level, cause=cause,
                        reason=words[(c.reason, c.assessed_level, c.customer_level)], job_run_id=job_run_id, actor=actor,
                        changed_at=now,
                    )
                    for c in moved
                ],
                ignore_conflicts=job_run_id is not None,  # a resumed run never writes the same row's change twice
                batch_size=2000,
            )
    levels_announce(
        [LevelMove(c.interaction_id, c.customer_id, c.team_id, c.old_level, c.level, cause, actor) for c in moved]
    )
    return moved
