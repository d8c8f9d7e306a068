"""Recovery cases (fix quickly, then surprise) and rule bends: every write, with its event."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import team_managers, user_is_member, user_manages, user_timezone
from audit.services import audit_changes, audit_record
from core.errors import StateConflict
from interactions import links
from interactions.customer_mail import customer_email_enqueue
from interactions.levels import CUSTOMER_CHOICES, RECOVERY_LEVELS, Level
from interactions.models import Customer, Gesture, Interaction
from interactions.reasons import interaction_level_reason
from interactions.services import gesture_deliver
from notifications.services import staff_notify

from . import sla, workflow
from .announcements import bend_changed, case_changed
from .models import BendEvent, CaseEvent, RecoveryCase, Rule, RuleBend
from .sla import fix_hours  # noqa: F401  (the demo reads it here)

logger = logging.getLogger(__name__)

STATUS = "status"
RECOVERED = "recovered"
NOTE_MAX = 4000
CUSTOMER_MESSAGE_MAX = 2000
# A case opened about an older interaction (a re-score, a late correction) gets no apology by mail:
# the customer would not know what it is about. The team sees the case as always.
APOLOGY_WITHIN = timedelta(days=7)


# --- Cases ---------------------------------------------------------------------------------


def case_open_for_interaction(*, interaction, actor=None, just_logged: bool = False) -> RecoveryCase | None:
    """Open the interaction's recovery case when its level is Criminal or Basic (exactly once).

    Called when a level change is announced (logging, the customer's rating, a correction, the
    re-score job). The one-to-one column keeps it to one case per interaction even when two callers
    race. `just_logged`: the interaction was created in the caller's transaction, so no other caller
    can see it yet and there is nothing to look for or race with.
    """
    if interaction.level not in RECOVERY_LEVELS:
        return None
    if just_logged:
        # Logging let a non-admin logger in only for their own team's customer: they are a member.
        member = actor if actor is not None and not actor.is_admin and actor.pk == interaction.logged_by_id else None
        return _case_create(interaction, actor, member_logger=member)
    existing = RecoveryCase.objects.filter(interaction_id=interaction.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _case_create(interaction, actor)
    except IntegrityError:
        return RecoveryCase.objects.get(interaction_id=interaction.pk)


def cases_open_for_interactions(*, interaction_ids: list[int], actor=None) -> dict[int, RecoveryCase]:
    """Open the cases these interactions (each now Criminal or Basic) are missing; one query finds
    those that have theirs (one case per interaction, ever), one reads the others. Returns the cases
    opened now, by interaction id."""
    have = set(RecoveryCase.objects.filter(interaction_id__in=interaction_ids).values_list("interaction_id", flat=True))
    missing = [iid for iid in interaction_ids if iid not in have]
    opened = {}
    if missing:
        for interaction in Interaction.objects.filter(pk__in=missing).select_related("team"):
            case = case_open_for_interaction(interaction=interaction, actor=actor)
            if case is not None:
                opened[interaction.pk] = case
    return opened


def cases_close_as_corrected(*, levels: dict[int, int], actor=None) -> list[RecoveryCase]:
    """These interactions' levels left Criminal and Basic through a correction (or a re-score of
    corrected facts or a changed rubric): each one's case, unless already closed, closes as
    corrected, with an event saying so. `levels`: interaction id -> its level now."""
    cases = (
        RecoveryCase.objects.select_for_update(of=("self",))
        .filter(interaction_id__in=list(levels))
        .exclude(status=RecoveryCase.Status.CLOSED)
        .order_by("id")
    )
    now = timezone.now()
    closed = []
    for case in cases:
        old = case.status
        case.status = RecoveryCase.Status.CLOSED
        case.closed_at = now
        case.close_reason = _("Corrected: the interaction is now %(level)s.") % {"level": Level(levels[case.interaction_id]).label}
        case.save(update_fields=["status", "closed_at", "close_reason"])
        _event(case, kind=CaseEvent.Kind.CORRECTED, from_status=old, actor=actor, note=case.close_reason, at=now)
        closed.append(case)
    return closed


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


def _case_new(*, team, customer_id: int, severity: int, owner, now, interaction=None, follow_up_of=None) -> RecoveryCase:
    status_nonce, status_digest = links.new_link(purpose=STATUS)
    recovered_nonce, recovered_digest = links.new_link(purpose=RECOVERED)
    fix = sla.fix_deadline(team=team, severity=severity, opened_at=now)
    return RecoveryCase.objects.create(
        interaction=interaction,
        follow_up_of=follow_up_of,
        customer_id=customer_id,
        team=team,
        severity=severity,
        owner=owner,
        opened_at=now,
        fix_due=fix.due,
        warn_at=fix.warn_at,
        admins_at=fix.admins_at,
        status_nonce=status_nonce,
        status_digest=status_digest,
        recovered_nonce=recovered_nonce,
        recovered_digest=recovered_digest,
    )


def _case_create(interaction, actor, *, member_logger: User | None = None) -> RecoveryCase:
    now = timezone.now()
    team = interaction.team
    owner = case_default_owner(
        team_id=team.pk, personal_contact_id=interaction.customer.personal_contact_id, logged_by_id=interaction.logged_by_id,
        member_logger=member_logger,
    )
    case = _case_new(team=team, customer_id=interaction.customer_id, severity=interaction.level, owner=owner, now=now, interaction=interaction)
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.OPENED, from_status="", to_status=case.status, actor=actor, at=now,
        note=_("Opened at %(reason)s") % {"reason": interaction_level_reason(interaction)},
    )
    if interaction.occurred_at >= now - APOLOGY_WITHIN:
        _email_case_opened(case)
    case_changed.send(sender=RecoveryCase, case=case, kind=CaseEvent.Kind.OPENED)
    if owner is not None and (actor is None or owner.pk != actor.pk):
        _tell_assigned(case, owner, actor, key="opened")
    return case


def _clean_note(note, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    return note


def _case_locked(*, actor: User, case: RecoveryCase, action: str | None = None) -> RecoveryCase:
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


def _event(case: RecoveryCase, *, kind: str, from_status: str, actor: User | None, note: str, at: datetime) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, kind=kind, from_status=from_status, to_status=case.status, actor=actor, note=note, at=at
    )
    case_changed.send(sender=RecoveryCase, case=case, kind=kind)
    return event


@transaction.atomic
def case_fix(*, actor: User, case: RecoveryCase, note: str = "", customer_message: str = "") -> RecoveryCase:
    """The broken promise is repaired; the surprise clock starts. The customer hears it by mail, with
    `customer_message` if given (also shown on their status page); the internal `note` never reaches them."""
    note = _clean_note(note)
    customer_message = (customer_message or "").strip()
    if len(customer_message) > CUSTOMER_MESSAGE_MAX:
        raise ValidationError({"customer_message": [_("At most %(n)d characters.") % {"n": CUSTOMER_MESSAGE_MAX}]})
    case = _case_locked(actor=actor, case=case, action=workflow.FIX)
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
    _event(case, kind=CaseEvent.Kind.FIXED, from_status=old, actor=actor, note=event_note, at=now)
    _email_case_fixed(case)
    return case


@transaction.atomic
def case_surprise(*, actor: User, case: RecoveryCase, gesture: Gesture | int, note: str = "") -> RecoveryCase:
    """Deliver a gesture to the customer: a delivery recorded on the case, not a new interaction.

    It counts on the escalator for the customer's later interactions; the case keeps the level it
    was perceived at. No omission check and never a case of its own.
    """
    note = _clean_note(note)
    case = _case_locked(actor=actor, case=case, action=workflow.SURPRISE)
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
    _event(case, kind=CaseEvent.Kind.SURPRISED, from_status=old, actor=actor, note=" — ".join(filter(None, [words, note])), at=now)
    return case


@transaction.atomic
def case_close(*, actor: User, case: RecoveryCase, note: str = "", reason: str = "") -> RecoveryCase:
    """Close after the surprise; without one only a manager may close, and only with a written reason."""
    note = _clean_note(note)
    reason = _clean_note(reason, "reason")
    case = _case_locked(actor=actor, case=case)
    if case.status != RecoveryCase.Status.SURPRISED and not reason:
        raise ValidationError({"reason": [_("Say why this case closes without a surprise.")]})
    now = timezone.now()
    old = case.status
    case.status = RecoveryCase.Status.CLOSED
    case.closed_at = now
    case.close_reason = reason
    case.save(update_fields=["status", "closed_at", "close_reason"])
    _event(case, kind=CaseEvent.Kind.CLOSED, from_status=old, actor=actor, note=" — ".join(filter(None, [note, reason])), at=now)
    if case.customer.email and not case.customer.contact_opt_out:
        _email_recovered_link(case.pk)
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
    _event(case, kind=CaseEvent.Kind.RATED, from_status=case.status, actor=None, note=f"Recovered level {Level(level).label}.", at=now)
    if level in RECOVERY_LEVELS:
        case_follow_up_open(case=case, level=level, at=now)
    return case


def case_follow_up_open(*, case: RecoveryCase, level: int, at: datetime) -> RecoveryCase:
    """The recovery failed (the customer rated it Basic or Criminal): a follow-up case opens, linked
    to the first, for the same owner, at the level the customer gave; the owner and managers are told.
    Called inside the rating's transaction, with the first case locked: one follow-up per rating."""
    owner = case.owner if case.owner_id and case.owner.is_active and user_is_member(case.owner, case.team_id) else None
    follow_up = _case_new(
        team=case.team, customer_id=case.customer_id, severity=level, owner=owner, now=at, follow_up_of=case
    )
    words = _("The customer rated the recovery of case #%(id)s %(level)s: it failed, so this follow-up opens.") % {
        "id": case.pk, "level": Level(level).label,
    }
    _event(follow_up, kind=CaseEvent.Kind.OPENED, from_status="", actor=None, at=at, note=words)
    _event(case, kind=CaseEvent.Kind.FOLLOW_UP, from_status=case.status, actor=None, at=at,
           note=_("Follow-up case #%(id)s opened.") % {"id": follow_up.pk})
    follow_up = RecoveryCase.objects.select_related("team", "customer").get(pk=follow_up.pk)

    def render():
        title = _("Recovery failed: follow-up case #%(id)s for %(customer)s") % {"id": follow_up.pk, "customer": follow_up.customer.name}
        text = _(
            "%(customer)s rated the recovery of case #%(first)s %(level)s. Follow-up case #%(id)s is open, "
            "to be fixed by %(due)s.\n\nOpen it: %(url)s\n"
        ) % {
            "customer": follow_up.customer.name, "first": case.pk, "level": Level(level).label, "id": follow_up.pk,
            "due": _local(follow_up.fix_due), "url": case_page_url(follow_up.pk),
        }
        return title, text

    staff_notify(
        users=[owner, *team_managers(team_id=case.team_id)], kind="case.follow_up", dedupe_key=f"case-{follow_up.pk}-follow-up",
        render=render, timezone_of=user_timezone, url=case_page_url(follow_up.pk),
    )
    return follow_up


