"""Outbound webhooks end to end: a real receiver on 127.0.0.1, real signatures, real workers."""

import json
import os
import socket
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from cxportal.celery import app as celery_app
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from notifications.models import OutboundEmail
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from webhooks.schedule import GIVE_UP_AFTER, MAX_ATTEMPTS, RETRY_PAUSES, retry_pause


def subscribe(manager, team, url, events=("interaction.logged",)):
    return services.subscription_create(actor=manager, team=team, url=url, events=list(events))


def eventually(predicate, timeout: float = 30):
    """Poll the database until the worker has recorded what the predicate asks (or give up)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)
    return predicate()


def verified(request, secret):
    """The body as the library's own verifier reads it from the request (raises when the signature is wrong)."""
    return Webhook(secret).verify(request["body"], request["headers"])


@pytest.fixture
def worker():
    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    with start_worker(celery_app, pool="threads", concurrency=3, perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_logged_interaction_reaches_the_receiver_after_commit_signed_as_the_standard_says(receiver, worker, team, manager, frontline):
    subscription = subscribe(manager, team, receiver.url())
    customer = CustomerFactory(team=team)
    interaction = interaction_log(actor=frontline, customer=customer, channel="email", summary="Asked about the invoice")

    [request] = receiver.wait_for(1)
    body = verified(request, subscription.secret)
    assert body["type"] == "interaction.logged"
    assert body["id"] == request["headers"]["webhook-id"] == WebhookEvent.objects.get().public_id
    assert body["data"]["id"] == interaction.pk and body["data"]["summary"] == "Asked about the invoice"
    assert body["data"]["level_label"] == "Expected"
    assert request["headers"]["webhook-signature"].startswith("v1,")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(receiver, worker, team, manager, frontline):
    subscribe(manager, team, receiver.url())
    customer = CustomerFactory(team=team)
    with pytest.raises(RuntimeError), transaction.atomic():
        interaction_log(actor=frontline, customer=customer, channel="email", summary="rolled back")
        raise RuntimeError("the request failed after logging")
    assert not WebhookEvent.objects.exists()
    kept = interaction_log(actor=frontline, customer=customer, channel="email", summary="kept")

    assert [json.loads(r["body"])["data"]["id"] for r in receiver.wait_for(1)] == [kept.pk]
    assert eventually(lambda: WebhookDelivery.objects.get().status == "succeeded")
    assert len(receiver.requests) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_one_event_to_three_subscriptions_is_three_deliveries_with_one_webhook_id(receiver, worker, team, manager, frontline):
    subscriptions = [subscribe(manager, team, receiver.url(f"/hook{i}")) for i in range(3)]
    subscribe(manager, team, receiver.url("/cases-only"), events=["case.opened"])
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="phone")

    requests = receiver.wait_for(3)
    assert sorted(r["path"] for r in requests) == ["/hook0", "/hook1", "/hook2"]
    assert len({r["headers"]["webhook-id"] for r in requests}) == 1
    for subscription, path in zip(subscriptions, ["/hook0", "/hook1", "/hook2"]):
        request = next(r for r in requests if r["path"] == path)
        assert verified(request, subscription.secret)["type"] == "interaction.logged"
    assert eventually(lambda: WebhookDelivery.objects.filter(status="succeeded").count() == 3)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_sleeps_past_the_timeout_does_not_hold_up_the_next_delivery(receiver, worker, settings, team, manager, frontline):
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    receiver.held.add("/slow")
    slow = subscribe(manager, team, receiver.url("/slow"))
    subscribe(manager, team, receiver.url("/fast"))
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="phone")

    receiver.wait_for(1, path="/slow")
    fast = receiver.wait_for(1, path="/fast")
    assert len(fast) == 1 and not receiver.release.is_set()  # it arrived while the slow one still hangs
    assert eventually(lambda: WebhookAttempt.objects.filter(delivery__subscription=slow).exists())
    attempt = WebhookAttempt.objects.get(delivery__subscription=slow)
    assert attempt.status_code is None and "No answer within 2 s" in attempt.error
    assert WebhookDelivery.objects.get(subscription=slow).status == "pending"  # tried again later


