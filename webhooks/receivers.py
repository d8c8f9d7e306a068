"""What the webhooks app hears from the apps below it, turned into events for the subscribers.

Each announcement comes inside the transaction of the change (the report's after its mail went out);
the event and its deliveries are written there too, so a change that rolls back sends nothing. The
event's `data` is the object as the API shows it (in English, times in UTC), built only when the
team has a subscriber for that event.
"""

from collections import defaultdict
from datetime import UTC

from django.utils import timezone, translation

from interactions.api.serializers import InteractionOutputSerializer
from interactions.level_changes import LevelMove
from interactions.models import Interaction, LevelChange
from recovery.api.serializers import BendOutputSerializer, CaseOutputSerializer
from recovery.models import CaseEvent
from reports.services import report_url
from reports.weeks import IsoWeek

from .models import EventType
from .services import events_record

CASE_EVENTS = {
    CaseEvent.Kind.OPENED: EventType.CASE_OPENED,
    CaseEvent.Kind.FIXED: EventType.CASE_FIXED,
    CaseEvent.Kind.SURPRISED: EventType.CASE_SURPRISED,
    CaseEvent.Kind.CLOSED: EventType.CASE_CLOSED,
    CaseEvent.Kind.CORRECTED: EventType.CASE_CLOSED,
    CaseEvent.Kind.ESCALATED: EventType.CASE_ESCALATED,
}
BEND_EVENTS = {
    "requested": [EventType.BEND_REQUESTED],
    "auto-approved": [EventType.BEND_REQUESTED, EventType.BEND_DECIDED],
    "approved": [EventType.BEND_DECIDED],
    "rejected": [EventType.BEND_DECIDED],
}


def _as_api(serializer_class, objects) -> list[dict]:
    with translation.override("en"), timezone.override(UTC):
        return list(serializer_class(objects, many=True).data)


def _interactions(moves: list[LevelMove]) -> list[Interaction]:
    """The moved interactions ready to serialize: the ones the caller holds as they are, the others
    read in two queries (rows with their case's id, then their gestures)."""
    held = {m.interaction_id: m.interaction for m in moves if m.interaction is not None}
    missing = [m.interaction_id for m in moves if m.interaction_id not in held]
    if missing:
        from django.db.models import F

        for interaction in (
            Interaction.objects.filter(pk__in=missing)
            .annotate(recovery_case_id=F("recovery_case__id"))
            .prefetch_related("deliveries")
        ):
            interaction.delivered_gesture_ids = [d.gesture_id for d in interaction.deliveries.all()]
            held[interaction.pk] = interaction
    for interaction in held.values():
        if not hasattr(interaction, "recovery_case_id"):
            interaction.recovery_case_id = None
    return [held[m.interaction_id] for m in moves if m.interaction_id in held]


def on_levels_changed(sender, *, moves: list[LevelMove], **kwargs) -> None:
    by_team: dict[tuple[int, str], list[LevelMove]] = defaultdict(list)
    for move in moves:
        if move.cause == LevelChange.Cause.IMPORTED:
            continue  # history brought in by CSV import: not news to the team's other tools
        kind = EventType.INTERACTION_LOGGED if move.old_level is None else EventType.INTERACTION_LEVEL_CHANGED
        by_team[(move.team_id, kind)].append(move)
    for (team_id, kind), team_moves in by_team.items():
        events_record(team_id=team_id, event_type=kind,
                      data=lambda team_moves=team_moves: _as_api(InteractionOutputSerializer, _interactions(team_moves)))


def on_case_changed(sender, *, case, kind: str, **kwargs) -> None:
    event_type = CASE_EVENTS.get(kind)
    if event_type is not None:
        events_record(team_id=case.team_id, event_type=event_type, data=lambda: _as_api(CaseOutputSerializer, [case]))


def on_bend_changed(sender, *, bend, kind: str, **kwargs) -> None:
    for event_type in BEND_EVENTS.get(kind, []):
        events_record(team_id=bend.team_id, event_type=event_type, data=lambda: _as_api(BendOutputSerializer, [bend]))


def on_report_sent(sender, *, send, **kwargs) -> None:
    def data():
        return [{
            "team": send.team_id,
            "week": send.iso_week,
            "sent_at": send.sent_at.astimezone(UTC).isoformat() if send.sent_at else None,
            "recipients": len(send.recipients),
            "url": report_url(send.team_id, IsoWeek.parse(send.iso_week)),
        }]

    events_record(team_id=send.team_id, event_type=EventType.REPORT_SENT, data=data)
