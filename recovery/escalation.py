"""The escalation chain: each step once per deadline, whatever runs how often.

1. At 75% of the SLA the owner is warned (nobody owns it: the team's managers).
2. At the due time the owner and the team's managers are told; the case is escalated.
3. Still not done 24 (business) hours after the due time: the admins are told.

Each step is an in-app notification and an email, linking to the case's page, with times in the
recipient's time zone. A step is a row of its own (`EscalationStep`, unique per case, deadline and
step): of any number of checks running at once exactly one inserts it and tells people; the others'
insert fails and they move on. When a check finds several steps due at once (the check was down),
it takes them in order but tells only the latest: nobody needs a warning about a breach.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import team_managers, user_timezone
from notifications.services import staff_notify

from .models import CaseEvent, EscalationStep, RecoveryCase
from .services.telling import case_page_url, local_time
from .services.timeline import case_event

Step = EscalationStep.Step
ORDER = (Step.WARNING, Step.BREACH, Step.ADMINS)


@dataclass(frozen=True)
class StepTaken:
    case: RecoveryCase
    deadline: str
    step: str
    told: int


def steps_due(case: RecoveryCase, now: datetime) -> list[str]:
    """The chain's steps due by `now` for the deadline that applies now, in order."""
    what, due = case.deadline
    if due is None:
        return []
    overdue = due <= now
    steps = []
    if overdue or (case.warn_at is not None and case.warn_at <= now):
        steps.append(Step.WARNING)
    if overdue:
        steps.append(Step.BREACH)
        if case.admins_at is not None and case.admins_at <= now:
            steps.append(Step.ADMINS)
    return steps


def _chain_done(deadline: str):
    return Exists(EscalationStep.objects.filter(case=OuterRef("pk"), deadline=deadline, step=Step.ADMINS))


def _candidates(now: datetime) -> list[int]:
    """Active cases with a step due that may not be taken yet (the last step of their current deadline is not)."""
    Status = RecoveryCase.Status
    due = Q(warn_at__lte=now) | RecoveryCase.overdue_q(now)
    undone = (Q(status=Status.OPEN) & ~_chain_done(RecoveryCase.FIX)) | (Q(status=Status.FIXED) & ~_chain_done(RecoveryCase.SURPRISE))
    return list(RecoveryCase.objects.filter(due, undone, status__in=[Status.OPEN, Status.FIXED]).order_by("warn_at", "id").values_list("pk", flat=True))


def cases_check_slas(*, now: datetime | None = None) -> list[StepTaken]:
    """Take every escalation step that is due, each exactly once. Safe to run at the same time as itself."""
    now = now or timezone.now()
    taken = []
    for pk in _candidates(now):
        with transaction.atomic():
            case = RecoveryCase.objects.select_related("team", "customer", "owner").filter(pk=pk).first()
            if case is None or case.status not in (RecoveryCase.Status.OPEN, RecoveryCase.Status.FIXED):
                continue
            what = case.deadline[0]
            due = steps_due(case, now)
            done = set(EscalationStep.objects.filter(case=case, deadline=what).values_list("step", flat=True))
            for step in due:
                if step in done:
                    continue
                latest = step == due[-1]
                try:
                    with transaction.atomic():
                        row = EscalationStep.objects.create(case=case, deadline=what, step=step, at=now)
                except IntegrityError:
                    break  # another check took it (and the ones after it): nothing more to do here
                told = _take(case, step, now) if latest else 0
                _record(case, step, now, told=told, silent=not latest)
                if told:
                    EscalationStep.objects.filter(pk=row.pk).update(told=told)
                taken.append(StepTaken(case=case, deadline=what, step=step, told=told))
    return taken


def cases_escalate_overdue(*, now: datetime | None = None) -> list[RecoveryCase]:
    """The cases the check moved along the chain (each once), for the command and the task."""
    seen = {}
    for step in cases_check_slas(now=now):
        seen.setdefault(step.case.pk, step.case)
    return list(seen.values())


def _admins():
    return User.objects.filter(Q(is_superuser=True) | Q(role=User.Role.ADMIN), is_active=True).order_by("id")


def _recipients(case: RecoveryCase, step: str) -> list[User]:
    if step == Step.WARNING:
        return [case.owner] if case.owner_id else list(team_managers(team_id=case.team_id))
    if step == Step.BREACH:
        return [case.owner, *team_managers(team_id=case.team_id)]
    return list(_admins())


def _record(case: RecoveryCase, step: str, now: datetime, *, told: int, silent: bool) -> None:
    """The case's timeline says each step, with the due time in UTC (the timeline is shown in the viewer's zone)."""
    what, due = case.deadline
    words = {"what": _("fix") if what == RecoveryCase.FIX else _("surprise"), "due": f"{due:%Y-%m-%d %H:%M} UTC", "n": told}
    if step == Step.WARNING:
        note = _("75%% of the %(what)s time has run (due %(due)s); the owner was warned.") % words
        if silent:
            note = _("75%% of the %(what)s time had run (due %(due)s); the breach followed at once.") % words
        kind = CaseEvent.Kind.WARNED
    elif step == Step.BREACH:
        note = _("The %(what)s was due %(due)s; escalated to the owner and the team's managers.") % words
        if silent:
            note = _("The %(what)s was due %(due)s; escalated, and the admins were told at once.") % words
        kind = CaseEvent.Kind.ESCALATED
        case.escalated_at = now
        case.save(update_fields=["escalated_at"])
    else:
        note = _("The %(what)s was due %(due)s and is still not done 24 business hours later; escalated to the admins.") % words
        kind = CaseEvent.Kind.ESCALATED
        if case.escalated_at is None:
            case.escalated_at = now
            case.save(update_fields=["escalated_at"])
    case_event(case, kind=kind, from_status=case.status, actor=None, note=note, at=now)


def _take(case: RecoveryCase, step: str, now: datetime) -> int:
    """Tell this step's people, in the app and by email. Returns how many were told."""
    what, due = case.deadline
    url = case_page_url(case.pk)

    def render():
        words = {
            "id": case.pk, "customer": case.customer.name, "severity": case.get_severity_display(), "team": case.team.name,
            "what": _("fix") if what == RecoveryCase.FIX else _("surprise"), "due": local_time(due), "url": url,
            "owner": case.owner.get_username() if case.owner_id else _("nobody"),
        }
        if step == Step.WARNING:
            title = _("Case #%(id)s is due soon (%(team)s)") % words
            text = _(
                "Recovery case #%(id)s for %(customer)s (%(severity)s) has used 75%% of its %(what)s time: it is due %(due)s.\n\n"
                "Open it: %(url)s\n"
            ) % words
        elif step == Step.BREACH:
            title = _("Case #%(id)s is overdue (%(team)s)") % words
            text = _(
                "Recovery case #%(id)s for %(customer)s (%(severity)s) is past its %(what)s time (%(due)s). Owner: %(owner)s.\n\n"
                "Open it: %(url)s\n"
            ) % words
        else:
            title = _("Case #%(id)s is still overdue a day later (%(team)s)") % words
            text = _(
                "Recovery case #%(id)s for %(customer)s (%(severity)s) was due %(due)s (%(what)s) and is still not done "
                "24 business hours later. Owner: %(owner)s.\n\nOpen it: %(url)s\n"
            ) % words
        return title, text

    told = staff_notify(
        users=_recipients(case, step), kind=f"case.{step}", dedupe_key=f"case-{case.pk}-{what}-{step}",
        render=render, timezone_of=user_timezone, url=url,
    )
    return len(told)
