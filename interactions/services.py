"""Writes of customers, gestures and interactions: logging, rating, corrections."""

import re
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import scope_to_teams, user_is_member, user_manages
from audit.services import audit_changes, audit_record
from core.errors import StateConflict

from . import links, scoring
from .level_changes import level_record
from .levels import Channel, Issue, Level
from .models import Customer, Gesture, GestureDelivery, Interaction, InteractionCorrection, LevelChange
from .selectors import rubric_facts

FEEDBACK = "feedback"
# Nothing is logged before this: keeps window arithmetic far from datetime's limits.
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
SPECIAL_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")


def _mark_rescore_from(customer_id: int, at: datetime) -> None:
    """Late facts: the customer's later interactions must be re-scored from `at` on (by the re-score job)."""
    Customer.objects.filter(pk=customer_id).filter(Q(rescore_from__isnull=True) | Q(rescore_from__gt=at)).update(
        rescore_from=at
    )


def _check_customer(customer: Customer) -> None:
    """What full_clean cannot see: the personal contact serves this team; special dates are dates."""
    errors = {}
    contact = customer.personal_contact
    if contact is not None and not (contact.is_admin or contact.teams.filter(pk=customer.team_id).exists()):
        errors["personal_contact"] = [_("The personal contact must be a member of the customer's team.")]
    dates = customer.special_dates
    if not isinstance(dates, list) or len(dates) > 20:
        errors["special_dates"] = [_("A list of at most 20 dates.")]
    else:
        for entry in dates:
            ok = isinstance(entry, dict) and set(entry) <= {"label", "date"} and isinstance(entry.get("label"), str)
            ok = ok and 0 < len(entry["label"]) <= 80 and isinstance(entry.get("date"), str)
            match = SPECIAL_DATE.match(entry["date"]) if ok else None
            if match:
                year, month, day = int(match[1] or 2000), int(match[2]), int(match[3])  # 2000 allows 29 Feb
                try:
                    datetime(year, month, day)
                except ValueError:
                    match = None
            if not match:
                errors["special_dates"] = [_('Each date is {"label": "...", "date": "MM-DD" or "YYYY-MM-DD"}.')]
                break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_create(*, actor: User, team: Team, **fields) -> Customer:
    if not user_is_member(actor, team.id):
        raise PermissionDenied(_("You can only add customers to your own teams."))
    customer = Customer(team=team, **fields)
    customer.full_clean()
    _check_customer(customer)
    customer.save()
    audit_record(actor=actor, action="customer.created", subject=f"customer {customer.pk}", team_id=team.id)
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, changes: dict) -> Customer:
    if not user_is_member(actor, customer.team_id):
        raise PermissionDenied(_("You can only change your own teams' customers."))
    changes.pop("team", None)  # a customer never moves team: their history stays where it was served
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {field: getattr(customer, field) for field in changes}
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.full_clean()
    _check_customer(customer)
    customer.save()
    audit_changes(  # which fields, not their values: personal data stays out of the trail
        actor=actor, kind="customer", subject=f"customer {customer.pk}", before=before,
        after={field: getattr(customer, field) for field in changes}, team_id=customer.team_id, values=False,
    )
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    """Only a customer without history can go: interactions, cases and bends keep theirs."""
    if not user_is_member(actor, customer.team_id):
        raise PermissionDenied(_("You can only remove your own teams' customers."))
    if Interaction.objects.filter(customer_id=customer.pk).exists():
        raise StateConflict(_("This customer has interactions; their history stays."), code="customer_has_history")
    customer_id, team_id = customer.pk, customer.team_id
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError as exc:
        raise StateConflict(_("This customer is referred to by cases or rule bends."), code="customer_has_history") from exc
    audit_record(actor=actor, action="customer.deleted", subject=f"customer {customer_id}", team_id=team_id)


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


def _clean_facts(*, channel: str, issues, summary: str) -> list[str]:
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = [_('"%(channel)s" is not a valid channel.') % {"channel": channel}]
    issues = list(dict.fromkeys(issues or []))
    unknown = [i for i in issues if i not in Issue.values]
    if unknown:
        errors["issues"] = [_("Unknown issue(s): %(issues)s.") % {"issues": ", ".join(map(str, unknown))}]
    if len(summary) > 5000:
        errors["summary"] = [_("At most 5000 characters.")]
    if errors:
        raise ValidationError(errors)
    return issues


def _customer_locked(*, actor: User, customer: Customer | int, team_id: int | None = None) -> Customer:
    """The customer (an instance or an id), with its team, locked for this transaction: one of the
    actor's teams' customers, or a 400 on `customer` (another team's customer reads as nonexistent).

    The lock: two logs for one customer at once must count each other's deliveries. Only the
    customer's row (`of`), not its team's, so the team's other customers are logged in parallel.
    """
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    rows = scope_to_teams(Customer.objects.select_for_update(of=("self",)).select_related("team"), actor, in_one_statement=True)
    found = list(rows.filter(pk=customer_id)[:1])
    if not found:
        raise ValidationError({"customer": [_('Invalid pk "%(pk)s" - object does not exist.') % {"pk": customer_id}]})
    if team_id is not None and team_id != found[0].team_id:
        raise ValidationError({"team": [_("The team is the customer's team.")]})
    return found[0]


