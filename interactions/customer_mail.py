"""Mail to a customer: in their language, with a one-click unsubscribe on every one (RFC 8058).

Every mail a customer gets (a rating request, a case's apology, its fix, the recovered-level question)
is rendered by `customer_email_render`, in the customer's language and the team's time zone, and
written to the outbox rendered (`customer_email_enqueue`) or for the sender to render
(`customer_email_enqueue_to_render`: the apology, on the log path), carrying

    List-Unsubscribe: <https://…/unsubscribe/<token>/>, <mailto:…?subject=unsubscribe%20<token>>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

plus the same link in the text and HTML. The token is made like the feedback links' (an HMAC of a
random per-customer nonce, 128 bits; only its SHA-256 is stored), on the first mail to the customer.
Opting out stops rating requests; the mails about their own case still go.
"""

from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.services import audit_record

from . import links
from .models import Customer

UNSUBSCRIBE = "unsubscribe"


def customer_unsubscribe_token(customer: Customer) -> str:
    """The customer's unsubscribe token; made (once, whoever asks first) on their first mail."""
    if not customer.unsubscribe_nonce:
        nonce, digest = links.new_link(purpose=UNSUBSCRIBE)
        # Only where none was made yet: of two concurrent first mails, one makes it, both use it.
        if Customer.objects.filter(pk=customer.pk, unsubscribe_nonce="").update(unsubscribe_nonce=nonce, unsubscribe_digest=digest):
            customer.unsubscribe_nonce, customer.unsubscribe_digest = nonce, digest
        else:
            customer.unsubscribe_nonce, customer.unsubscribe_digest = (
                Customer.objects.filter(pk=customer.pk).values_list("unsubscribe_nonce", "unsubscribe_digest").get()
            )
    return links.link_token(purpose=UNSUBSCRIBE, nonce=customer.unsubscribe_nonce)


def customer_unsubscribe_url(customer: Customer) -> str:
    return f"{settings.SITE_URL}/unsubscribe/{customer_unsubscribe_token(customer)}/"


def _unsubscribe_mailto(token: str) -> str:
    address = settings.UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def unsubscribe_headers(customer: Customer) -> dict:
    token = customer_unsubscribe_token(customer)
    return {
        "List-Unsubscribe": f"<{settings.SITE_URL}/unsubscribe/{token}/>, <{_unsubscribe_mailto(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def customer_email_render(*, customer: Customer, template: str, context: dict):
    """The mail to the customer, rendered: `template` names three templates, `<template>_subject.txt`,
    `<template>.txt` and `<template>.html`, rendered with `context` plus `customer`, `team_name` and
    `unsubscribe_url`, in the customer's language and their team's time zone, with the unsubscribe
    headers. `customer` with its team."""
    from notifications.services import RenderedEmail

    team = customer.team
    context = {**context, "customer": customer, "team_name": team.name, "unsubscribe_url": customer_unsubscribe_url(customer)}
    with translation.override(customer.language or settings.LANGUAGE_CODE), timezone.override(team.tz):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return RenderedEmail(subject=subject, text=text, html=html, headers=unsubscribe_headers(customer))


def customer_email_enqueue(*, customer: Customer, dedupe_key: str, template: str, context: dict, not_before=None):
    """Write a mail to the customer into the outbox (in the caller's transaction), rendered now
    (`customer_email_render`). Returns the outbox row, or None (no address, sent before)."""
    from notifications.services import email_enqueue

    if not customer.email:
        return None
    mail = customer_email_render(customer=customer, template=template, context=context)
    return email_enqueue(
        to=[customer.email], subject=mail.subject, text=mail.text, html=mail.html, dedupe_key=dedupe_key,
        headers=mail.headers, not_before=not_before,
    )


def customer_email_enqueue_to_render(*, customer: Customer, dedupe_key: str, render: str, args: dict, not_before=None):
    """Write a mail to the customer into the outbox (in the caller's transaction) for the sender to
    render: `render` names a renderer registered with the outbox that rebuilds the context from
    `args` (ids) and calls `customer_email_render`. For a hot path: the request skips the templates
    and the unsubscribe link. Returns the outbox row, or None (no address, sent before)."""
    from notifications.services import email_enqueue_to_render

    if not customer.email:
        return None
    return email_enqueue_to_render(to=[customer.email], render=render, args=args, dedupe_key=dedupe_key, not_before=not_before)


def customer_by_unsubscribe_token(token: str) -> Customer | None:
    if not links.looks_like_token(token):
        return None
    return Customer.objects.select_related("team").filter(unsubscribe_digest=links.token_digest(token)).first()


@transaction.atomic
def customer_opt_out(*, customer: Customer, how: str) -> bool:
    """The customer asks for no more rating requests (one click, the page's button, or staff on their
    behalf). Changes nothing else. Returns whether it changed anything; recorded on the audit trail."""
    changed = Customer.objects.filter(pk=customer.pk, contact_opt_out=False).update(
        contact_opt_out=True, contact_opt_out_at=timezone.now()
    )
    if changed:
        audit_record(actor=None, action="customer.contact_opt_out", subject=f"customer {customer.pk}", new=how, team_id=customer.team_id)
    customer.contact_opt_out = True
    return bool(changed)
