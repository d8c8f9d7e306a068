"""What the customer's-voice tests share: a Dutch customer with an email address, and an interaction
logged long enough ago for the team's rating-request delay to have passed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import services
from interactions.tests.factories import CustomerFactory


@pytest.fixture
def dutch_customer(team):
    return CustomerFactory(team=team, name="Anne de Vries", email="anne@example.nl", language="nl")


@pytest.fixture
def log(frontline):
    """log(customer, hours_ago=2, **facts): an interaction logged by the frontline user."""

    def make(customer, *, hours_ago: float = 2, channel: str = "phone", **facts):
        at = timezone.now() - timedelta(hours=hours_ago)
        return services.interaction_log(actor=frontline, customer=customer, channel=channel, occurred_at=at, **facts)

    return make


# The team's own words for the six levels never reach a customer, in either language.
INTERNAL_LABELS = ["Criminal", "Basic", "Expected", "Desired", "Surprising", "Unbelievable", "Crimineel", "Basaal", "Gewenst", "Verrassend", "Ongelooflijk"]


def parts(message):
    """(text, html) of a received email.message.Message."""
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return text, html
