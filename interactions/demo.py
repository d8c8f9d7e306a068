"""Demo customers, gestures and interactions for `seed_demo` (idempotent)."""

import random

from .models import Customer

FIRST = ["Ada", "Ben", "Chloe", "Daan", "Eva", "Finn", "Grace", "Hugo", "Iris", "Jules", "Kim", "Lars", "Mila", "Noah", "Olga", "Pim"]
LAST = ["Jansen", "de Vries", "Smith", "Bakker", "Garcia", "Visser", "Chen", "Mulder", "Okafor", "Dekker"]
CHANNELS = ["phone", "email", "chat", "whatsapp", "in_person", "social"]


def seed_interactions(*, teams, users, stdout=None):
    rng = random.Random(42)
    for team in teams:
        if Customer.objects.filter(team=team).exists():
            continue
        Customer.objects.bulk_create(
            Customer(
                team=team,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                email=f"customer{team.id}-{i}@example.com",
                phone=f"+31 6 {rng.randint(10000000, 99999999)}",
                preferred_channel=rng.choice(CHANNELS),
            )
            for i in range(30)
        )
