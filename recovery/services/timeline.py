"""What every case action shares: the case row locked once the workflow allows the action, the
event it leaves on the case's timeline (announced to the apps above), and the note's limits."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_member

from .. import workflow
from ..announcements import case_changed
from ..models import CaseEvent, RecoveryCase

NOTE_MAX = 4000


def clean_note(note, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    return note


def case_locked(*, actor: User, case: RecoveryCase, action: str | None = None) -> RecoveryCase:
    """The case row, locked for this transaction, once the workflow allows the actor this action on it
    as it is now (`action` None: the close that fits its state)."""
    if not user_is_member(actor, case.team_id):
        raise PermissionDenied(_("You can only work your own teams' cases."))
    # of=("self",): lock the case, not the team or interaction rows joined in for reading.
    case = (
        RecoveryCase.objects.select_for_update(of=("self",))
        .select_related("team", "interaction", "customer")
        .get(pk=case.pk)
    )
    workflow.case_action_check(actor, case, action or workflow.close_action(case))
    return case


def case_event(case: RecoveryCase, *, kind: str, from_status: str, actor: User | None, note: str, at: datetime) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, kind=kind, from_status=from_status, to_status=case.status, actor=actor, note=note, at=at
    )
    case_changed.send(sender=RecoveryCase, case=case, kind=kind)
    return event
