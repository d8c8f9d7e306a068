"""The outbox: enqueue email with the change that causes it; a worker sends it after commit."""

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from core.db import insert_unless_present

from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
# Control characters (CR and LF above all) would split a header line: a subject is one line of text.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """A header value as one clean line: runs of control characters become one space."""
    return _CONTROL_CHARACTERS.sub(" ", value or "").strip()


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str = ""
    headers: dict = field(default_factory=dict)


# name -> renderer(args) -> RenderedEmail, registered by the apps above (their AppConfig.ready).
_RENDERERS: dict[str, Callable[[dict], RenderedEmail]] = {}


def email_renderer_register(name: str, renderer: Callable[[dict], RenderedEmail]) -> None:
    """Let the sender render the outbox rows written with `render=name` (`email_enqueue_to_render`)."""
    _RENDERERS[name] = renderer


def _headers_clean(headers: dict | None) -> dict:
    return {name: one_line(value) for name, value in (headers or {}).items()}


def email_enqueue(
    *, to: list[str], subject: str, text: str, html: str = "", dedupe_key: str | None = None,
    headers: dict | None = None, not_before=None,
) -> OutboundEmail | None:
    """Write the email into the outbox in the caller's transaction; kick a worker after commit.

    `headers`: extra headers (one line each); `not_before`: hold it until then (quiet hours).
    Returns None when there is nobody to send to or the same dedupe_key was enqueued before.
    """
    return _enqueue(
        to=to, subject=one_line(subject)[:300], text=text, html=html, headers=_headers_clean(headers),
        dedupe_key=dedupe_key, not_before=not_before,
    )


def email_enqueue_to_render(
    *, to: list[str], render: str, args: dict, dedupe_key: str | None = None, not_before=None
) -> OutboundEmail | None:
    """Like `email_enqueue`, for a mail the sender renders: the row holds the registered renderer's
    name and its JSON `args` (ids), and the sender renders it just before the first attempt. The
    mail is as guaranteed as a rendered one (the row is written in the caller's transaction); the
    caller's request skips the rendering (templates, translations, links)."""
    return _enqueue(to=to, subject="", text="", render=render, render_args=args, dedupe_key=dedupe_key, not_before=not_before)


def _enqueue(*, to: list[str], not_before, **fields) -> OutboundEmail | None:
    to = sorted({address for address in to if address})
    if not to:
        return None
    email = OutboundEmail(to=to, next_attempt_at=not_before, **fields)
    if not insert_unless_present(email):  # one statement; the dedupe key was enqueued before
        return None
    if not_before is None or not_before <= timezone.now():
        transaction.on_commit(_kick_sender)
    return email


def _render(email: OutboundEmail) -> None:
    """Render a row written to be rendered, into the row (saved with the attempt: a retry sends the same mail)."""
    rendered = _RENDERERS[email.render](email.render_args)
    email.subject, email.text, email.html = one_line(rendered.subject)[:300], rendered.text, rendered.html
    email.headers = _headers_clean(rendered.headers)
    email.render = ""


KICKS_APART = 0.05  # seconds between two publishes: the kicks in between share the next one
_kicker = {"pid": None, "wanted": None}
_kicker_lock = threading.Lock()


def _kick_sender() -> None:
    """Best effort: ask a worker to send now. A thread of the process's own publishes, so the request
    never waits on the broker (a refused Redis connection takes seconds of client retries); kicks that
    come while it publishes share its next publish (the worker sends everything due), where a thread
    and a publish per mail cost half a millisecond of CPU each. If the broker is down, the
    every-minute sweep sends it later."""
    wanted = _kicker["wanted"]
    if _kicker["pid"] != os.getpid():  # first kick of this process (a forked worker starts its own)
        with _kicker_lock:
            if _kicker["pid"] != os.getpid():
                wanted = threading.Event()
                threading.Thread(target=_kicks_publish, args=(wanted,), name="outbox-kick", daemon=True).start()
                _kicker.update(pid=os.getpid(), wanted=wanted)
            wanted = _kicker["wanted"]
    wanted.set()


def _kicks_publish(wanted: threading.Event) -> None:
    while True:
        wanted.wait()
        wanted.clear()  # a kick from now on asks for the next publish: none is lost
        try:
            _publish_send_task()
        except Exception:  # the thread outlives any failure; the sweep is the backstop
            logger.exception("outbox: the kick failed")
        time.sleep(KICKS_APART)