# --- Owners and notes ----------------------------------------------------------------------


@transaction.atomic
def case_assign(*, actor: User, case: RecoveryCase, owner: User | int) -> RecoveryCase:
    """Anyone in the team (re)assigns a case to someone in the team; an event says who, from whom
    to whom, and the new owner is told (unless they took it themselves)."""
    case = _case_locked(actor=actor, case=case, action=workflow.ASSIGN)
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
    event = _event(case, kind=CaseEvent.Kind.ASSIGNED, from_status=case.status, actor=actor, at=now,
                   note=_("Owner: %(old)s → %(new)s.") % names)
    if new_owner.pk != actor.pk:
        _tell_assigned(case, new_owner, actor, key=str(event.pk))
    return case


@transaction.atomic
def case_note_add(*, actor: User, case: RecoveryCase, note: str) -> CaseEvent:
    """An internal note on the timeline: for the team only, never shown to the customer."""
    note = _clean_note(note)
    if not note:
        raise ValidationError({"note": [_("Write the note.")]})
    case = _case_locked(actor=actor, case=case, action=workflow.NOTE)
    return _event(case, kind=CaseEvent.Kind.NOTE, from_status=case.status, actor=actor, note=note, at=timezone.now())


def _tell_assigned(case: RecoveryCase, owner: User, actor: User | None, *, key: str) -> None:
    customer = case.customer
    url = case_page_url(case.pk)

    def render():
        what, due = case.deadline
        title = _("Case #%(id)s for %(customer)s is yours") % {"id": case.pk, "customer": customer.name}
        text = _("%(who)s gave you recovery case #%(id)s (%(severity)s) for %(customer)s. Due: %(due)s.\n\nOpen it: %(url)s\n") % {
            "who": actor.get_username() if actor else _("The system"), "id": case.pk, "severity": case.get_severity_display(),
            "customer": customer.name, "due": _local(due) if due else "—", "url": url,
        }
        return title, text

    staff_notify(users=[owner], kind="case.assigned", dedupe_key=f"case-{case.pk}-assigned-{key}",
                 render=render, timezone_of=user_timezone, url=url)


