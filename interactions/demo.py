"""Demo customers, gestures and six weeks of interactions for `seed_demo` (idempotent).

Interactions are logged through `services.interaction_log` in time order with a backdated
`occurred_at`, so their levels come from the rubric exactly as if staff had logged them live:
regulars get the bread basket every visit until it is merely Expected (the escalator), two of them
then go without it (an omission: Basic, and Criminal once it had sunk to Basic), they email in
between (no bread basket there, no omission), and a few customers rate their visit themselves.
Each is logged with the clock set to its time (accounts.demo.replayed_at), so the cases it opens
open then and the weekly report's "cases opened" counts them in their own week.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import replayed_at

from . import services
from .models import Customer, Gesture, Interaction

FIRST = ["Ada", "Ben", "Chloe", "Daan", "Eva", "Finn", "Grace", "Hugo", "Iris", "Jules", "Kim", "Lars", "Mila", "Noah", "Olga", "Pim"]
LAST = ["Jansen", "de Vries", "Smith", "Bakker", "Garcia", "Visser", "Chen", "Mulder", "Okafor", "Dekker"]
CHANNELS = ["phone", "email", "chat", "whatsapp", "in_person", "social"]
PREFERENCES = ["Window table", "Call after 17:00", "Prefers WhatsApp", "Vegetarian", "Short answers, no jargon", ""]

# name, description, base level, recurring, channels where offered, cost. The first recurring
# gesture is the one the regulars get every visit (the restaurant's bread basket, in person); the
# Unbelievable ones are kept for rare moments.
GESTURES = {
    0: [
        ("Bread basket", "Fresh bread and butter at the table", 5, True, ["in_person"], "1.50"),
        ("Welcome drink", "A glass of prosecco on arrival", 5, True, ["in_person"], "3.00"),
        ("Amuse-bouche", "A small bite from the chef", 5, False, [], "2.00"),
        ("Dessert on the house", "The dessert of the day, free", 5, False, [], "6.00"),
        ("Birthday cake", "A small cake with a candle", 6, False, [], "8.00"),
        ("Chef's table", "Dinner at the chef's table with the kitchen team", 6, False, [], "40.00"),
        ("Handwritten card", "A thank-you card signed by the team", 5, False, [], "0.50"),
    ],
    1: [
        ("Proactive status call", "We call before the customer has to ask", 5, True, ["phone"], "0.00"),
        ("Personal follow-up email", "A named follow-up the day after", 5, True, ["email"], "0.00"),
        ("Same-day replacement", "A replacement shipped the same day", 6, False, [], "25.00"),
        ("Free accessory", "A cable or case that fits their device", 5, False, [], "9.00"),
        ("Extended warranty", "Six months extra warranty", 5, False, [], "15.00"),
        ("Founder's call", "A call from the founder to say thank you", 6, False, [], "0.00"),
    ],
}
SUMMARIES = {
    0: ["Dinner for two", "Lunch reservation", "Table for four, birthday", "Walk-in at the bar", "Takeaway order", "Call about a booking"],
    1: ["Router keeps dropping", "Invoice question", "Replacement order", "Password reset", "Delivery status", "Warranty claim"],
}
WEEKS = 6


def seed_interactions(*, teams, users, stdout=None):
    for index, team in enumerate(teams):
        customers = _customers(team, random.Random(42 + index))  # nosec B311: demo data, not secrets
        gestures = _gestures(team, GESTURES[index % len(GESTURES)])
        if Interaction.objects.filter(team=team).exists():
            continue
        staff = list(team.members.filter(is_active=True).order_by("id")) or [u for u in users.values() if u.is_superuser]
        logged, rated = _history(team, customers, gestures, staff, SUMMARIES[index % len(SUMMARIES)], random.Random(7 + index))  # nosec B311
        if stdout is not None:
            stdout.write(f"  {team.name}: {len(customers)} customers, {len(gestures)} gestures, {logged} interactions ({rated} rated)")


def _customers(team, rng) -> list[Customer]:
    if not Customer.objects.filter(team=team).exists():
        Customer.objects.bulk_create(
            Customer(
                team=team,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                email=f"customer{team.id}-{i}@example.com",
                phone=f"+31 6 {rng.randint(10000000, 99999999)}",
                preferred_channel=rng.choice(CHANNELS),
                preferences=rng.choice(PREFERENCES),
                language="nl" if i % 5 == 0 else "en",
                special_dates=[{"label": "Anniversary", "date": f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}] if i % 4 == 0 else [],
            )
            for i in range(30)
        )
    return list(Customer.objects.filter(team=team).order_by("id"))


def _gestures(team, specs) -> list[Gesture]:
    gestures = []
    for name, description, base_level, recurring, channels, cost in specs:
        gesture, _ = Gesture.objects.get_or_create(
            team=team, name=name,
            defaults={
                "description": description, "base_level": base_level, "recurring": recurring, "channels": channels,
                "cost": Decimal(cost),
            },
        )
        gestures.append(gesture)
    return gestures


def _history(team, customers, gestures, staff, summaries, rng) -> tuple[int, int]:
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(weeks=WEEKS)
    bread = next(g for g in gestures if g.recurring)
    extras = [g for g in gestures if not g.recurring and g.base_level == 5]
    wow = [g for g in gestures if g.base_level == 6]
    visits = []  # (occurred_at, customer, facts)

    def visit(customer, day, **facts):
        at = start + timedelta(days=day, hours=rng.randint(9, 20), minutes=rng.choice([0, 15, 30, 45]))
        visits.append((min(at, now - timedelta(minutes=5)), customer, facts))

    regulars, others = customers[:8], customers[8:]
    where = bread.channels[0]  # the regulars come where the recurring gesture is offered
    for n, customer in enumerate(regulars):
        # Weekly, always with the bread basket: Surprising, Desired, Expected, then it is just expected.
        omit_at = {0: 4, 1: 3}.get(n)  # the first regular loses it at visit 5 (Criminal), the second at 4 (Basic)
        for week in range(WEEKS):
            facts = {"matched_preference": rng.random() < 0.3, "channel": where}
            if week != omit_at:
                facts["gestures"] = [bread]
            if week == 2 and n in (2, 3):
                facts["gestures"] = [bread, wow[0]]  # a big surprise lifts even a familiar evening
            visit(customer, week * 7 + n % 5, **facts)
        # Between visits they email (to confirm a booking, say): no bread basket there, and no omission.
        visit(customer, 4 * 7 + n % 5 + 2, channel="email", matched_preference=True)
    for customer in others:
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            facts = {"matched_preference": rng.random() < 0.35}
            if roll < 0.08:
                facts["promise_kept"] = False
            elif roll < 0.22:
                facts["issues"] = rng.sample(["late", "inaccurate", "impolite", "unexplained", "chased"], rng.randint(1, 2))
            elif roll < 0.45:
                facts["gestures"] = [rng.choice(extras)]
            elif roll < 0.52:
                facts["gestures"] = [rng.choice(wow)]
            visit(customer, rng.randint(0, WEEKS * 7 - 1), **facts)

    visits.sort(key=lambda v: (v[0], v[1].id))
    logged = rated = 0
    for at, customer, facts in visits:
        gestures_given = facts.pop("gestures", [])
        channel = facts.pop("channel", None) or customer.preferred_channel or "in_person"
        with replayed_at(at + timedelta(minutes=2)):  # logged live: its case (if any) opens then
            interaction = services.interaction_log(
                actor=staff[logged % len(staff)], customer=customer, occurred_at=at, channel=channel,
                summary=rng.choice(summaries), gestures=[g.id for g in gestures_given], **facts,
            )
        logged += 1
        if rng.random() < 0.12:
            # Customers mostly agree, sometimes see it one level differently.
            own = max(1, min(6, interaction.assessed_level + rng.choice([-1, 0, 0, 1])))
            with replayed_at(min(at + timedelta(hours=3), now)):
                services.interaction_rate(interaction=interaction, level=own, comment=rng.choice(["", "Thanks!", "Could be quicker."]))
            rated += 1
    return logged, rated
