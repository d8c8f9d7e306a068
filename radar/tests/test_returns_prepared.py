"""The hourly job works out every team's delight returns ahead of the managers: the radar then reads
them without a query, in the viewer's language, and the answer is the one computed live."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from accounts.models import Team
from interactions.tests.factories import CustomerFactory, GestureFactory
from radar.returns import delight_returns
from radar.selectors import returns_cache_key, returns_cached, returns_prepare

from .history import visit


def cohort_history(team, now):
    """Two customers got the cake in the cohort; one came back. Two were served without it."""
    cake = GestureFactory(team=team, name="Cake")
    ann, bob, eli, fay = (CustomerFactory(team=team, name=n) for n in ("Ann", "Bob", "Eli", "Fay"))
    for c in (ann, bob):
        visit(c, now - timedelta(days=200), gestures=[cake])
    visit(ann, now - timedelta(days=150), level=5)
    for c in (eli, fay):
        visit(c, now - timedelta(days=200))


@pytest.mark.django_db
def test_prepared_returns_are_read_without_a_query_and_equal_the_live_answer(team, other_team, django_assert_num_queries):
    now = timezone.now()
    cohort_history(team, now)
    cache.clear()
    assert Team.objects.count() == 2
    assert returns_prepare(at=now) == 2 * 2  # every team, in English and in Dutch
    with translation.override("en"):
        with django_assert_num_queries(0):
            english = returns_cached(team=team, at=now)
        assert english == delight_returns(team=team, at=now)
        assert english.gestures[0].reached.returned == 1
    with translation.override("nl"):
        with django_assert_num_queries(0):
            dutch = returns_cached(team=team, at=now)
        assert dutch == delight_returns(team=team, at=now)
    assert dutch.paradox.words != english.paradox.words  # each language has its own entry


@pytest.mark.django_db
def test_the_entry_lasts_the_hour_and_the_next_hour_is_computed_anew(team):
    start = timezone.now().replace(minute=1, second=0, microsecond=0)
    cache.clear()
    returns_prepare(at=start)
    same_hour = start.replace(minute=59)
    next_hour = start + timedelta(hours=1)
    assert returns_cache_key(team_id=team.id, at=same_hour, language="en") == returns_cache_key(team_id=team.id, at=start, language="en")
    assert cache.get(returns_cache_key(team_id=team.id, at=same_hour, language="en")) is not None
    assert cache.get(returns_cache_key(team_id=team.id, at=next_hour, language="en")) is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_hourly_job_prepares_the_returns_in_a_real_celery_worker(team):
    from celery.contrib.testing.worker import start_worker

    from cxportal.celery import app
    from radar.tasks import prepare_returns

    cohort_history(team, timezone.now())
    cache.clear()
    before = timezone.now()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        stored = prepare_returns.delay().get(timeout=120)
    after = timezone.now()
    assert stored >= 2
    keys = {returns_cache_key(team_id=team.id, at=moment, language="nl") for moment in (before, after)}
    assert any(cache.get(key) is not None for key in keys)
