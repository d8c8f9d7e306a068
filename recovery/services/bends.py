"""Rule bends: asked for a case or a customer, approved at once within the team's say-yes
threshold, otherwise decided by a manager within their approval limit (an admin above every
manager's); whoever can decide hears it waits, the requester hears the decision."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import team_managers, user_is_member, user_manages, user_timezone
from core.errors import StateConflict
from interactions.models import Customer
from notifications.services import staff_notify

from ..announcements import bend_changed
from ..models import BendEvent, RecoveryCase, Rule, RuleBend
from .telling import local_time
from .timeline import NOTE_MAX, clean_note


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
    note = clean_note(note)
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
            "team": bend.team.name, "cost": bend.cost, "why": bend.justification, "at": local_time(bend.requested_at),
            "url": _bends_url(),
        }
        return title, text

    staff_notify(users=bend_deciders(bend), kind="bend.requested", dedupe_key=f"bend-{bend.pk}-waiting",
                 render=render, timezone_of=user_timezone, url=_bends_url())


def _tell_bend_decided(bend: RuleBend) -> None:
    def render():
        approved = bend.status == RuleBend.Status.APPROVED
        words = {"rule": bend.rule.name, "who": bend.decided_by.get_username(), "note": bend.decision_note or "—",
                 "cost": bend.cost, "at": local_time(bend.decided_at), "url": _bends_url()}
        if approved:
            title = _("Your rule bend was approved: %(rule)s") % words
            text = _("%(who)s approved your request to bend \"%(rule)s\" (cost %(cost)s) at %(at)s.\n\nNote: %(note)s\n\n%(url)s\n") % words
        else:
            title = _("Your rule bend was rejected: %(rule)s") % words
            text = _("%(who)s rejected your request to bend \"%(rule)s\" (cost %(cost)s) at %(at)s.\n\nWhy: %(note)s\n\n%(url)s\n") % words
        return title, text

    staff_notify(users=[bend.requested_by], kind="bend.decided", dedupe_key=f"bend-{bend.pk}-decided",
                 render=render, timezone_of=user_timezone, url=_bends_url())
