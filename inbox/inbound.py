"""Providers' inbound webhooks, through django-anymail: /anymail/<provider>/inbound/.

Anymail parses each provider's format and verifies what the provider signs (Mailgun's HMAC, Postal's
and Amazon's signatures); on top, every provider gets its own HTTP basic-auth secret
(INBOX_WEBHOOK_SECRETS, "mailgun=user:password,postmark=user:password"), so a leaked secret opens one
door. A provider without a secret is not enabled: its URL answers 404. Anymail then announces the
message (its `inbound` signal), which `receivers.on_inbound` files in the inbox.
"""

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt


def _inbound_views() -> dict[str, type]:
    views = {}
    for pattern in anymail_urls.urlpatterns:
        name = pattern.name or ""
        if name.endswith("_inbound_webhook"):
            views[name.removesuffix("_inbound_webhook")] = pattern.callback.view_class
    return views


INBOUND_VIEWS = _inbound_views()  # "mailgun", "postmark", "sendgrid", ...


def _with_own_secret(view_class: type) -> type:
    # `webhook_secret` becomes an as_view() argument, which anymail reads before its shared setting.
    return type(view_class.__name__, (view_class,), {"webhook_secret": None})


_VIEWS = {esp: _with_own_secret(view) for esp, view in INBOUND_VIEWS.items()}


@csrf_exempt
def inbound(request, provider: str):
    secret = settings.INBOX_WEBHOOK_SECRETS.get(provider)
    if provider not in _VIEWS or not secret:
        raise Http404("This provider's inbound mail is not enabled.")
    options = {"webhook_secret": secret}
    if provider == "mailgun":  # Mailgun signs every post: without its key nothing could be verified
        if not settings.INBOX_MAILGUN_SIGNING_KEY:
            raise Http404("Mailgun's signing key is not set.")
        options["webhook_signing_key"] = settings.INBOX_MAILGUN_SIGNING_KEY
    return _VIEWS[provider].as_view(**options)(request)
