"""The outbox: enqueue email with the change that causes it; a worker sends it after commit."""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


def email_enqueue(*, to: list[str], subject: str, text: str, html: str = "", dedupe_key: str | None = None) -> OutboundEmail | None:
    """Write the email into the outbox in the caller's transaction; kick a worker after commit.

    Returns None when there is nobody to send to or the same dedupe_key was enqueued before.
    """
    to = sorted({address for address in to if address})
    if not to:
        return None
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(to=to, subject=subject[:300], text=text, html=html, dedupe_key=dedupe_key)
    except IntegrityError:
        return None
    transaction.on_commit(_kick_sender)
    return email


def _kick_sender() -> None:
    """Best effort: ask a worker to send now, from a thread so the request never waits on the broker
    (a refused Redis connection takes seconds of client retries). If the broker is down, the
    every-minute sweep sends it later."""
    threading.Thread(target=_publish_send_task, name="outbox-kick", daemon=True).start()


def _publish_send_task() -> None:
    from .tasks import send_pending_emails

    try:
        send_pending_emails.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001  (a broker outage must not fail anything)
        logger.warning("outbox: could not reach the broker, the periodic sweep will send: %s", exc)


def emails_send_pending(*, limit: int = 200) -> int:
    """Send what is due in the outbox. Safe to run in several workers at once (rows are claimed)."""
    sent = 0
    now = timezone.now()
    while sent < limit:
        with transaction.atomic():
            pending = OutboundEmail.objects.filter(sent_at__isnull=True).exclude(next_attempt_at__gt=now).order_by("id")
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            email = pending.first()
            if email is None:
                break
            message = EmailMultiAlternatives(email.subject, email.text, settings.DEFAULT_FROM_EMAIL, email.to)
            if email.html:
                message.attach_alternative(email.html, "text/html")
            email.attempts += 1
            try:
                message.send()
            except Exception as exc:  # noqa: BLE001  (SMTP and network errors: retry later with backoff)
                email.last_error = str(exc)[:2000]
                email.next_attempt_at = now + min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** min(email.attempts, 10)))
                email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                logger.warning("outbox: sending %s failed (attempt %s): %s", email.pk, email.attempts, exc)
                continue
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent


def email_staff(*, users, dedupe_key: str, render) -> int:
    """One mail per person, written in their language and with times in their time zone: `render()`
    returns (subject, text) and runs with both active (format times with timezone.localtime).
    Returns how many were enqueued."""
    from django.utils import translation

    from accounts.selectors import user_timezone

    sent = 0
    for user in users:
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(user_timezone(user)):
            subject, text = render()
        if email_enqueue(to=[user.email], subject=subject, text=text, dedupe_key=f"{dedupe_key}-to-{user.pk}"):
            sent += 1
    return sent
