"""Demo data for the radar (`seed_demo`, idempotent), so every panel shows something:

- the customers' special dates become occasions, Anna's birthday falls three days from now (her
  personal contact is reminded) and a visit notes a 25th wedding anniversary nine days ahead;
- half a year of past guests, some given a gesture and some recovered after a failure, so "what
  delight returns" and the recovery paradox have a cohort (logged through the real services, with
  the clock at each visit's time);
- a regular who has had every gesture often enough that nothing is left to surprise him;
- ideas: proposed, accepted (a draft gesture, a rule marked for review) and declined.
"""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.demo import replayed_at
from accounts.models import User
from interactions.levels import Level
from interactions.models import Customer, Gesture, Interaction
from interactions.services import interaction_log, special_dates_sync
from recovery.models import RecoveryCase, Rule
from recovery.services import steps as recovery_steps

from . import services
from .models import Idea

PAST_GUESTS = 36
DEMO_MARK = "Radar demo"  # in the summary of the demo's own visits: seeding twice adds nothing


def seed_radar(*, teams, users, stdout=None):
    for index, team in enumerate(teams):
        staff = list(team.members.filter(is_active=True).order_by("id"))
        frontline = next((u for u in staff if u.role == User.Role.FRONTLINE), None)
        manager = next((u for u in staff if u.role == User.Role.MANAGER), None)
        if frontline is None or manager is None:
            continue
        gestures = list(Gesture.objects.filter(team=team, active=True).order_by("name"))
        if not gestures or Interaction.objects.filter(team=team, summary__startswith=DEMO_MARK).exists():
            continue
        rng = random.Random(100 + index)  # nosec B311: demo data, not secrets
        _occasions(team, frontline, gestures)
        _past_guests(team, frontline, manager, gestures, rng)
        _nothing_left(team, frontline, gestures)
        _ideas(team, frontline, manager, index)
        if stdout is not None:
            stdout.write(f"  {team.name}: radar demo (occasions, past guests, ideas)")


def _occasions(team, frontline, gestures):
    for customer in Customer.objects.filter(team=team).exclude(special_dates=[]):
        special_dates_sync(customer=customer)
    today = timezone.localtime(timezone.now(), team.tz).date()  # the radar counts days in the team's time zone
    soon = today + timedelta(days=3)
    anna = Customer.objects.filter(team=team).order_by("id").first()
    if anna is not None:
        anna.name = "Anna " + anna.name.split(" ", 1)[-1]
        anna.special_dates = [{"label": "Birthday", "date": f"{soon.month:02d}-{soon.day:02d}"}]
        anna.personal_contact = frontline
        anna.save(update_fields=["name", "special_dates", "personal_contact"])
        special_dates_sync(customer=anna)
    guest = Customer.objects.filter(team=team).order_by("id")[1:2].first()
    if guest is not None:
        interaction_log(
            actor=frontline, customer=guest, channel="social", summary=f"{DEMO_MARK}: booking for their 25th wedding anniversary",
            occasion={"kind": "anniversary", "date": today + timedelta(days=9)},
        )


def _past_guests(team, frontline, manager, gestures, rng):
    now = timezone.now().replace(second=0, microsecond=0)
    extras = [g for g in gestures if not g.recurring]
    visits = []
    for i in range(PAST_GUESTS):
        customer = Customer.objects.create(team=team, name=f"Past guest {i + 1}", email=f"past{team.pk}-{i}@example.com")
        first = now - timedelta(days=rng.randint(100, 260), hours=rng.randint(0, 8))
        gifted = i % 2 == 0
        failed = i % 6 == 1
        visits.append((first, customer, {"gestures": [rng.choice(extras).id] if gifted and extras else [], "promise_kept": not failed}))
        if rng.random() < (0.7 if gifted or failed else 0.4):
            visits.append((first + timedelta(days=rng.randint(10, 80)), customer, {"matched_preference": rng.random() < 0.5}))
    visits.sort(key=lambda v: (v[0], v[1].pk))
    for at, customer, facts in visits:
        with replayed_at(at + timedelta(minutes=2)):
            interaction = interaction_log(
                actor=frontline, customer=customer, channel="in_person", occurred_at=at, summary=f"{DEMO_MARK}: a past visit", **facts,
            )
        case = RecoveryCase.objects.filter(interaction=interaction).first()
        if case is None:
            continue
        with replayed_at(at + timedelta(hours=1)):
            case = recovery_steps.case_fix(actor=frontline, case=case, note="Apologised and put it right.")
        with replayed_at(at + timedelta(hours=3)):
            case = recovery_steps.case_surprise(actor=frontline, case=case, gesture=extras[-1] if extras else gestures[0], note="A treat.")
        with replayed_at(at + timedelta(hours=4)):
            case = recovery_steps.case_close(actor=frontline, case=case, note="Happy again.")
        with replayed_at(at + timedelta(days=1)):
            recovery_steps.case_recovered_rate(case=case, level=Level.SURPRISING)


def _nothing_left(team, frontline, gestures):
    """A regular who had every active gesture at each of five visits: all of them Expected or below."""
    regular = Customer.objects.create(team=team, name="Ruud Regular", email=f"ruud{team.pk}@example.com", personal_contact=frontline)
    channel = next((g.channels[0] for g in gestures if g.recurring and g.channels), "in_person")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=330)
    for n in range(5):
        at = start + timedelta(days=40 * n)
        with replayed_at(at + timedelta(minutes=2)):
            interaction_log(
                actor=frontline, customer=regular, channel=channel, occurred_at=at, summary=f"{DEMO_MARK}: the regular's visit",
                gestures=[g.id for g in gestures],
            )


def _ideas(team, frontline, manager, index):
    rules = list(Rule.objects.filter(team=team).order_by("name"))
    wow = services.idea_propose(
        actor=frontline, team=team, kind=Idea.Kind.GESTURE, title=["Polaroid of the evening", "A handwritten setup guide"][index % 2],
        story="Guests keep asking us to take their picture; a printed one to take home would be a small wow.",
    )
    services.idea_accept(actor=manager, idea=wow, note="Let's try it for a month; complete the draft gesture.")
    services.idea_propose(
        actor=frontline, team=team, kind=Idea.Kind.GESTURE, title="Call the day after a complaint",
        story="A short call the next day, after something went wrong, would show we care.",
    )
    declined = services.idea_propose(
        actor=frontline, team=team, kind=Idea.Kind.GESTURE, title="Free champagne for everyone",
        story="Everyone loves champagne.", rule=None,
    )
    services.idea_decline(actor=manager, idea=declined, note="For everyone it would soon be expected: the escalator.")
    if rules:
        dumb = services.idea_propose(
            actor=frontline, team=team, kind=Idea.Kind.DUMB_RULE, title=f"Drop: {rules[0].name}", rule=rules[0],
            story="Every week a guest asks, and we bend it anyway.",
        )
        services.idea_accept(actor=manager, idea=dumb, note="Marked for review at the next team meeting.")
