"""Password reset by email (issue 19): Django's views, our templates, the mail through the outbox, and
the new password ends every session and token made with the old one."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import token_create
from notifications.models import OutboundEmail
from notifications.services import emails_send_pending

pytestmark = pytest.mark.django_db


def _ask(client, email, **headers):
    return client.post("/accounts/password-reset/", {"email": email}, **headers)


def test_a_reset_link_sets_a_new_password_and_ends_the_old_sessions_and_tokens(frontline, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://cx.example.com"
    old_session = Client()
    old_session.force_login(frontline)
    old_token = token_create(user=frontline)

    response = _ask(Client(), frontline.email, HTTP_HOST="evil.example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert emails_send_pending() == 1
    [message] = mail.outbox
    assert message.to == [frontline.email]
    link = re.search(r"https://cx\.example\.com(/accounts/reset/\S+/)", message.body)
    assert link, "the link points at SITE_URL, never at the Host header the client sent"
    assert "evil.example.com" not in message.body

    client = Client()
    form = client.get(link[1], follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and b"new_password1" in weak.content, "Django's password validators are on"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-fresh-passphrase-81", "new_password2": "a-fresh-passphrase-81"})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"

    assert old_session.get("/").status_code == 302, "the old session is over"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_token}")
    assert api.get("/api/users/me/").status_code == 401, "the old token is over"
    assert APIClient().post("/api/auth/token/", {"username": frontline.username, "password": "a-fresh-passphrase-81"}, format="json").status_code == 200
    assert Client().get(link[1], follow=True).context["validlink"] is False, "the link works once"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db):
    response = _ask(Client(), "nobody@example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert not OutboundEmail.objects.exists()


def test_the_login_page_links_to_the_reset(client):
    assert b"/accounts/password-reset/" in client.get("/accounts/login/").content
