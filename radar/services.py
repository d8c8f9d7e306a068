"""Writes of the radar: ideas proposed and decided, and the occasion reminders."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import StateConflict
from accounts.models import Team, User
from accounts.selectors import user_is_member, user_manages, user_timezone
from audit.services import audit_record
from interactions.models import Gesture
from interactions.occasions import REMIND_DAYS_BEFORE
from notifications.services import email_staff
from recovery.models import Rule

from .models import Idea
from .occasions import occasions_upcoming


@transaction.atomic
def idea_propose(*, actor: User, team: Team, kind: str, title: str, story: str, rule: Rule | None = None) -> Idea:
    """Anyone in the team proposes a wow idea (a new gesture) or names a rule they find dumb."""
    if not user_is_member(actor, team.id):
        raise PermissionDenied(_("You can only propose ideas to your own teams."))
    errors = {}
    if kind == Idea.Kind.DUMB_RULE:
        if rule is None:
            errors["rule"] = [_("Name the rule you find dumb.")]
        elif rule.team_id != team.id:
            errors["rule"] = [_("That rule belongs to another team.")]
    elif rule is not None:
        errors["rule"] = [_("A wow idea names no rule.")]
    if not (story or "").strip():
        errors["story"] = [_("Tell the story behind it.")]
    if errors:
        raise ValidationError(errors)
    idea = Idea(team=team, kind=kind, title=title.strip(), story=story.strip(), rule=rule, proposed_by=actor, proposed_at=timezone.now())
    idea.full_clean()
    idea.save()
    audit_record(actor=actor, action="idea.proposed", subject=f"idea {idea.pk}", new=idea.title, team_id=team.id)
    return idea


def _idea_locked(*, actor: User, idea: Idea) -> Idea:
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not user_manages(actor, idea.team_id):
        raise PermissionDenied(_("Only the team's managers decide on ideas."))
    if idea.status != Idea.Status.PROPOSED:
        raise StateConflict(_("This idea was already %(status)s.") % {"status": idea.get_status_display().lower()}, code="idea_decided")
    return idea


@transaction.atomic
def idea_accept(*, actor: User, idea: Idea, note: str = "") -> Idea:
    """A wow idea becomes a draft gesture (inactive until a manager sets its level, channels and cost
    and switches it on); a dumb rule is marked for review in the dumb-rules ranking."""
    idea = _idea_locked(actor=actor, idea=idea)
    now = timezone.now()
    if idea.kind == Idea.Kind.GESTURE:
        gesture = Gesture(team_id=idea.team_id, name=idea.title[:120], description=idea.story[:2000], active=False)
        try:
            with transaction.atomic():
                gesture.save()
        except IntegrityError as exc:
            raise StateConflict(_("The team already has a gesture named %(name)s.") % {"name": idea.title}, code="gesture_exists") from exc
        idea.gesture = gesture
        audit_record(actor=actor, action="gesture.created", subject=f"gesture {gesture.pk} {gesture.name}", new=f"draft from idea {idea.pk}", team_id=idea.team_id)
    else:
        Rule.objects.filter(pk=idea.rule_id, review_requested_at__isnull=True).update(review_requested_at=now)
    idea.status, idea.decided_by, idea.decided_at, idea.decision_note = Idea.Status.ACCEPTED, actor, now, note
    idea.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "gesture"])
    audit_record(actor=actor, action="idea.accepted", subject=f"idea {idea.pk}", new=note[:200], team_id=idea.team_id)
    return idea


@transaction.atomic
def idea_decline(*, actor: User, idea: Idea, note: str) -> Idea:
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say why, so the person who proposed it learns something.")]})
    idea = _idea_locked(actor=actor, idea=idea)
    idea.status, idea.decided_by, idea.decided_at, idea.decision_note = Idea.Status.DECLINED, actor, timezone.now(), note.strip()
    idea.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action="idea.declined", subject=f"idea {idea.pk}", new=note[:200], team_id=idea.team_id)
    return idea


def occasions_remind(*, at: datetime | None = None) -> int:
    """Email each personal contact about their customers' occasions REMIND_DAYS_BEFORE days ahead
    (in the team's time zone), through the outbox; one mail per occasion and date, however often it runs."""
    at = at or timezone.now()
    sent = 0
    for team in Team.objects.all():
        due = [o for o in occasions_upcoming(team_ids=[team.id], at=at, days=REMIND_DAYS_BEFORE, tz=team.tz, limit=1000)
               if o.days_away == REMIND_DAYS_BEFORE and o.personal_contact_id]
        contacts = {u.pk: u for u in User.objects.filter(pk__in={o.personal_contact_id for o in due}, is_active=True)}
        for occasion in due:
            contact = contacts.get(occasion.personal_contact_id)
            if contact is None:
                continue

            def render(occasion=occasion):
                subject = _("%(customer)s: %(occasion)s on %(date)s") % {
                    "customer": occasion.customer_name, "occasion": occasion.name, "date": occasion.on.isoformat(),
                }
                lines = [_("In %(days)d days it is %(customer)s's %(occasion)s (%(date)s).") % {
                    "days": REMIND_DAYS_BEFORE, "customer": occasion.customer_name, "occasion": occasion.name, "date": occasion.on.isoformat(),
                }]
                if occasion.gesture_name:
                    lines.append(_("A gesture they have never had: %(gesture)s.") % {"gesture": occasion.gesture_name})
                return subject, "\n\n".join(lines) + "\n"

            sent += email_staff(
                users=[contact], dedupe_key=f"occasion-{occasion.occasion_id}-{occasion.on.isoformat()}",
                render=render, timezone_of=user_timezone,
            )
    return sent
