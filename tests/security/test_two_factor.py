"""Two-factor sign-in with an authenticator app (TOTP): required for admins, offered to everyone; an
API token needs the code once it is on (issue 19)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db


def code_of(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"


def next_time_step(device):
    """Each code works once; the test stands in for the 30 seconds until the app shows the next one."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


def after_the_throttle_wait(device):
    """A wrong code makes the next try wait (1 s, doubling); the test stands in for that wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def password_step(client, user, next_url="/"):
    return client.post(f"/accounts/login/?next={next_url}", {"username": user.username, "password": PASSWORD})


def set_up(client, user) -> TOTPDevice:
    assert client.get("/accounts/two-factor/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"code": code_of(device)})
    assert response.status_code == 302, response.content
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_an_admin_without_an_app_must_set_it_up_before_any_page():
    admin = AdminFactory(username="root")
    client = Client()
    response = password_step(client, admin)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/api/users/me/").status_code == 403
    set_up(client, admin)
    assert client.get("/").status_code == 200


def test_with_an_app_the_password_alone_does_not_log_in(frontline):
    client = Client()
    client.force_login(frontline)
    device = set_up(client, frontline)
    client.logout()
    next_time_step(device)

    fresh = Client()
    response = password_step(fresh, frontline)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert fresh.get("/").status_code == 302, "not logged in yet"
    assert fresh.post("/accounts/two-factor/", {"code": "000000"}).status_code == 400
    after_the_throttle_wait(device)
    assert fresh.post("/accounts/two-factor/", {"code": code_of(device), "next": "/"}).status_code == 302
    assert fresh.get("/").status_code == 200


def test_a_code_without_the_password_step_logs_nobody_in(frontline):
    client = Client()
    client.force_login(frontline)
    device = set_up(client, frontline)
    next_time_step(device)
    stranger = Client()
    response = stranger.post("/accounts/two-factor/", {"code": code_of(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert stranger.get("/").status_code == 302


def test_a_user_without_an_app_logs_in_with_the_password_as_before(frontline):
    client = Client()
    assert password_step(client, frontline)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_api_token_needs_the_code_once_the_app_is_on(frontline):
    client = Client()
    client.force_login(frontline)
    device = set_up(client, frontline)
    next_time_step(device)
    api = APIClient()
    without = api.post("/api/auth/token/", {"username": frontline.username, "password": PASSWORD}, format="json")
    assert without.status_code == 400 and "otp" in without.json()
    with_code = api.post("/api/auth/token/", {"username": frontline.username, "password": PASSWORD, "otp": code_of(device)}, format="json")
    assert with_code.status_code == 200 and "token" in with_code.json()
    replayed = api.post("/api/auth/token/", {"username": frontline.username, "password": PASSWORD, "otp": code_of(device)}, format="json")
    assert replayed.status_code == 400, "a code works once"


def test_an_admin_gets_no_api_token_before_setting_up_the_app():
    AdminFactory(username="root")
    response = APIClient().post("/api/auth/token/", {"username": "root", "password": PASSWORD}, format="json")
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]


def test_the_admin_sites_own_login_goes_through_the_two_steps():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_the_profile_page_offers_it_to_everyone(frontline):
    client = Client()
    client.force_login(frontline)
    assert b"/accounts/two-factor/setup/" in client.get("/profile/").content