# --- Customer links ------------------------------------------------------------------------


def case_status_url(case: RecoveryCase) -> str:
    return f"{settings.SITE_URL}/status/{links.link_token(purpose=STATUS, nonce=case.status_nonce)}/"


def recovered_token(case: RecoveryCase) -> str:
    return links.link_token(purpose=RECOVERED, nonce=case.recovered_nonce)


def case_recovered_url(case: RecoveryCase) -> str:
    return f"{settings.SITE_URL}/feedback/recovered/{recovered_token(case)}/"


def _link_expired(since: datetime | None) -> bool:
    return since is None or since < timezone.now() - timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS)


def case_by_status_token(token: str) -> RecoveryCase | None:
    """The case a customer's status link points to, or None (unknown, malformed or expired)."""
    if not links.looks_like_token(token):
        return None
    case = RecoveryCase.objects.select_related("team").filter(status_digest=links.token_digest(token)).first()
    if case is None or _link_expired(case.closed_at or case.opened_at):
        return None
    return case


def case_by_recovered_token(token: str) -> RecoveryCase | None:
    """The closed case a recovered-level link points to, or None; the link works only after closing."""
    if not links.looks_like_token(token):
        return None
    case = RecoveryCase.objects.select_related("team").filter(recovered_digest=links.token_digest(token)).first()
    if case is None or case.status != RecoveryCase.Status.CLOSED or _link_expired(case.closed_at):
        return None
    return case


