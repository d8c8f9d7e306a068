"""Client addresses come from the connection, or from X-Forwarded-For only through the declared
number of trusted proxies (issue 19, finding 2).

The tester sent 60 token logins, each with a new X-Forwarded-For, and got no 429 at all. These tests
send real HTTP requests to a live server, since the header is the point.
"""

import json
import secrets
import urllib.error
import urllib.request

import pytest
from axes.models import AccessAttempt

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_settings import _manage
from core.throttling import LoginThrottle, PublicTokenThrottle
from interactions.services import feedback_url, interaction_log
from interactions.tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("short_lived_connections")]


def _send(url, *, forwarded_for=None, body=None):
    headers = {"Content-Type": "application/json"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _login(live_server, forwarded_for=None, password=PASSWORD):
    return _send(
        f"{live_server.url}/api/auth/token/", forwarded_for=forwarded_for, body={"username": "fiona", "password": password}
    )


@pytest.fixture
def fiona(team):
    return UserFactory(username="fiona", teams=[team])


@pytest.fixture
def small_login_rate(monkeypatch):
    monkeypatch.setattr(LoginThrottle, "rate", "5/hour", raising=False)  # LOGIN_THROTTLE, made small


def test_a_new_x_forwarded_for_on_every_login_does_not_dodge_the_throttle(live_server, fiona, small_login_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [_login(live_server, forwarded_for=f"203.0.113.{n}") for n in range(8)]
    assert statuses == [200] * 5 + [429] * 3


def test_a_new_x_forwarded_for_on_every_request_does_not_dodge_the_customer_link_throttle(
    live_server, frontline, team, monkeypatch, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(PublicTokenThrottle, "rate", "3/hour", raising=False)
    url = feedback_url(interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="chat"))
    path = url[url.index("/feedback/"):]
    statuses = [_send(f"{live_server.url}{path}", forwarded_for=f"198.51.100.{n}") for n in range(5)]
    assert statuses == [200] * 3 + [429] * 2


def test_behind_one_trusted_proxy_the_client_is_the_address_the_proxy_appended(
    live_server, fiona, small_login_rate, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes whatever it likes on the left; the proxy appends the address it saw.
    statuses = [_login(live_server, forwarded_for=f"10.{n}.{n}.{n}, 192.0.2.7") for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert _login(live_server, forwarded_for="192.0.2.8") == 200, "another client behind the proxy is not limited"


def test_the_lockout_locks_the_client_behind_the_proxy_not_the_user_everywhere(live_server, fiona, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    try:
        statuses = [_login(live_server, forwarded_for=f"spoofed-{n}, 192.0.2.66", password="wrong") for n in range(3)]
        assert statuses[:2] == [400, 400]
        assert _login(live_server, forwarded_for="192.0.2.66") == 429
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.66"}
        assert _login(live_server, forwarded_for="192.0.2.9") == 200, "the user is not locked out elsewhere"
    finally:
        AccessAttempt.objects.all().delete()


def test_without_a_declared_proxy_the_lockout_ignores_x_forwarded_for(live_server, fiona, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    try:
        for n in range(3):
            _login(live_server, forwarded_for=f"203.0.113.{n}", password="wrong")
        assert _login(live_server, forwarded_for="203.0.113.99") == 429
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    finally:
        AccessAttempt.objects.all().delete()


@pytest.mark.parametrize("count,trusted", [("0", False), ("1", True)])
def test_production_trusts_x_forwarded_proto_only_behind_a_declared_proxy(count, trusted):
    code = "from django.conf import settings; print(bool(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)))"
    result = _manage("shell", "-c", code, SECRET_KEY=secrets.token_urlsafe(60), TRUSTED_PROXY_COUNT=count)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(trusted)
