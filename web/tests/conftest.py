"""Fixtures for the staff pages: named customers, gestures, and logs made by the real services
(the page client, the rules and the teams are the root conftest's)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RuleBend


@pytest.fixture
def customer(team):
    return CustomerFactory(team=team, name="Anna de Vries", email="anna@example.com")


@pytest.fixture
def other_customer(other_team):
    return CustomerFactory(team=other_team, name="Otto Outsider", email="otto@example.com")


@pytest.fixture
def gestures(team):
    return {
        "dessert": GestureFactory(team=team, name="Free dessert", base_level=5),
        "upgrade": GestureFactory(team=team, name="Room upgrade", base_level=6),
        "bread": GestureFactory(team=team, name="Bread basket", base_level=5, recurring=True),
    }


@pytest.fixture
def log(frontline):
    """Log an interaction through the real service (broken promise by default: opens a case)."""

    def make(customer, *, actor=frontline, promise_kept=False, **kwargs):
        kwargs.setdefault("channel", "phone")
        return interaction_log(actor=actor, customer=customer, promise_kept=promise_kept, **kwargs)

    return make


@pytest.fixture
def pending_bend(rule, frontline, customer):
    return RuleBend.objects.create(
        rule=rule, team=rule.team, customer=customer, justification="Loyal customer, parcel lost",
        cost=Decimal("25"), requested_by=frontline, requested_at=timezone.now() - timedelta(hours=1),
    )