# --- SLA -----------------------------------------------------------------------------------


def cases_overdue_q(now: datetime) -> Q:
    return RecoveryCase.overdue_q(now)


# --- Notifications: written to the outbox in the same transaction, sent after commit ------------


def case_page_url(case_id: int) -> str:
    return f"{settings.SITE_URL}{reverse('web:case-detail', args=[case_id])}"


def _local(at: datetime) -> str:
    """A time as the recipient reads it (email_staff activates their time zone), zone named."""
    local = timezone.localtime(at)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _email_case_opened(case: RecoveryCase) -> None:
    """The apology with the status link, at once: quiet hours never delay an apology."""
    # The logging service's customer (with its team) when there is one: no query to find it again.
    customer = case.interaction.customer if Interaction.customer.is_cached(case.interaction) else None
    if customer is None or not Customer.team.is_cached(customer):
        customer = Customer.objects.select_related("team").get(pk=case.customer_id)
    customer_email_enqueue(
        customer=customer, dedupe_key=f"case-{case.pk}-opened", template="email/case_opened",
        context={"case": case, "status_url": case_status_url(case)},
    )


def _email_case_fixed(case: RecoveryCase) -> None:
    customer_email_enqueue(
        customer=case.customer, dedupe_key=f"case-{case.pk}-fixed", template="email/case_fixed",
        context={"case": case, "status_url": case_status_url(case), "message": case.customer_message},
    )


