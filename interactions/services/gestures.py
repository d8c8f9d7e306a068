"""Gestures: a team's managers add and change them; a change of what scores is a correction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import user_manages
from audit.services import audit_changes, audit_record

from ..models import Gesture


@transaction.atomic
def gesture_create(*, actor: User, team: Team, **fields) -> Gesture:
    if not user_manages(actor, team.id):
        raise PermissionDenied(_("Only the team's managers can add gestures."))
    gesture = Gesture(team=team, **fields)
    gesture.full_clean()
    gesture.save()
    audit_record(actor=actor, action="gesture.created", subject=f"gesture {gesture.pk} {gesture.name}", new=gesture.name, team_id=team.id)
    return gesture


@transaction.atomic
def gesture_update(*, actor: User, gesture: Gesture, changes: dict) -> Gesture:
    """A change of base level, recurring, channels or active is a correction: every interaction is re-scored, past ones too."""
    if not user_manages(actor, gesture.team_id):
        raise PermissionDenied(_("Only the team's managers can change gestures."))
    gesture = Gesture.objects.select_for_update().get(pk=gesture.pk)
    changes.pop("team", None)
    before = {field: getattr(gesture, field) for field in changes}
    corrected = any(
        field in changes and changes[field] != getattr(gesture, field) for field in ("base_level", "recurring", "active", "channels")
    )
    for field, value in changes.items():
        setattr(gesture, field, value)
    if corrected:
        gesture.corrected_at = timezone.now()
    gesture.full_clean()
    gesture.save()
    audit_changes(
        actor=actor, kind="gesture", subject=f"gesture {gesture.pk} {gesture.name}", before=before,
        after={field: getattr(gesture, field) for field in changes}, team_id=gesture.team_id,
    )
    return gesture
