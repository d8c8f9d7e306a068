"""Fixtures for the staff pages: a team's customers, gestures, rules and cases made by the real services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import Rule, RuleBend


@pytest.fixture
def client_as(db):
    def make(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


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
def rule(team):
    return Rule.objects.create(team=team, name="No refunds after 30 days")


@pytest.fixture
def pending_bend(rule, frontline, customer):
    return RuleBend.objects.create(
        rule=rule, team=rule.team, customer=customer, justification="Loyal customer, parcel lost",
        cost=Decimal("25"), requested_by=frontline, requested_at=timezone.now() - timedelta(hours=1),
    )
