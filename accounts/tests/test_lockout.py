"""Brute force on the login page and the token endpoint is locked per (username, address)."""

import pytest
from axes.models import AccessAttempt

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    yield
    AccessAttempt.objects.all().delete()


def _token(api, password, address="10.1.1.1"):
    return api.post("/api/auth/token/", {"username": "fiona", "password": password}, format="json", REMOTE_ADDR=address)


def test_token_login_locks_after_repeated_failures_even_with_the_right_password(api, frontline, axes_on):
    statuses = [_token(api, "wrong").status_code for _ in range(3)]
    assert statuses[:2] == [400, 400]
    response = _token(api, PASSWORD)
    assert response.status_code == 429 and "token" not in response.json()


def test_a_lockout_from_one_address_does_not_lock_the_user_out_elsewhere(api, frontline, axes_on):
    for _ in range(3):
        _token(api, "wrong", address="10.6.6.6")
    assert _token(api, PASSWORD, address="10.6.6.6").status_code == 429
    response = _token(api, PASSWORD, address="10.2.2.2")
    assert response.status_code == 200 and "token" in response.json()


def test_login_page_locks_after_repeated_failures(client, frontline, axes_on):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "fiona", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    response = client.post("/accounts/login/", {"username": "fiona", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
