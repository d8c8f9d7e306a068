"""The webhooks page: a manager adds a URL and sees the secret once, then the deliveries, a ping and "send again"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from tests.browser import in_browser_thread, sign_in
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookSubscription


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_manager_adds_a_webhook_and_sees_its_secret_once(manager, team, receiver):
    client = logged_in(manager)
    url = reverse("webhooks:list", args=[team.pk])
    response = client.post(url, {"url": receiver.url(), "events": ["case.opened", "case.closed"]})
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    page = response.content.decode()
    assert subscription.secret in page and subscription.events == ["case.opened", "case.closed"]
    assert subscription.secret not in client.get(url).content.decode()
    assert subscription.secret not in client.get(reverse("webhooks:detail", args=[team.pk, subscription.pk])).content.decode()


@pytest.mark.django_db
def test_a_private_url_is_refused_on_the_page_with_its_reason(manager, team):
    response = logged_in(manager).post(reverse("webhooks:list", args=[team.pk]), {"url": "http://169.254.169.254/", "events": ["case.opened"]})
    assert response.status_code == 400
    assert "link-local" in response.content.decode() and not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_frontline_and_other_teams_get_no_webhooks_page(frontline, other_manager, team):
    assert logged_in(frontline).get(reverse("webhooks:list", args=[team.pk])).status_code == 403
    assert logged_in(other_manager).get(reverse("webhooks:list", args=[team.pk])).status_code == 403


@pytest.mark.django_db
def test_the_detail_page_lists_attempts_in_flat_queries_and_sends_again(manager, frontline, team, receiver, django_assert_max_num_queries):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    for _ in range(6):
        interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    for delivery in WebhookDelivery.objects.all():
        services.delivery_attempt(delivery_id=delivery.pk)
    client = logged_in(manager)
    detail = reverse("webhooks:detail", args=[team.pk, subscription.pk])
    with django_assert_max_num_queries(12):
        page = client.get(detail).content.decode()
    assert page.count('class="delivery"') == 6 and page.count("answer 200 to /hook") == 6
    delivery = WebhookDelivery.objects.order_by("id").first()
    response = client.post(reverse("webhooks:resend", args=[team.pk, subscription.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 0
    client.post(reverse("webhooks:ping", args=[team.pk, subscription.pk]))
    assert WebhookDelivery.objects.filter(event__type="webhook.ping").count() == 1
    client.post(reverse("webhooks:switch", args=[team.pk, subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.active


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_manager_adds_a_webhook_pings_it_and_sees_the_attempt(short_lived_connections, live_server, manager, team, receiver):
    def steps(page, seen):
        sign_in(page, live_server.url, manager)
        page.goto(f"{live_server.url}{reverse('web:team-settings', args=[team.pk])}")
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("URL").fill(receiver.url())
        page.get_by_label("A recovery case opened").check()
        page.get_by_role("button", name="Add webhook").click()
        page.wait_for_load_state()
        seen["secret"] = page.locator("code.secret").inner_text()
        page.get_by_role("link", name=receiver.url()).click()
        page.get_by_role("button", name="Send a ping").click()
        page.wait_for_load_state()
        seen["after_ping"] = page.locator("main").inner_text()

    seen = in_browser_thread(steps, viewport={"width": 1280, "height": 900})
    subscription = WebhookSubscription.objects.get()
    assert seen["secret"] == subscription.secret
    assert "webhook.ping" in seen["after_ping"] and "Ping sent." in seen["after_ping"]
    delivery = WebhookDelivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)  # what the worker does
    [request] = receiver.wait_for(1)
    assert re.match(r"msg_[0-9a-f]{32}", request["headers"]["webhook-id"])


@pytest.mark.django_db
def test_the_webhooks_page_speaks_dutch(manager, team):
    manager.language = "nl"
    manager.save()
    page = logged_in(manager).get(reverse("webhooks:list", args=[team.pk])).content.decode()
    assert "Een webhook toevoegen" in page and "Er is een herstelzaak geopend" in page
