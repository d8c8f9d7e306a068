import re

import pytest

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from webhooks import services

TOKEN = "metrics-token-for-webhook-tests-0123"


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


@pytest.mark.django_db
def test_metrics_show_the_webhook_backlog_and_the_inbox(client, settings, receiver, team, manager, frontline):
    settings.METRICS_TOKEN = TOKEN
    services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    receiver.answers["/hook"] = [500]
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    from webhooks.models import WebhookDelivery

    services.delivery_attempt(delivery_id=WebhookDelivery.objects.order_by("id").first().pk)
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert _metric(text, "cxportal_webhook_deliveries_waiting") == 2
    assert _metric(text, "cxportal_webhook_subscriptions_failing") == 1
    assert _metric(text, "cxportal_inbox_waiting") == 0
