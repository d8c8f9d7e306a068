"""Who owns a case (a new one's first owner, then whoever it is assigned to), and the team's
internal notes on it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import workflow
from ..models import CaseEvent, RecoveryCase
from .telling import tell_assigned
from .timeline import case_event, case_locked, clean_note


@transaction.atomic
def case_assign(*, actor: User, case: RecoveryCase, owner: User | int) -> RecoveryCase:
    """Anyone in the team (re)assigns a case to someone in the team; an event says who, from whom
    to whom, and the new owner is told (unless they took it themselves)."""
    case = case_locked(actor=actor, case=case, action=workflow.ASSIGN)
    owner_id = owner.pk if isinstance(owner, User) else owner
    new_owner = User.objects.filter(pk=owner_id, teams=case.team_id, is_active=True).first() if owner_id else None
    if new_owner is None:
        raise ValidationError({"owner": [_("Choose someone in this case's team.")]})
    if new_owner.pk == case.owner_id:
        return case
    old_owner = case.owner
    now = timezone.now()
    case.owner = new_owner
    case.save(update_fields=["owner"])
    names = {"old": old_owner.get_username() if old_owner else _("nobody"), "new": new_owner.get_username()}
    event = case_event(case, kind=CaseEvent.Kind.ASSIGNED, from_status=case.status, actor=actor, at=now,
                        note=_("Owner: %(old)s → %(new)s.") % names)
    if new_owner.pk != actor.pk:
        tell_assigned(case, new_owner, actor, key=str(event.pk))
    return case


@transaction.atomic
def case_note_add(*, actor: User, case: RecoveryCase, note: str) -> CaseEvent:
    """An internal note on the timeline: for the team only, never shown to the customer."""
    note = clean_note(note)
    if not note:
        raise ValidationError({"note": [_("Write the note.")]})
    case = case_locked(actor=actor, case=case, action=workflow.NOTE)
    return case_event(case, kind=CaseEvent.Kind.NOTE, from_status=case.status, actor=actor, note=note, at=timezone.now())


def case_default_owner(
    *, team_id: int, personal_contact_id: int | None, logged_by_id: int | None, member_logger: User | None = None
) -> User | None:
    """Who owns a new case: the customer's personal contact when set and in the team, else whoever
    logged the interaction (when in the team), else nobody until someone assigns it. At most one
    query; none when the customer has no contact and `member_logger` is the logger, known to be in
    the team (they just logged it: logging checked that)."""
    if not personal_contact_id and member_logger is not None and member_logger.pk == logged_by_id:
        return member_logger
    wanted = [pk for pk in (personal_contact_id, logged_by_id) if pk]
    if not wanted:
        return None
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted, teams=team_id, is_active=True)}
    return next((found[pk] for pk in wanted if pk in found), None)
