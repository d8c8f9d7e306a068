from io import StringIO

import pytest
from django.core.management import call_command

from webhooks.models import WebhookDelivery, WebhookSubscription


@pytest.mark.django_db
def test_seed_demo_has_one_webhook_pinged_once_and_runs_twice():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    [subscription] = WebhookSubscription.objects.all()
    assert subscription.active and subscription.created_by.role == "manager" and "case.opened" in subscription.events
    assert [d.event.type for d in WebhookDelivery.objects.select_related("event")] == ["webhook.ping"]
