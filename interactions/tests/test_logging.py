from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interactions import services
from interactions.levels import Level
from interactions.models import LevelChange
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


def log(actor, customer, **facts):
    facts.setdefault("channel", "phone")
    return services.interaction_log(actor=actor, customer=customer, **facts)


def test_a_broken_promise_is_criminal_and_opens_a_case(frontline, team):
    customer = CustomerFactory(team=team)
    interaction = log(frontline, customer, promise_kept=False)
    assert interaction.level == Level.CRIMINAL
    case = RecoveryCase.objects.get(interaction=interaction)
    assert case.severity == Level.CRIMINAL and case.status == "open"
    assert case.fix_due - case.opened_at == timedelta(hours=4)
    assert LevelChange.objects.get(interaction=interaction).new_level == Level.CRIMINAL


def test_second_delivery_of_a_gesture_drops_one_level(frontline, team):
    customer = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    now = timezone.now()
    first = log(frontline, customer, gestures=[cake.id], occurred_at=now - timedelta(days=2))
    second = log(frontline, customer, gestures=[cake.id], occurred_at=now - timedelta(days=1))
    assert (first.level, second.level) == (Level.UNBELIEVABLE, Level.SURPRISING)


def test_omitting_a_bread_basket_that_became_expected_makes_it_basic(frontline, team):
    customer = CustomerFactory(team=team)
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=True)
    now = timezone.now()
    levels = [log(frontline, customer, gestures=[bread.id], occurred_at=now - timedelta(days=10 - i)).level for i in range(3)]
    assert levels == [Level.SURPRISING, Level.DESIRED, Level.EXPECTED]
    without = log(frontline, customer, occurred_at=now - timedelta(days=1))
    assert without.level == Level.BASIC and without.omitted_gestures == [bread.id]
    assert RecoveryCase.objects.filter(interaction=without).exists()


def test_logging_costs_the_same_queries_whatever_the_history(frontline, team, django_assert_max_num_queries):
    customer = CustomerFactory(team=team)
    gestures = [GestureFactory(team=team, recurring=i % 2 == 0) for i in range(4)]
    log(frontline, customer, gestures=[g.id for g in gestures[:2]])
    # lock, the rubric's facts (one statement), interaction with its level change (one statement on
    # PostgreSQL, two on SQLite), delivery, the transaction (2); whether the team has webhook subscribers
    # comes from the cache since the first log (was 8 with its look-up, then 7 with the level change apart)
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 7) as captured:
        log(frontline, customer, gestures=[gestures[0].id])
    assert "webhooks_webhooksubscription" not in " ".join(q["sql"] for q in captured.captured_queries)
