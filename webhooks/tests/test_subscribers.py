"""Who listens is kept in the cache per team: no look-up per logged interaction, and every change of a
subscription (service, admin, a failing receiver switched off, deletion) is heard at once."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from webhooks.subscribers import _key, team_subscribers

TABLE = WebhookSubscription._meta.db_table


def log_and_count_lookups(frontline, team, channel="email") -> int:
    """Log one interaction; how many statements read the subscriptions table."""
    with CaptureQueriesContext(connection) as captured:
        interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel=channel)
    return sum(1 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT") and TABLE in q["sql"])


def logged_events() -> int:
    return WebhookEvent.objects.filter(type="interaction.logged").count()


@pytest.mark.django_db
def test_a_team_without_subscribers_is_looked_up_once_then_never_again(frontline, team):
    assert log_and_count_lookups(frontline, team) == 1
    assert log_and_count_lookups(frontline, team) == 0
    assert log_and_count_lookups(frontline, team, channel="phone") == 0
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_a_new_subscription_hears_the_very_next_log(frontline, manager, team, receiver):
    log_and_count_lookups(frontline, team)  # "nobody listens" is now in the cache
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert logged_events() == 1
    assert WebhookDelivery.objects.get().subscription_id == subscription.pk


def settled(team) -> None:
    """As long after the last change as the marker's hold: the team's answer is in the cache again."""
    cache.delete(_key(team.pk))
    team_subscribers(team.pk, "interaction.logged")
    assert cache.get(_key(team.pk)) is not None


@pytest.mark.django_db
def test_changing_the_events_switching_off_and_deleting_are_heard_at_once(frontline, manager, team, receiver):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    steps = [
        ({"events": ["case.opened"]}, 0),
        ({"events": ["interaction.logged"]}, 1),
        ({"active": False}, 0),
        ({"active": True}, 1),
    ]
    for changes, heard in steps:
        settled(team)
        before = logged_events()
        services.subscription_update(actor=manager, subscription=subscription, changes=changes)
        interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
        assert logged_events() - before == heard, changes
    settled(team)
    services.subscription_delete(actor=manager, subscription=subscription)
    before = logged_events()
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert logged_events() == before


@pytest.mark.django_db
def test_a_change_in_the_admin_is_heard_at_once(frontline, manager, team, receiver, admin_user, client):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    settled(team)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/",
        {"team": team.pk, "url": receiver.url(), "events": '["interaction.logged"]'},  # "active" unticked
    )
    assert response.status_code == 302, response.content
    assert not WebhookSubscription.objects.get().active
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert logged_events() == 0


@pytest.mark.django_db
def test_a_receiver_switched_off_for_failing_gets_no_more_events(frontline, manager, team, receiver):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    receiver.answers["/hook"] = [500]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    settled(team)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(hours=25))
    services.delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk)
    subscription.refresh_from_db()
    assert not subscription.active
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert logged_events() == 1


@pytest.mark.django_db
def test_a_failing_receiver_keeps_the_teams_entry(frontline, manager, team, receiver):
    """Its failure clock (`failing_since`) changes nobody's events: the cached answer stays."""
    services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    assert log_and_count_lookups(frontline, team) == 1  # just changed: nothing is kept while the marker stands
    settled(team)
    assert log_and_count_lookups(frontline, team) == 0
    receiver.answers["/hook"] = [500]
    services.delivery_attempt(delivery_id=WebhookDelivery.objects.order_by("id").first().pk)
    assert WebhookSubscription.objects.get().failing_since is not None
    assert log_and_count_lookups(frontline, team) == 0


@pytest.mark.django_db
def test_a_deleted_team_takes_its_entry_with_it(other_manager, other_team, receiver):
    services.subscription_create(actor=other_manager, team=other_team, url=receiver.url(), events=["interaction.logged"])
    settled(other_team)
    team_id = other_team.pk
    assert team_subscribers(team_id, "interaction.logged")
    other_team.delete()
    assert team_subscribers(team_id, "interaction.logged") == []


@pytest.mark.django_db
def test_without_a_cache_the_database_answers(frontline, manager, team, receiver, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    assert log_and_count_lookups(frontline, team) == 1
    assert log_and_count_lookups(frontline, team) == 1
    assert logged_events() == 2


@pytest.mark.django_db(transaction=True)
def test_a_log_racing_with_a_new_subscription_never_caches_the_old_answer(frontline, manager, team, receiver):
    """A subscription is created in one transaction while another logs (and reads "nobody listens")
    before it commits: once it has committed, the next log hears about it."""
    inside, done = threading.Event(), threading.Event()

    def subscribe():
        try:
            with transaction.atomic():
                services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
                inside.set()
                done.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=subscribe)
    worker.start()
    assert inside.wait(30)
    assert team_subscribers(team.pk, "interaction.logged") == []  # not committed yet: nobody listens
    assert team_subscribers(team.pk, "interaction.logged") == []
    done.set()
    worker.join(30)
    [subscription] = WebhookSubscription.objects.all()
    assert team_subscribers(team.pk, "interaction.logged") == [subscription.pk]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert logged_events() == 1
