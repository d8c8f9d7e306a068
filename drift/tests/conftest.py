import random
from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.levels import Issue
from interactions.tests.factories import CustomerFactory, GestureFactory

from .helpers import log


def build_history(*, team, actor, customers=8, per_customer=8, seed=7):
    """A varied history through the real logging service: gestures (some recurring), issues, broken promises."""
    rng = random.Random(seed)
    gestures = [
        GestureFactory(team=team, base_level=6, recurring=False),
        GestureFactory(team=team, base_level=5, recurring=True),
        GestureFactory(team=team, base_level=5, recurring=False),
        GestureFactory(team=team, base_level=6, recurring=True),
    ]
    people = [CustomerFactory(team=team) for _ in range(customers)]
    now = timezone.now()
    for customer in people:
        for k in range(per_customer):
            step = 400 // per_customer
            at = now - timedelta(days=400 - k * step - rng.randint(0, step // 2), minutes=rng.randint(0, 600))
            log(
                actor, customer, occurred_at=at,
                promise_kept=rng.random() > 0.1,
                issues=[Issue.LATE] if rng.random() < 0.15 else [],
                matched_preference=rng.random() < 0.3,
                gestures=[g.id for g in rng.sample(gestures, rng.choice([0, 0, 1, 1, 2]))],
            )
    return people, gestures


@pytest.fixture
def history(team, frontline):
    return build_history(team=team, actor=frontline)