def _email_recovered_link(case_id: int) -> None:
    """The recovered-level question: a question, so it waits for the end of the team's quiet hours."""
    case = RecoveryCase.objects.select_related("team", "customer__team").get(pk=case_id)
    url = case_recovered_url(case)
    choices = [{"level": int(level), "words": words, "url": f"{url}?level={int(level)}"} for level, words in CUSTOMER_CHOICES]
    customer_email_enqueue(
        customer=case.customer, dedupe_key=f"case-{case.pk}-recovered-link", template="email/case_recovered",
        context={"case": case, "rate_url": url, "choices": choices}, not_before=case.team.quiet_hours_over(timezone.now()),
    )


def bend_deciders(bend: RuleBend) -> list[User]:
    """Who can actually decide this bend: the team's managers whose approval limit covers its cost,
    never the requester; when none of them can, the admins (never the requester either)."""
    managers = [
        m for m in team_managers(team_id=bend.team_id).exclude(pk=bend.requested_by_id)
        if not m.is_admin and m.approval_limit >= bend.cost
    ]
    if managers and not bend.needs_admin:
        return managers
    return list(User.objects.filter(Q(is_superuser=True) | Q(role=User.Role.ADMIN), is_active=True).exclude(pk=bend.requested_by_id).order_by("id"))


def bend_decider_words(bend: RuleBend) -> str:
    """Who will decide, as the requester is told."""
    if bend.status != RuleBend.Status.PENDING:
        return ""
    return _("An admin will decide (above the managers' approval limits).") if bend.needs_admin else _("A manager of the team will decide.")


def _bends_url() -> str:
    return f"{settings.SITE_URL}{reverse('web:bends')}"


def _tell_bend_waiting(bend_id: int) -> None:
    bend = RuleBend.objects.select_related("rule", "team", "requested_by").get(pk=bend_id)

    def render():
        title = _("A rule bend waits for you: %(rule)s") % {"rule": bend.rule.name}
        text = _(
            "%(who)s asks to bend \"%(rule)s\" (%(team)s) at a cost of %(cost)s.\n\nWhy: %(why)s\n\n"
            "Asked at %(at)s. Decide: %(url)s\n"
        ) % {
            "who": bend.requested_by.get_full_name() or bend.requested_by.get_username(), "rule": bend.rule.name,
            "team": bend.team.name, "cost": bend.cost, "why": bend.justification, "at": _local(bend.requested_at),
            "url": _bends_url(),
        }
        return title, text

    staff_notify(users=bend_deciders(bend), kind="bend.requested", dedupe_key=f"bend-{bend.pk}-waiting",
                 render=render, timezone_of=user_timezone, url=_bends_url())


def _tell_bend_decided(bend: RuleBend) -> None:
    def render():
        approved = bend.status == RuleBend.Status.APPROVED
        words = {"rule": bend.rule.name, "who": bend.decided_by.get_username(), "note": bend.decision_note or "—",
                 "cost": bend.cost, "at": _local(bend.decided_at), "url": _bends_url()}
        if approved:
            title = _("Your rule bend was approved: %(rule)s") % words
            text = _("%(who)s approved your request to bend \"%(rule)s\" (cost %(cost)s) at %(at)s.\n\nNote: %(note)s\n\n%(url)s\n") % words
        else:
            title = _("Your rule bend was rejected: %(rule)s") % words
            text = _("%(who)s rejected your request to bend \"%(rule)s\" (cost %(cost)s) at %(at)s.\n\nWhy: %(note)s\n\n%(url)s\n") % words
        return title, text

    staff_notify(users=[bend.requested_by], kind="bend.decided", dedupe_key=f"bend-{bend.pk}-decided",
                 render=render, timezone_of=user_timezone, url=_bends_url())


