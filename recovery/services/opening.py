"""Cases open and close with the levels: a level announced as Criminal or Basic opens its case
(exactly once), a correction lifting it out closes the case as corrected, and a recovery the
customer rates as failed opens a follow-up."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import team_managers, user_is_member, user_timezone
from core.db import insert_row
from interactions import links
from interactions.levels import RECOVERY_LEVELS, Level
from interactions.models import Interaction
from interactions.reasons import interaction_level_reason
from notifications.services import staff_notify

from .. import sla
from ..announcements import case_changed
from ..models import CaseEvent, RecoveryCase
from .links import RECOVERED, STATUS
from .owners import case_default_owner
from .telling import case_page_url, email_case_opened, local_time, tell_assigned
from .timeline import case_event

# A case opened about an older interaction (a re-score, a late correction) gets no apology by mail:
# the customer would not know what it is about. The team sees the case as always.
APOLOGY_WITHIN = timedelta(days=7)


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
        case_event(case, kind=CaseEvent.Kind.CORRECTED, from_status=old, actor=actor, note=case.close_reason, at=now)
        closed.append(case)
    return closed


def _case_new(*, team, customer_id: int, severity: int, owner, now, interaction=None, follow_up_of=None) -> RecoveryCase:
    status_nonce, status_digest = links.new_link(purpose=STATUS)
    recovered_nonce, recovered_digest = links.new_link(purpose=RECOVERED)
    fix = sla.fix_deadline(team=team, severity=severity, opened_at=now)
    return insert_row(RecoveryCase(  # a lean insert: the log path opens one in a fifth of its requests
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
    ))


def _case_create(interaction, actor, *, member_logger: User | None = None) -> RecoveryCase:
    now = timezone.now()
    team = interaction.team
    owner = case_default_owner(
        team_id=team.pk, personal_contact_id=interaction.customer.personal_contact_id, logged_by_id=interaction.logged_by_id,
        member_logger=member_logger,
    )
    case = _case_new(team=team, customer_id=interaction.customer_id, severity=interaction.level, owner=owner, now=now, interaction=interaction)
    insert_row(CaseEvent(
        case=case, kind=CaseEvent.Kind.OPENED, from_status="", to_status=case.status, actor=actor, at=now,
        note=_("Opened at %(reason)s") % {"reason": interaction_level_reason(interaction)},
    ))
    if interaction.occurred_at >= now - APOLOGY_WITHIN:
        email_case_opened(case)
    case_changed.send(sender=RecoveryCase, case=case, kind=CaseEvent.Kind.OPENED)
    if owner is not None and (actor is None or owner.pk != actor.pk):
        tell_assigned(case, owner, actor, key="opened")
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
    case_event(follow_up, kind=CaseEvent.Kind.OPENED, from_status="", actor=None, at=at, note=words)
    case_event(case, kind=CaseEvent.Kind.FOLLOW_UP, from_status=case.status, actor=None, at=at,
               note=_("Follow-up case #%(id)s opened.") % {"id": follow_up.pk})
    follow_up = RecoveryCase.objects.select_related("team", "customer").get(pk=follow_up.pk)

    def render():
        title = _("Recovery failed: follow-up case #%(id)s for %(customer)s") % {"id": follow_up.pk, "customer": follow_up.customer.name}
        text = _(
            "%(customer)s rated the recovery of case #%(first)s %(level)s. Follow-up case #%(id)s is open, "
            "to be fixed by %(due)s.\n\nOpen it: %(url)s\n"
        ) % {
            "customer": follow_up.customer.name, "first": case.pk, "level": Level(level).label, "id": follow_up.pk,
            "due": local_time(follow_up.fix_due), "url": case_page_url(follow_up.pk),
        }
        return title, text

    staff_notify(
        users=[owner, *team_managers(team_id=case.team_id)], kind="case.follow_up", dedupe_key=f"case-{follow_up.pk}-follow-up",
        render=render, timezone_of=user_timezone, url=case_page_url(follow_up.pk),
    )
    return follow_up
