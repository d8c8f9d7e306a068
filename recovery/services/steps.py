"""The recovery itself, one step at a time: fix quickly, then surprise, then close; afterwards the
customer says how the recovery felt. Which step is allowed now is `recovery.workflow`'s to say."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import StateConflict
from interactions.levels import RECOVERY_LEVELS, Level
from interactions.models import Gesture
from interactions.services import gesture_deliver

from .. import sla, workflow
from ..models import CaseEvent, RecoveryCase
from .opening import case_follow_up_open
from .telling import email_case_fixed, email_recovered_link
from .timeline import case_event, case_locked, clean_note

CUSTOMER_MESSAGE_MAX = 2000


@transaction.atomic
def case_fix(*, actor: User, case: RecoveryCase, note: str = "", customer_message: str = "") -> RecoveryCase:
    """The broken promise is repaired; the surprise clock starts. The customer hears it by mail, with
    `customer_message` if given (also shown on their status page); the internal `note` never reaches them."""
    note = clean_note(note)
    customer_message = (customer_message or "").strip()
    if len(customer_message) > CUSTOMER_MESSAGE_MAX:
        raise ValidationError({"customer_message": [_("At most %(n)d characters.") % {"n": CUSTOMER_MESSAGE_MAX}]})
    case = case_locked(actor=actor, case=case, action=workflow.FIX)
    now = timezone.now()
    old = case.status
    case.status = RecoveryCase.Status.FIXED
    case.fixed_at = now
    surprise = sla.surprise_deadline(team=case.team, fixed_at=now)
    case.surprise_due, case.warn_at, case.admins_at = surprise.due, surprise.warn_at, surprise.admins_at
    case.customer_message = customer_message
    case.save(update_fields=["status", "fixed_at", "surprise_due", "warn_at", "admins_at", "customer_message"])
    event_note = note
    if customer_message:
        event_note = " — ".join(filter(None, [note, _("To the customer: %(message)s") % {"message": customer_message}]))
    case_event(case, kind=CaseEvent.Kind.FIXED, from_status=old, actor=actor, note=event_note, at=now)
    email_case_fixed(case)
    return case


@transaction.atomic
def case_surprise(*, actor: User, case: RecoveryCase, gesture: Gesture | int, note: str = "") -> RecoveryCase:
    """Deliver a gesture to the customer: a delivery recorded on the case, not a new interaction.

    It counts on the escalator for the customer's later interactions; the case keeps the level it
    was perceived at. No omission check and never a case of its own.
    """
    note = clean_note(note)
    case = case_locked(actor=actor, case=case, action=workflow.SURPRISE)
    gesture_id = gesture.pk if isinstance(gesture, Gesture) else gesture
    gesture = Gesture.objects.filter(pk=gesture_id, team_id=case.team_id, active=True).first()
    if gesture is None:
        raise ValidationError({"gesture": [_("Choose an active gesture of this case's team.")]})
    now = timezone.now()
    delivery, level = gesture_deliver(customer=case.customer, gesture=gesture, at=now)
    old = case.status
    case.status = RecoveryCase.Status.SURPRISED
    case.surprised_at = now
    case.surprise_gesture = gesture
    case.surprise_level = level
    case.surprise_delivery = delivery
    case.save(update_fields=["status", "surprised_at", "surprise_gesture", "surprise_level", "surprise_delivery"])
    words = _("Surprise: %(gesture)s, perceived at %(level)s.") % {"gesture": gesture.name, "level": Level(level).label}
    case_event(case, kind=CaseEvent.Kind.SURPRISED, from_status=old, actor=actor, note=" — ".join(filter(None, [words, note])), at=now)
    return case


@transaction.atomic
def case_close(*, actor: User, case: RecoveryCase, note: str = "", reason: str = "") -> RecoveryCase:
    """Close after the surprise; without one only a manager may close, and only with a written reason."""
    note = clean_note(note)
    reason = clean_note(reason, "reason")
    case = case_locked(actor=actor, case=case)
    if case.status != RecoveryCase.Status.SURPRISED and not reason:
        raise ValidationError({"reason": [_("Say why this case closes without a surprise.")]})
    now = timezone.now()
    old = case.status
    case.status = RecoveryCase.Status.CLOSED
    case.closed_at = now
    case.close_reason = reason
    case.save(update_fields=["status", "closed_at", "close_reason"])
    case_event(case, kind=CaseEvent.Kind.CLOSED, from_status=old, actor=actor, note=" — ".join(filter(None, [note, reason])), at=now)
    if case.customer.email and not case.customer.contact_opt_out:
        email_recovered_link(case.pk)
    return case


@transaction.atomic
def case_recovered_rate(*, case: RecoveryCase, level: int) -> RecoveryCase:
    """The customer's rating after the recovery: the recovered level. One rating per link."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationError({"level": [_("Choose a level from 1 (Criminal) to 6 (Unbelievable).")]})
    case = RecoveryCase.objects.select_for_update().get(pk=case.pk)
    if case.status != RecoveryCase.Status.CLOSED:
        raise StateConflict(_("The case is not closed yet."), code="not_closed")
    if case.recovered_level is not None:
        raise StateConflict(_("This recovery was already rated."), code="already_rated")
    now = timezone.now()
    case.recovered_level = level
    case.recovered_rated_at = now
    case.save(update_fields=["recovered_level", "recovered_rated_at"])
    case_event(case, kind=CaseEvent.Kind.RATED, from_status=case.status, actor=None, note=f"Recovered level {Level(level).label}.", at=now)
    if level in RECOVERY_LEVELS:
        case_follow_up_open(case=case, level=level, at=now)
    return case