@transaction.atomic
def interaction_log(
    *,
    actor: User,
    customer: Customer | int,
    channel: str,
    occurred_at: datetime | None = None,
    summary: str = "",
    promise_kept: bool = True,
    issues=(),
    matched_preference: bool = False,
    gestures=(),
    team: int | None = None,
    imported: bool = False,
) -> Interaction:
    """Log an interaction and give it its level by the rubric, as of its occurred_at.

    `imported`: history brought in from another tool; its level is recorded with the cause
    `imported`, which opens no recovery case.

    `customer` is one of the actor's teams' customers (or its id); `team`, when given, must be its
    team. Criminal and Basic open a recovery case in the same transaction. A backdated interaction
    marks the customer's later interactions for the re-score job.
    """
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timezone.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("An interaction cannot happen in the future.")]})
    if occurred_at < EARLIEST_OCCURRED_AT:
        raise ValidationError({"occurred_at": [_("An interaction cannot be logged before 2000.")]})
    issues = _clean_facts(channel=channel, issues=issues, summary=summary)
    gesture_ids = list(dict.fromkeys(g.id if isinstance(g, Gesture) else int(g) for g in gestures))
    customer = _customer_locked(actor=actor, customer=customer, team_id=team)
    team = customer.team
    # Asked after the lock, so a log that committed while this one waited counts as later.
    facts = rubric_facts(team=team, customer_id=customer.id, at=occurred_at, ask_later=True)
    bad = [gid for gid in gesture_ids if gid not in facts.active_ids]
    if bad:
        raise ValidationError({"gestures": [_("Not an active gesture of this team: %(ids)s.") % {"ids": ", ".join(map(str, bad))}]})
    assessment = facts.assess(
        channel=channel, promise_kept=promise_kept, issues=issues, matched_preference=matched_preference, gestures=gesture_ids
    )
    nonce, digest = links.new_link(purpose=FEEDBACK)
    interaction = Interaction.objects.create(
        team=team,
        customer=customer,
        channel=channel,
        occurred_at=occurred_at,
        summary=summary,
        promise_kept=promise_kept,
        issues=issues,
        matched_preference=matched_preference,
        assessed_level=assessment.level,
        level=assessment.level,
        omitted_gestures=list(assessment.omitted),
        reason=assessment.reason.encode(),
        logged_by=actor,
        feedback_nonce=nonce,
        feedback_digest=digest,
    )
    GestureDelivery.objects.bulk_create(
        GestureDelivery(interaction=interaction, gesture_id=gid, customer=customer, delivered_at=occurred_at)
        for gid in gesture_ids
    )
    interaction.delivered_gesture_ids = gesture_ids  # what the response shows, without reading it back
    interaction.recovery_case_id = None  # a listener of the announcement sets it when a case opens
    cause = LevelChange.Cause.IMPORTED if imported else LevelChange.Cause.LOGGED
    level_record(interaction=interaction, old_level=None, cause=cause, actor=actor)
    if facts.later_interactions:
        _mark_rescore_from(customer.id, occurred_at)
    return interaction


def gesture_deliver(*, customer: Customer, gesture: Gesture, at: datetime) -> tuple[GestureDelivery, int]:
    """Give a customer a gesture outside any interaction (a recovery surprise). It counts on the
    escalator for their later interactions like any delivery. Returns the delivery and the level it
    is perceived at: the gesture's effective base level less one for each time the customer got it
    inside the window before."""
    Customer.objects.select_for_update(of=("self",)).filter(pk=customer.pk).first()  # one delivery count at a time
    facts = rubric_facts(team=customer.team, customer_id=customer.pk, at=at, ask_later=True)
    given = facts.gestures[gesture.pk]
    level = scoring.perceived_level(given.base_level, given.prior_deliveries + 1)
    delivery = GestureDelivery.objects.create(interaction=None, gesture=gesture, customer=customer, delivered_at=at)
    if facts.later_interactions:
        _mark_rescore_from(customer.pk, at)
    return delivery, level


def feedback_url(interaction: Interaction) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}/feedback/{links.link_token(purpose=FEEDBACK, nonce=interaction.feedback_nonce)}/"


def interaction_by_feedback_token(token: str) -> Interaction | None:
    """The interaction a customer's feedback link points to, or None (unknown, malformed or expired)."""
    from django.conf import settings

    if not links.looks_like_token(token):
        return None
    interaction = (
        Interaction.objects.select_related("team", "customer").filter(feedback_digest=links.token_digest(token)).first()
    )
    if interaction is None:
        return None
    if interaction.created_at < timezone.now() - timezone.timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS):
        return None
    return interaction


@transaction.atomic
def interaction_rate(*, interaction: Interaction, level: int, comment: str = "") -> Interaction:
    """The customer's own rating becomes the interaction's level. One rating per link."""
    if level not in Level.values:
        raise ValidationError({"level": [_("Choose a level from 1 (Criminal) to 6 (Unbelievable).")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("At most 2000 characters.")]})
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    if interaction.customer_level is not None:
        raise StateConflict(_("This interaction was already rated."), code="already_rated")
    old = interaction.level
    interaction.customer_level = level
    interaction.level = scoring.final_level(interaction.assessed_level, level)
    interaction.customer_comment = comment
    interaction.rated_at = timezone.now()
    interaction.save(update_fields=["customer_level", "level", "customer_comment", "rated_at"])
    level_record(interaction=interaction, old_level=old, cause=LevelChange.Cause.CUSTOMER_RATING)
    if Interaction.objects.filter(customer_id=interaction.customer_id, occurred_at__gt=interaction.occurred_at).exists():
        _mark_rescore_from(interaction.customer_id, interaction.occurred_at)
    return interaction


# --- Corrections ---------------------------------------------------------------------------------

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
    from .rescoring import customer_rescore

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


__all__ = [
    "customer_create",
    "customer_update",
    "customer_delete",
    "gesture_create",
    "gesture_update",
    "interaction_log",
    "interaction_rate",
    "interaction_correct",
    "gesture_deliver",
    "interaction_may_correct",
    "interaction_by_feedback_token",
    "feedback_url",
]
