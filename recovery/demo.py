"""Demo rules, cases and bends for `seed_demo` (idempotent).

Runs after the interactions are seeded: it works the Criminal and Basic cases already there into
every state (logging a few when there are not enough), asks and decides bends, and bends one rule
often enough to top the dumb-rules ranking.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import replayed_at
from accounts.models import User
from interactions.levels import Level
from interactions.models import Customer, Gesture
from interactions.services import interaction_log

from . import escalation, selectors, sla
from .models import RecoveryCase, Rule, RuleBend
from .services import bends, owners, steps

RULES = {
    0: [
        ("No table changes after 20:00", "Seating is final once the evening service starts."),
        ("No refunds after 30 days", "Vouchers and deposits are not refunded after 30 days."),
        ("Corkage fee on every bottle", "Guests bringing their own wine pay corkage per bottle."),
        ("Kitchen closes at 22:00", "No hot dishes ordered after 22:00."),
    ],
    1: [
        ("No refunds after 30 days", "Subscriptions are refunded only within 30 days."),
        ("No phone support on weekends", "Weekend questions go through chat and email."),
        ("One free replacement per year", "A second replacement within a year is charged."),
    ],
}
# (rule index, cost, outcome): the first rule is bent most and approved most: the dumbest rule.
BENDS = [
    (0, "25", "approved"), (0, "30", "approved"), (0, "40", "approved"), (0, "35", "approved"),
    (0, "60", "rejected"), (0, "45", "pending"), (0, "5", "auto"),
    (1, "80", "rejected"), (1, "120", "approved"), (1, "900", "pending"),
    (2, "20", "pending"),
]
NOTES = {"approved": "Fair, given what went wrong.", "rejected": "Not this time: offer a voucher instead."}


def _people(team, users):
    members = [u for u in users.values() if u.is_active and u.teams.filter(pk=team.pk).exists()]
    frontline = next((u for u in members if u.role == User.Role.FRONTLINE), None)
    manager = next((u for u in members if u.role == User.Role.MANAGER), None)
    admin = next((u for u in users.values() if u.is_admin), None) or User.objects.filter(is_superuser=True).first()
    return frontline or manager or admin, manager or admin, admin


def _open_cases(team, frontline, wanted: int) -> list[RecoveryCase]:
    cases = list(RecoveryCase.objects.filter(team=team, status=RecoveryCase.Status.OPEN).order_by("id")[:wanted])
    customers = list(Customer.objects.filter(team=team).order_by("id")[: wanted * 2])
    if not customers:
        customers = [Customer.objects.create(team=team, name="Demo Customer", email=f"demo-customer-{team.pk}@example.com")]
    i = 0
    while len(cases) < wanted:
        customer = customers[i % len(customers)]
        broken = i % 2 == 0
        interaction = interaction_log(
            actor=frontline, customer=customer, channel=customer.preferred_channel or "phone",
            occurred_at=timezone.now() - timedelta(hours=2 + i),
            summary="Order arrived a day late" if not broken else "Booked table was given away",
            promise_kept=not broken, issues=[] if broken else ["late"],
        )
        cases.append(interaction.recovery_case)
        i += 1
    return cases


def _gesture(team) -> Gesture:
    gesture = Gesture.objects.filter(team=team, active=True).order_by("-base_level", "id").first()
    if gesture is None:
        gesture, _ = Gesture.objects.get_or_create(
            team=team, name="Handwritten apology with a small gift", defaults={"base_level": Level.SURPRISING, "cost": Decimal("8")}
        )
    return gesture


def _work_history(team, frontline, manager) -> None:
    """The cases the seeded history opened more than two days ago were worked back then: fixed a few
    hours after opening (one in four late, past its SLA), surprised the next day and closed; one in
    five closed by a manager without a surprise. Replayed at those moments, as if live."""
    now = timezone.now()
    old = RecoveryCase.objects.filter(team=team, status=RecoveryCase.Status.OPEN, opened_at__lt=now - timedelta(days=2))
    def then(opened_at, hours):
        return min(opened_at + timedelta(hours=hours), now - timedelta(minutes=30))

    for n, case in enumerate(old.select_related("customer", "team").order_by("opened_at", "id")):
        fix_hours = sla.fix_hours(team, case.severity)
        fix_after = fix_hours + 2 if n % 4 == 3 else 1 + n % 3
        fixed_at = then(case.opened_at, fix_after)
        with replayed_at(fixed_at):
            case = steps.case_fix(actor=frontline, case=case, note="Apologised and put it right.")
        if n % 5 == 4:
            with replayed_at(then(case.opened_at, fix_after + 1)):
                steps.case_close(actor=manager, case=case, reason="The customer preferred no further contact.")
            continue
        with replayed_at(then(case.opened_at, fix_after + 20)):
            recommended = selectors.gestures_recommended(case=case)
            gesture = recommended[0].gesture if recommended else _gesture(team)
            case = steps.case_surprise(actor=frontline, case=case, gesture=gesture, note="Chosen from the recommendations.")
        with replayed_at(then(case.opened_at, fix_after + 21)):
            steps.case_close(actor=frontline, case=case, note="Customer happy again.")
        if n % 3 == 0:
            with replayed_at(then(case.opened_at, fix_after + 30)):
                steps.case_recovered_rate(case=case, level=Level.DESIRED if n % 2 == 0 else Level.SURPRISING)


def _work_cases(team, frontline, manager) -> None:
    cases = _open_cases(team, frontline, wanted=6)
    overdue, stays_open, fixed, surprised, closed, closed_without = cases[:6]
    RecoveryCase.objects.filter(pk=overdue.pk).update(fix_due=timezone.now() - timedelta(minutes=30))
    steps.case_fix(actor=frontline, case=fixed, note="Called the customer and re-sent the order.")
    for case in (surprised, closed):
        steps.case_fix(actor=frontline, case=case, note="Apologised and put it right on the spot.")
        case.refresh_from_db()
        recommended = selectors.gestures_recommended(case=case)
        gesture = recommended[0].gesture if recommended else _gesture(team)
        steps.case_surprise(actor=frontline, case=case, gesture=gesture, note="Chosen from the recommendations.")
    steps.case_close(actor=frontline, case=closed, note="Customer happy again.")
    steps.case_recovered_rate(case=closed, level=Level.DESIRED)
    steps.case_close(
        actor=manager, case=closed_without, reason="The customer asked us not to contact them again.", note="Closed by a manager."
    )
    # The customer rated that recovery Basic: it failed, and a follow-up case opens for the same owner.
    steps.case_recovered_rate(case=closed_without, level=Level.BASIC)
    # Owners and internal notes: the manager hands one case to a colleague; notes on the open ones.
    colleague = User.objects.filter(teams=team, role=User.Role.FRONTLINE, is_active=True).exclude(pk=frontline.pk).order_by("id").first()
    if colleague is not None:
        owners.case_assign(actor=manager, case=stays_open, owner=colleague)
    owners.case_note_add(actor=frontline, case=stays_open, note="Called the customer: voicemail. Trying again after lunch.")
    owners.case_note_add(actor=manager, case=overdue, note="Kitchen confirmed the mix-up; please call her today.")


def _bends(team, rules, frontline, manager, admin) -> None:
    cases = list(RecoveryCase.objects.filter(team=team).order_by("id")[:4])
    customers = list(Customer.objects.filter(team=team).order_by("id")[:4])
    for i, (rule_index, cost, outcome) in enumerate(BENDS):
        rule = rules[rule_index % len(rules)]
        case = cases[i % len(cases)] if cases and i % 2 == 0 else None
        customer = None if case else customers[i % len(customers)]
        cost = Decimal(cost)
        if outcome == "auto":
            cost = min(cost, team.say_yes_threshold) if team.say_yes_threshold > 0 else cost
        bend = bends.bend_request(
            actor=frontline, rule=rule, case=case, customer=customer, cost=cost,
            justification=f"Regular customer; we were at fault ({rule.name.lower()}).",
        )
        if outcome in NOTES and bend.status == RuleBend.Status.PENDING:
            decider = manager if manager.pk != frontline.pk and bends.bend_may_decide(manager, bend)[0] else admin
            if decider is not None and decider.pk != frontline.pk:
                bends.bend_decide(actor=decider, bend=bend, approve=outcome == "approved", note=NOTES[outcome])


def seed_recovery(*, teams, users, stdout=None):
    for index, team in enumerate(teams):
        specs = RULES.get(index, RULES[0])
        rules = [
            Rule.objects.get_or_create(team=team, name=name, defaults={"description": description})[0]
            for name, description in specs
        ]
        if RuleBend.objects.filter(team=team).exists():
            continue  # seeded before
        frontline, manager, admin = _people(team, users)
        if frontline is None or manager is None:
            continue
        with transaction.atomic():
            _work_history(team, frontline, manager)
            _work_cases(team, frontline, manager)
            _bends(team, rules, frontline, manager, admin)
        if stdout is not None:
            stdout.write(
                f"recovery: {team.name}: {RecoveryCase.objects.filter(team=team).count()} cases, "
                f"{len(rules)} rules, {RuleBend.objects.filter(team=team).count()} bends"
            )
    # The SLA check, as the scheduler runs it: the overdue cases move along the escalation chain.
    escalation.cases_check_slas()
