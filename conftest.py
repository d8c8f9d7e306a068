"""Fixtures every app's tests share: teams, people in each role, API and page clients that log in for
real, a customer and a rule of each team. An app's conftest adds its own (or a richer customer)."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, ManagerFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache (Redis in tests): every test starts with none. Only the
    tests' own keys are cleared (cxportal/settings/test.py), never the whole Redis database."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A page request activates its language in this thread and leaves it on: every test starts in
    the default language, whatever the test before it asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def short_lived_connections():
    """For live_server tests: the server's threads close their connections after each request, so
    none outlives the test database."""
    from django.db import connection

    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    yield
    connection.settings_dict["CONN_MAX_AGE"] = saved


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def frontline(team):
    return UserFactory(username="fiona", teams=[team])


@pytest.fixture
def manager(team):
    return ManagerFactory(username="manny", teams=[team], approval_limit=100)


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="ada")


@pytest.fixture
def other_frontline(other_team):
    return UserFactory(username="otto", teams=[other_team])


@pytest.fixture
def other_manager(other_team):
    return ManagerFactory(username="olga", teams=[other_team])


@pytest.fixture
def api():
    """An anonymous API client; `api_as(user)` gives one logged in with a real token."""
    return APIClient()


@pytest.fixture
def api_as(db):
    from accounts.services import token_create

    tokens = {}

    def make(user):
        client = APIClient()
        if user.pk not in tokens:
            tokens[user.pk] = token_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[user.pk]}")
        client.user = user
        return client

    return make


@pytest.fixture
def client_as(db):
    """`client_as(user)`: a browser-less page client signed in as this person (Client's keyword
    arguments pass through, e.g. HTTP_ACCEPT_LANGUAGE)."""
    from django.test import Client

    def make(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def customer(team):
    from interactions.tests.factories import CustomerFactory

    return CustomerFactory(team=team)


@pytest.fixture
def other_customer(other_team):
    from interactions.tests.factories import CustomerFactory

    return CustomerFactory(team=other_team)


@pytest.fixture
def rule(team):
    from recovery.models import Rule

    return Rule.objects.create(team=team, name="No refunds after 30 days")


@pytest.fixture
def other_rule(other_team):
    from recovery.models import Rule

    return Rule.objects.create(team=other_team, name="No table changes after 20:00")


class _Inbox:
    """Messages an aiosmtpd server received, as email.message.Message objects."""

    def __init__(self, port):
        self.messages = []
        self.port = port
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        """Take the server down (an SMTP outage); start() brings it back on the same port."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server, session, envelope):
        import email

        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; Django's SMTP backend points at it."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox(port)
    inbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    inbox.stop()
