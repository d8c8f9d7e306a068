"""Corrections of a logged interaction's facts: who may, and the re-score that follows."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_member, user_manages

from ..models import Gesture, GestureDelivery, Interaction, InteractionCorrection, LevelChange
from .log import EARLIEST_OCCURRED_AT, _clean_facts, _customer_locked

CORRECTABLE = ("channel", "occurred_at", "summary", "promise_kept", "issues", "matched_preference", "gestures")
LOGGER_CORRECTION_WINDOW = timezone.timedelta(hours=24)


def interaction_may_correct(actor: User, interaction: Interaction, *, now: datetime | None = None) -> tuple[bool, str]:
    """Who may correct an interaction's facts: whoever logged it within 24 hours, a manager of its team any time."""
    now = now or timezone.now()
    if user_manages(actor, interaction.team_id):
        return True, ""
    if not user_is_member(actor, interaction.team_id):
        return False, _("You can only correct your own teams' interactions.")
    if interaction.logged_by_id != actor.pk:
        return False, _("Only the person who logged it (within 24 hours) or a manager can correct it.")
    if now - interaction.created_at > LOGGER_CORRECTION_WINDOW:
        return False, _("More than 24 hours have passed since you logged it: ask a manager to correct it.")
    return True, ""


def _facts_of(interaction: Interaction, gesture_ids) -> dict:
    return {
        "channel": interaction.channel,
        "occurred_at": interaction.occurred_at.isoformat(),
        "summary": interaction.summary,
        "promise_kept": interaction.promise_kept,
        "issues": list(interaction.issues),
        "matched_preference": interaction.matched_preference,
        "gestures": sorted(gesture_ids),
    }


@transaction.atomic
def interaction_correct(*, actor: User, interaction: Interaction, changes: dict, note: str = "") -> Interaction:
    """Correct a logged interaction's facts. The correction is recorded (who, when, the facts before
    and after); the interaction and this customer's later interactions are re-scored now, each level
    that moves is recorded and announced (a case whose interaction leaves Criminal or Basic closes as
    corrected; one that drops into them opens)."""
    from ..rescoring import customer_rescore

    allowed, why = interaction_may_correct(actor, interaction)
    if not allowed:
        raise PermissionDenied(why)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({field: [_("This field cannot be corrected.")] for field in sorted(unknown)})
    customer = _customer_locked(actor=actor, customer=interaction.customer_id)
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    old_gestures = sorted(interaction.deliveries.values_list("gesture_id", flat=True))
    before = _facts_of(interaction, old_gestures)

    now = timezone.now()
    occurred_at = changes.get("occurred_at", interaction.occurred_at)
    if occurred_at > now + timezone.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("An interaction cannot happen in the future.")]})
    if occurred_at < EARLIEST_OCCURRED_AT:
        raise ValidationError({"occurred_at": [_("An interaction cannot be logged before 2000.")]})
    channel = changes.get("channel", interaction.channel)
    summary = changes.get("summary", interaction.summary)
    issues = _clean_facts(channel=channel, issues=changes.get("issues", interaction.issues), summary=summary)
    gesture_ids = sorted(dict.fromkeys(int(g) for g in changes.get("gestures", old_gestures)))
    if gesture_ids != old_gestures:
        active = set(Gesture.objects.filter(team_id=interaction.team_id, active=True).values_list("id", flat=True))
        bad = [gid for gid in gesture_ids if gid not in active and gid not in old_gestures]
        if bad:
            raise ValidationError({"gestures": [_("Not an active gesture of this team: %(ids)s.") % {"ids": ", ".join(map(str, bad))}]})

    earliest = min(interaction.occurred_at, occurred_at)
    interaction.channel, interaction.occurred_at, interaction.summary = channel, occurred_at, summary
    interaction.promise_kept = changes.get("promise_kept", interaction.promise_kept)
    interaction.issues = issues
    interaction.matched_preference = changes.get("matched_preference", interaction.matched_preference)
    after = _facts_of(interaction, gesture_ids)
    if after == before:
        return interaction
    interaction.save(update_fields=["channel", "occurred_at", "summary", "promise_kept", "issues", "matched_preference"])
    GestureDelivery.objects.filter(interaction=interaction).exclude(gesture_id__in=gesture_ids).delete()
    GestureDelivery.objects.filter(interaction=interaction).update(delivered_at=occurred_at)
    GestureDelivery.objects.bulk_create(
        GestureDelivery(interaction=interaction, gesture_id=gid, customer_id=customer.pk, delivered_at=occurred_at)
        for gid in gesture_ids
        if gid not in old_gestures
    )
    InteractionCorrection.objects.create(
        interaction=interaction, actor=actor, at=now, old_facts=before, new_facts=after, note=(note or "")[:500]
    )
    customer_rescore(
        customer_id=customer.pk, team_id=interaction.team_id, since=earliest, cause=LevelChange.Cause.CORRECTION, actor=actor
    )
    interaction.refresh_from_db()
    return interaction
