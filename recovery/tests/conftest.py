import pytest

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory


def open_case(actor, customer, *, promise_kept=False, issues=()):
    """A Criminal (broken promise) or Basic (an issue) interaction, which opens its case."""
    from django.utils import timezone

    from notifications.models import OutboundEmail

    interaction = interaction_log(actor=actor, customer=customer, channel="phone", promise_kept=promise_kept, issues=list(issues))
    case = interaction.recovery_case
    # The apology went out when the case opened (voice/tests test it); these tests count the mails after it.
    OutboundEmail.objects.filter(dedupe_key=f"case-{case.pk}-opened").update(sent_at=timezone.now())
    return case


@pytest.fixture
def customer(team):
    return CustomerFactory(team=team, preferences="Loves wine and quiet tables", preferred_channel="email")


@pytest.fixture
def gesture(team):
    return GestureFactory(team=team, name="Dessert on the house", base_level=5)


@pytest.fixture
def case(frontline, customer):
    return open_case(frontline, customer)


@pytest.fixture
def other_case(other_frontline, other_customer):
    return open_case(other_frontline, other_customer)


class EnvelopeView:
    """The shared SMTP server's messages (root conftest's `smtp_server`), read as envelopes."""

    def __init__(self, server):
        self.server = server

    @property
    def messages(self) -> list[dict]:
        return [
            {"to": message["X-Envelope-To"].split(", "), "data": message.as_string()}
            for message in self.server.messages
        ]


@pytest.fixture
def smtp_inbox(smtp_server):
    """A real SMTP server on 127.0.0.1 with Django's SMTP backend pointed at it (the shared one)."""
    return EnvelopeView(smtp_server)
