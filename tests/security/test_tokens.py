"""API tokens are hashed at rest, expire and can be revoked (issue 19, finding 4).

The tester found tokens stored in plain text, the same token returned at every login, no logout,
and a password reset that left the old token working.
"""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(username="fiona", password=PASSWORD):
    response = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    return response.json()["token"]


def me(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/users/me/")


def test_the_token_is_stored_only_as_its_digest(frontline):
    token = login()
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM accounts_apitoken")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0, "no plain-text token table in use"
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in stored
    assert me(token).status_code == 200


def test_each_login_gives_a_new_token_and_both_work(frontline):
    first, second = login(), login()
    assert first != second
    assert me(first).status_code == 200 and me(second).status_code == 200


def test_a_token_expires(frontline, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = login()
    assert ApiToken.objects.get().expires_at > timezone.now() + timedelta(days=29)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = me(token)
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_logout_revokes_the_token_used_and_no_other(frontline):
    phone, laptop = login(), login()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert client.post("/api/auth/logout/").status_code == 204
    assert me(phone).status_code == 401
    assert me(laptop).status_code == 200
    assert APIClient().post("/api/auth/logout/").status_code == 401


def test_a_password_change_revokes_every_token_of_that_user(api_as, admin_user, frontline):
    phone, laptop = login(), login()
    response = api_as(admin_user).patch(f"/api/users/{frontline.id}/", {"password": "a-brand-new-passphrase-7"}, format="json")
    assert response.status_code == 200, response.content
    assert me(phone).status_code == 401 and me(laptop).status_code == 401
    assert not ApiToken.objects.filter(user=frontline).exists()
    assert me(login(password="a-brand-new-passphrase-7")).status_code == 200


def test_a_password_set_by_any_other_path_also_ends_the_old_tokens(frontline):
    """The admin site, `changepassword`, a reset: the token is bound to the password it was made with."""
    token = login()
    frontline.set_password("changed-elsewhere-passphrase-3")
    frontline.save()
    response = me(token)
    assert response.status_code == 401 and "password changed" in response.json()["detail"]


def test_a_password_change_ends_the_users_sessions_too(client, api_as, admin_user, frontline):
    client.force_login(frontline)
    assert client.get("/").status_code == 200
    api_as(admin_user).patch(f"/api/users/{frontline.id}/", {"password": "a-brand-new-passphrase-7"}, format="json")
    assert client.get("/").status_code == 302, "the session signed with the old password is over"


def test_logout_over_a_session_ends_the_session(client, frontline):
    client.force_login(frontline)
    csrf_client = client
    response = csrf_client.post("/api/auth/logout/")
    assert response.status_code == 204
    assert csrf_client.get("/").status_code == 302