# --- Rules and bends -----------------------------------------------------------------------


def _clean_rule(rule: Rule) -> None:
    try:
        rule.full_clean()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError({"name": [_("This team already has a rule with this name.")]}) from exc
        raise


@transaction.atomic
def rule_create(*, actor: User, team, name: str, description: str = "", active: bool = True) -> Rule:
    if not user_manages(actor, team.id):
        raise PermissionDenied(_("Only the team's managers can add rules."))
    rule = Rule(team=team, name=name, description=description, active=active)
    _clean_rule(rule)
    rule.save()
    audit_record(actor=actor, action="rule.created", subject=f"rule {rule.pk} {rule.name}", new=rule.name, team_id=team.id)
    return rule


@transaction.atomic
def rule_update(*, actor: User, rule: Rule, changes: dict) -> Rule:
    if not user_manages(actor, rule.team_id):
        raise PermissionDenied(_("Only the team's managers can change rules."))
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    changes.pop("team", None)  # a rule stays with its team: its bends were asked there
    before = {field: getattr(rule, field) for field in changes}
    for field, value in changes.items():
        setattr(rule, field, value)
    _clean_rule(rule)
    rule.save()
    audit_changes(
        actor=actor, kind="rule", subject=f"rule {rule.pk} {rule.name}", before=before,
        after={field: getattr(rule, field) for field in changes}, team_id=rule.team_id,
    )
    return rule


def _clean_cost(cost) -> Decimal:
    try:
        cost = Decimal(str(cost))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"cost": [_("A number, like 12.50.")]}) from None
    if not cost.is_finite():
        raise ValidationError({"cost": [_("A number, like 12.50.")]})
    if cost < 0:
        raise ValidationError({"cost": [_("The cost cannot be negative.")]})
    if cost >= Decimal("100000000") or cost != cost.quantize(Decimal("0.01")):
        raise ValidationError({"cost": [_("At most 99999999.99, with two decimals.")]})
    return cost


