import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import Rule


def open_case(actor, customer, *, promise_kept=False, issues=()):
    """A Criminal (broken promise) or Basic (an issue) interaction, which opens its case."""
    interaction = interaction_log(actor=actor, customer=customer, channel="phone", promise_kept=promise_kept, issues=list(issues))
    return interaction.recovery_case


@pytest.fixture
def customer(team):
    return CustomerFactory(team=team, preferences="Loves wine and quiet tables", preferred_channel="email")


@pytest.fixture
def other_customer(other_team):
    return CustomerFactory(team=other_team)


@pytest.fixture
def gesture(team):
    return GestureFactory(team=team, name="Dessert on the house", base_level=5)


@pytest.fixture
def case(frontline, customer):
    return open_case(frontline, customer)


@pytest.fixture
def other_case(other_frontline, other_customer):
    return open_case(other_frontline, other_customer)


@pytest.fixture
def rule(team):
    return Rule.objects.create(team=team, name="No refunds after 30 days")


@pytest.fixture
def other_rule(other_team):
    return Rule.objects.create(team=other_team, name="No table changes after 20:00")


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content.decode("utf8", "replace")})
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
