"""Providers' inbound webhooks through django-anymail: a signed Mailgun post lands in the inbox, an
unsigned one or one without the provider's own secret is refused, a provider without a secret is off."""

import base64
import hashlib
import hmac
import time

import pytest

from inbox.models import InboxItem, InboxMessage

from .mails import TEAM_ADDRESS, mail

SIGNING_KEY = "key-test-mailgun-signing"
URL = "/anymail/mailgun/inbound/"


@pytest.fixture
def mailgun(settings, team):
    team.inbox_address = TEAM_ADDRESS
    team.save()
    settings.INBOX_WEBHOOK_SECRETS = {"mailgun": "mailgun:own-secret", "postmark": "postmark:another-secret"}
    settings.INBOX_MAILGUN_SIGNING_KEY = SIGNING_KEY
    return team


def signed(fields: dict, key: str = SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def auth(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.mark.django_db
def test_a_signed_mailgun_post_lands_in_the_inbox(client, mailgun):
    body = {"body-mime": mail().as_string(), "recipient": TEAM_ADDRESS, "sender": "nina@example.org"}
    response = client.post(URL, signed(body), **auth("mailgun:own-secret"))
    assert response.status_code == 200, response.content
    message = InboxMessage.objects.get()
    assert message.source == "Mailgun" and message.from_address == "nina@example.org" and message.item.team == mailgun
    assert client.post(URL, signed(body), **auth("mailgun:own-secret")).status_code == 200  # the provider retried
    assert InboxMessage.objects.count() == 1 and InboxItem.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "credentials"),
    [
        ("unsigned", "mailgun:own-secret"),
        ("wrong key", "mailgun:own-secret"),
        ("signed", "postmark:another-secret"),  # another provider's secret opens no other door
        ("signed", None),
    ],
)
def test_unsigned_or_unauthenticated_posts_are_refused(client, mailgun, fields, credentials):
    body = {"body-mime": mail().as_string(), "recipient": TEAM_ADDRESS}
    if fields == "signed":
        body = signed(body)
    elif fields == "wrong key":
        body = signed(body, key="not-the-key")
    response = client.post(URL, body, **(auth(credentials) if credentials else {}))
    assert response.status_code == 400
    assert not InboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_provider_without_its_own_secret_is_not_enabled(client, mailgun, settings):
    assert client.post("/anymail/sendgrid/inbound/", {"email": "x"}).status_code == 404
    settings.INBOX_MAILGUN_SIGNING_KEY = ""
    assert client.post(URL, signed({"body-mime": "x"}), **auth("mailgun:own-secret")).status_code == 404
    assert client.post("/anymail/nonsense/inbound/", {}).status_code == 404