@transaction.atomic
def bend_request(
    *,
    actor: User,
    rule: Rule,
    justification: str,
    cost,
    case: RecoveryCase | None = None,
    customer: Customer | None = None,
) -> RuleBend:
    """Ask to bend a rule for a case or a customer. A frontline ask within the team's say-yes threshold
    is approved at once; otherwise it waits for a manager (or an admin above every other manager's limit)."""
    if not user_is_member(actor, rule.team_id):
        raise PermissionDenied(_("You can only bend your own teams' rules."))
    errors = {}
    justification = (justification or "").strip()
    if not justification:
        errors["justification"] = [_("Say why this rule should bend.")]
    elif len(justification) > NOTE_MAX:
        errors["justification"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    try:
        cost = _clean_cost(cost)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if case is None and customer is None:
        errors["non_field_errors"] = [_("Bend a rule for a case or for a customer.")]
    if case is not None and case.team_id != rule.team_id:
        errors["case"] = [_("The case belongs to another team than the rule.")]
    if customer is not None and customer.team_id != rule.team_id:
        errors["customer"] = [_("The customer belongs to another team than the rule.")]
    if case is not None and customer is not None and case.customer_id != customer.pk and "case" not in errors:
        errors["customer"] = [_("This is not the case's customer.")]
    if not rule.active:
        errors["rule"] = [_("This rule is no longer in force.")]
    if errors:
        raise ValidationError(errors)
    if customer is None:
        customer = case.customer
    team = rule.team
    now = timezone.now()
    # The threshold approves frontline asks only: whoever could decide bends never approves their own.
    threshold = min(team.say_yes_threshold, settings.SAY_YES_THRESHOLD_MAX)
    auto = threshold > 0 and cost <= threshold and not actor.is_manager
    limits = team_managers(team_id=team.id).exclude(pk=actor.pk).values_list("approval_limit", flat=True)
    bend = RuleBend.objects.create(
        rule=rule,
        team=team,
        case=case,
        customer=customer,
        justification=justification,
        cost=cost,
        status=RuleBend.Status.APPROVED if auto else RuleBend.Status.PENDING,
        requested_by=actor,
        requested_at=now,
        needs_admin=not auto and not any(limit >= cost for limit in limits),
        auto_approved=auto,
        decided_at=now if auto else None,
        decision_note=_("Within the team's say-yes threshold of %(t)s.") % {"t": threshold} if auto else "",
    )
    BendEvent.objects.create(bend=bend, kind="requested", from_status="", to_status=RuleBend.Status.PENDING, actor=actor, note=justification, at=now)
    if auto:
        BendEvent.objects.create(
            bend=bend, kind="auto-approved", from_status=RuleBend.Status.PENDING, to_status=RuleBend.Status.APPROVED,
            actor=None, note=bend.decision_note, at=now,
        )
    else:
        _tell_bend_waiting(bend.pk)
    bend_changed.send(sender=RuleBend, bend=bend, kind="auto-approved" if auto else "requested")
    return bend


def bend_may_decide(actor: User, bend: RuleBend) -> tuple[bool, str]:
    """Whether this actor may decide this bend, and why not."""
    if bend.requested_by_id == actor.pk:
        return False, _("Nobody decides their own rule bend.")
    if actor.is_admin:
        return True, ""
    if not user_manages(actor, bend.team_id):
        return False, _("Only a manager of the team decides rule bends.")
    if bend.cost > actor.approval_limit:
        return False, _("The cost %(cost)s is above your approval limit of %(limit)s; an admin decides.") % {
            "cost": bend.cost, "limit": actor.approval_limit,
        }
    return True, ""


@transaction.atomic
def bend_decide(*, actor: User, bend: RuleBend, approve: bool, note: str = "") -> RuleBend:
    """Approve or reject a pending bend. Of any number of simultaneous decisions exactly one stands:
    the conditional UPDATE ... WHERE status = 'pending' lets one win; the others get a conflict."""
    note = _clean_note(note)
    allowed, why = bend_may_decide(actor, bend)
    if not allowed:
        raise PermissionDenied(why)
    if not approve and not note:
        current = RuleBend.objects.filter(pk=bend.pk).values_list("status", flat=True).first()
        if current != RuleBend.Status.PENDING:  # a stale decision is a conflict, whatever its note
            raise StateConflict(_("This bend was already decided (%(status)s).") % {"status": current}, code="already_decided")
        raise ValidationError({"note": [_("Say why the bend is rejected: the requester reads it.")]})
    now = timezone.now()
    to_status = RuleBend.Status.APPROVED if approve else RuleBend.Status.REJECTED
    won = RuleBend.objects.filter(pk=bend.pk, status=RuleBend.Status.PENDING).update(
        status=to_status, decided_by=actor, decided_at=now, decision_note=note
    )
    if not won:
        current = RuleBend.objects.filter(pk=bend.pk).values_list("status", flat=True).first()
        raise StateConflict(
            _("This bend was already decided (%(status)s).") % {"status": current}, code="already_decided"
        )
    BendEvent.objects.create(
        bend_id=bend.pk, kind=str(to_status), from_status=RuleBend.Status.PENDING, to_status=to_status, actor=actor,
        note=note, at=now,
    )
    bend = RuleBend.objects.select_related("rule", "team", "requested_by", "decided_by").get(pk=bend.pk)
    _tell_bend_decided(bend)
    bend_changed.send(sender=RuleBend, bend=bend, kind=str(to_status))
    return bend