def _publish_send_task() -> None:
    from .tasks import send_pending_emails

    try:
        send_pending_emails.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001  (a broker outage must not fail anything)
        logger.warning("outbox: could not reach the broker, the periodic sweep will send: %s", exc)


def emails_waiting():
    return OutboundEmail.objects.filter(sent_at__isnull=True, dead_at__isnull=True)


def emails_dead():
    return OutboundEmail.objects.filter(dead_at__isnull=False)


def _never_sendable(exc: Exception) -> bool:
    """Errors no retry can cure: a header Django refuses, a value the message cannot be built from."""
    return isinstance(exc, (BadHeaderError, ValueError, TypeError, UnicodeError))


def emails_send_pending(*, limit: int = 200) -> int:
    """Send what is due in the outbox. Safe to run in several workers at once (rows are claimed).

    A failure is retried with backoff up to OUTBOX_MAX_ATTEMPTS attempts; after that, or at once for
    an email that can never be sent, it becomes a dead letter (on the jobs page and in /healthz)."""
    sent = 0
    now = timezone.now()
    handled = 0
    while handled < limit:
        with transaction.atomic():
            pending = emails_waiting().exclude(next_attempt_at__gt=now).order_by("id")
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            email = pending.first()
            if email is None:
                break
            handled += 1
            email.attempts += 1
            rendered = []
            try:
                if email.render:
                    with transaction.atomic():  # a database error while rendering leaves this transaction usable
                        _render(email)
                    rendered = ["subject", "text", "html", "headers", "render"]
                message = EmailMultiAlternatives(
                    email.subject, email.text, settings.DEFAULT_FROM_EMAIL, email.to, headers=email.headers or None
                )
                if email.html:
                    message.attach_alternative(email.html, "text/html")
                message.send()
            except Exception as exc:  # noqa: BLE001  (SMTP and network errors: retry later with backoff)
                email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if _never_sendable(exc) or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                    email.dead_at = timezone.now()
                    email.next_attempt_at = None
                    logger.error("outbox: email %s is a dead letter after %s attempts: %s", email.pk, email.attempts, exc)
                else:
                    email.next_attempt_at = now + min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** min(email.attempts, 10)))
                    logger.warning("outbox: sending %s failed (attempt %s): %s", email.pk, email.attempts, exc)
                email.save(update_fields=["attempts", "last_error", "next_attempt_at", "dead_at", *rendered])
                continue
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "sent_at", *rendered])
            sent += 1
    return sent


def email_staff(*, users, dedupe_key: str, render, timezone_of) -> int:
    """One mail per person, written in their language and with times in their time zone: `render()`
    returns (subject, text) and runs with both active (format times with timezone.localtime);
    `timezone_of(user)` says the zone (accounts.selectors.user_timezone). Returns how many were enqueued."""
    from django.utils import translation

    sent = 0
    for user in users:
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(timezone_of(user)):
            subject, text = render()
        if email_enqueue(to=[user.email], subject=subject, text=text, dedupe_key=f"{dedupe_key}-to-{user.pk}"):
            sent += 1
    return sent


def email_retry_dead(*, email_ids) -> int:
    """An admin sends dead letters again (after fixing the SMTP settings or the address): fresh attempts."""
    count = emails_dead().filter(pk__in=email_ids).update(dead_at=None, attempts=0, next_attempt_at=None)
    if count:
        transaction.on_commit(_kick_sender)
    return count


# --- In the app: the bell -------------------------------------------------------------------


def staff_notify(*, users, kind: str, dedupe_key: str, render, timezone_of, url: str = "", email: bool = True) -> list:
    """Tell each of these people, once per event: a notification in the app and (with `email`) an
    email, both in their language and with times in their time zone. `render()` returns
    (title, text) and runs with both active; the text should carry `url` for the email reader.
    Written in the caller's transaction; returns the people told now (not those told before)."""
    from django.utils import translation

    from .models import Notification

    told = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(timezone_of(user)):
            title, text = render()
        key = f"{dedupe_key}-to-{user.pk}"
        notification = Notification(recipient=user, kind=kind, title=one_line(title)[:300], text=text, url=url, dedupe_key=key)
        if not insert_unless_present(notification):
            continue  # told before
        if email and user.email:
            email_enqueue(to=[user.email], subject=f"[{settings.SITE_NAME}] {title}", text=text, dedupe_key=key)
        told.append(user)
    return told


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read (these ids, or all); another person's ids change nothing."""
    from .selectors import notifications_of

    unread = notifications_of(user=user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.order_by().update(read_at=timezone.now())
