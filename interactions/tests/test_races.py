"""Races on real concurrent connections: one rating per link; two logs for one customer see each other."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import StateConflict
from interactions import services
from interactions.models import Interaction, LevelChange
from interactions.tests.factories import CustomerFactory, GestureFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run each call in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = ("error", exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_ratings_of_one_link_at_once_only_one_stands(frontline, team):
    interaction = services.interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="phone")
    outcomes = run_together(
        lambda: services.interaction_rate(interaction=interaction, level=6),
        lambda: services.interaction_rate(interaction=interaction, level=1),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert isinstance(error, StateConflict)
    assert Interaction.objects.get(pk=interaction.pk).customer_level == winner.customer_level
    assert LevelChange.objects.filter(interaction=interaction, cause="customer_rating").count() == 1


def test_two_logs_for_one_customer_at_once_count_each_others_delivery(frontline, team):
    customer = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=6)
    earlier, later = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
    outcomes = run_together(
        lambda: services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[cake.id], occurred_at=earlier),
        lambda: services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[cake.id], occurred_at=later),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    first, second = (value for _, value in outcomes)
    customer.refresh_from_db()
    if second.level == 5:
        # The earlier one committed first: the later one counted it as the first delivery.
        assert first.level == 6 and customer.rescore_from is None
    else:
        # The later one committed first and saw nothing before it; the earlier one, logged after
        # it, marks the customer for the re-score job so the later one will be corrected.
        assert (first.level, second.level) == (6, 6) and customer.rescore_from == earlier