@pytest.mark.django_db
def test_a_500_then_a_200_is_retried_with_the_same_webhook_id(receiver, team, manager, frontline):
    subscription = subscribe(manager, team, receiver.url())
    receiver.answers["/hook"] = [500]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()

    first = services.delivery_attempt(delivery_id=delivery.pk, now=now)
    assert first.status_code == 500 and not first.succeeded and first.response_excerpt == "answer 500 to /hook"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at == now + timedelta(seconds=30)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(seconds=10)) is None  # not due yet
    assert services.deliveries_due(now=now + timedelta(seconds=31)) == [delivery.pk]
    second = services.delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(seconds=31))
    assert second.status_code == 200 and second.succeeded

    requests = receiver.wait_for(2)
    assert [r["headers"]["webhook-id"] for r in requests] == [delivery.event.public_id] * 2
    assert all(verified(r, subscription.secret)["id"] == delivery.event.public_id for r in requests)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


@pytest.mark.django_db
def test_a_delivery_is_given_up_after_24_hours_of_retries(receiver, team, manager, frontline):
    subscribe(manager, team, receiver.url())
    receiver.answers["/hook"] = [503] * 20
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    delivery = WebhookDelivery.objects.get()
    at = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        services.delivery_attempt(delivery_id=delivery.pk, now=at)
        delivery.refresh_from_db()
        if delivery.status != "pending":
            break
        at = delivery.next_attempt_at
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert delivery.attempt_log.last().at - delivery.first_attempt_at <= GIVE_UP_AFTER


def test_the_retry_pauses_grow_and_stop_within_24_hours():
    assert list(RETRY_PAUSES) == sorted(RETRY_PAUSES)
    assert sum(RETRY_PAUSES, timedelta()) <= timedelta(hours=24)
    assert retry_pause(1) == timedelta(seconds=30) and retry_pause(MAX_ATTEMPTS) is None


@pytest.mark.django_db
def test_failing_for_24_hours_switches_the_subscription_off_and_tells_its_creator(receiver, team, manager, frontline):
    subscription = subscribe(manager, team, receiver.url())
    receiver.answers["/hook"] = [500]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(hours=24, minutes=1))
    first, second = WebhookDelivery.objects.order_by("id")

    services.delivery_attempt(delivery_id=first.pk)
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at is not None
    second.refresh_from_db()
    assert second.status == "failed"  # nothing more goes to a switched-off URL
    [mail] = OutboundEmail.objects.all()
    assert mail.to == [manager.email] and receiver.url() in mail.subject


@pytest.mark.django_db
def test_a_success_clears_the_failing_clock(receiver, team, manager, frontline):
    subscription = subscribe(manager, team, receiver.url())
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(hours=3))
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    services.delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk)
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is None


@pytest.mark.django_db
def test_a_name_that_resolves_to_loopback_at_send_time_is_refused(receiver, settings, monkeypatch, team, manager, frontline):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    real = socket.getaddrinfo
    answers = {"hooks.example.test": "93.184.216.34"}  # public at creation

    def resolve(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    subscription = subscribe(manager, team, f"http://hooks.example.test:{receiver.port}/hook")
    answers["hooks.example.test"] = "127.0.0.1"  # the name now points at the machine itself (DNS rebinding)
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")

    attempt = services.delivery_attempt(delivery_id=WebhookDelivery.objects.get(subscription=subscription).pk)
    assert attempt.status_code is None and "127.0.0.1" in attempt.error and "private" in attempt.error
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receiver, team, manager, frontline):
    subscribe(manager, team, receiver.url())
    receiver.answers["/hook"] = [302]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    attempt = services.delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk)
    assert attempt.status_code == 302 and not attempt.succeeded
    assert len(receiver.requests) == 1
