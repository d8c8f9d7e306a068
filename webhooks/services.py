"""Outbound webhooks: subscriptions, the events they hear, and each delivery's attempts.

An event is written in the transaction of the change that caused it, with one delivery per
subscription that names its type; after commit a worker sends each delivery on its own (a slow
receiver holds up only its own delivery), signed as the Standard Webhooks specification says, with
the `standardwebhooks` library. A failure is retried on the schedule in `schedule.py`.
"""

import base64
import json
import logging
import secrets
import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from core.errors import StateConflict
from accounts.models import Team, User
from accounts.selectors import user_manages, user_timezone
from audit.services import audit_changes, audit_record
from notifications.services import email_staff

from . import sending
from .address_guard import AddressRefused, url_resolve
from .models import PING, EventType, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from .schedule import DISABLE_AFTER, GIVE_UP_AFTER, retry_pause
from .subscribers import team_subscribers

logger = logging.getLogger(__name__)

# Retries this soon are handed to the worker with a countdown; later ones wait for the sweep.
COUNTDOWN_LIMIT = timedelta(minutes=5)


def _secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _clean(*, url: str, events, check_url: bool = True) -> tuple[str, list[str]]:
    errors = {}
    url = (url or "").strip()
    if not check_url:
        pass
    elif not url:
        errors["url"] = [_("This field is required.")]
    elif len(url) > 500:
        errors["url"] = [_("At most 500 characters.")]
    else:
        try:
            url_resolve(url)
        except AddressRefused as exc:
            errors["url"] = [str(exc)]
    if not isinstance(events, (list, tuple)) or not events:
        errors["events"] = [_("Choose at least one event.")]
        events = []
    unknown = [e for e in events if e not in EventType.values]
    if unknown:
        errors["events"] = [_("Unknown event(s): %(events)s.") % {"events": ", ".join(map(str, unknown))}]
    if errors:
        raise ValidationError(errors)
    return url, [e for e in EventType.values if e in events]


def _may_manage(actor: User, team_id: int) -> None:
    if not user_manages(actor, team_id):
        raise PermissionDenied(_("Only the team's managers can manage its webhooks."))


@transaction.atomic
def subscription_create(*, actor: User, team: Team, url: str, events, active: bool = True) -> WebhookSubscription:
    """Subscribe a URL to events. The URL is resolved now and refused when it reaches a private address."""
    _may_manage(actor, team.id)
    url, events = _clean(url=url, events=events)
    subscription = WebhookSubscription.objects.create(
        team=team, url=url, events=events, active=active, secret=_secret_new(), created_by=actor
    )
    audit_record(actor=actor, action="webhook.created", subject=f"webhook {subscription.pk}", new=url, team_id=team.id)
    return subscription


@transaction.atomic
def subscription_update(*, actor: User, subscription: WebhookSubscription, changes: dict) -> WebhookSubscription:
    """Change the URL, the events or switch it on and off. Switching it on again forgets its failures."""
    _may_manage(actor, subscription.team_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    changes = {k: v for k, v in changes.items() if k in ("url", "events", "active")}
    before = {field: getattr(subscription, field) for field in changes}
    url, events = _clean(
        url=changes.get("url", subscription.url), events=changes.get("events", subscription.events),
        check_url=changes.get("url", subscription.url) != subscription.url,  # it is checked again at every send anyway
    )
    subscription.url, subscription.events = url, events
    if "active" in changes:
        if changes["active"] and not subscription.active:
            subscription.failing_since = None
            subscription.disabled_at = None
            subscription.disabled_reason = ""
        subscription.active = bool(changes["active"])
    subscription.save()
    audit_changes(
        actor=actor, kind="webhook", subject=f"webhook {subscription.pk}", before=before,
        after={field: getattr(subscription, field) for field in changes}, team_id=subscription.team_id,
    )
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: WebhookSubscription) -> None:
    _may_manage(actor, subscription.team_id)
    audit_record(actor=actor, action="webhook.deleted", subject=f"webhook {subscription.pk}", old=subscription.url, team_id=subscription.team_id)
    subscription.delete()


# --- Events --------------------------------------------------------------------------------------


def events_record(*, team_id: int, event_type: str, data) -> list[WebhookEvent]:
    """Write the events of one type for one team, each with a delivery per subscriber, in the
    caller's transaction; the worker sends them after commit. `data`: a callable returning the
    list of objects (as the API shows them), called only when somebody listens. Who listens comes
    from the cache (`subscribers.py`): no query when nobody does."""
    subscribers = team_subscribers(team_id, event_type)
    if not subscribers:
        return []
    now = timezone.now()
    with transaction.atomic():
        events = WebhookEvent.objects.bulk_create(
            WebhookEvent(public_id=WebhookEvent.new_public_id(), team_id=team_id, type=event_type, created_at=now, data=item)
            for item in _as_json(data())
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(subscription_id=pk, event=event, next_attempt_at=now) for event in events for pk in subscribers
        )
    _kick_after_commit([d.pk for d in deliveries])
    return events


def _as_json(items: list) -> list:
    """Plain JSON (dates as ISO text, decimals as strings), as the API would send it."""
    return json.loads(json.dumps(list(items), cls=DjangoJSONEncoder))


def _kick_after_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: _kick(delivery_ids))


def _kick(delivery_ids: list[int]) -> None:
    """Best effort, from a thread so the request never waits on the broker; if the broker is down,
    the every-minute sweep sends them."""
    threading.Thread(target=_publish, args=(delivery_ids,), name="webhooks-kick", daemon=True).start()


def _publish(delivery_ids: list[int], countdown: float | None = None) -> None:
    from .tasks import deliver

    try:
        for pk in delivery_ids:
            deliver.apply_async(args=[pk], countdown=countdown, retry=False)
    except Exception as exc:  # noqa: BLE001  (a broker outage must not fail anything)
        logger.warning("webhooks: could not reach the broker, the sweep will send: %s", exc)


# --- Sending -------------------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)


def event_signed(event: WebhookEvent, secret: str, *, at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and the three Standard Webhooks headers, signed with the subscription's secret."""
    body = json.dumps(event.body(), separators=(",", ":"), cls=DjangoJSONEncoder)
    at = (at or timezone.now()).astimezone(UTC)
    signature = Webhook(secret).sign(msg_id=event.public_id, timestamp=at, data=body)
    headers = {"webhook-id": event.public_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature}
    return body.encode(), headers


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookAttempt | None:
    """Try one delivery if it is due: claim it, send it, log the attempt and plan the next one.

    None when it is not due (sent, given up, claimed by another worker, its subscription off). Safe to
    call twice at once: only one claim wins. A worker lost mid-send leaves the claim to run out."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, subscription__active=True
    )
    if not WebhookDelivery.objects.filter(pk__in=due.values("pk")).update(next_attempt_at=now + _lease()):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    body, headers = event_signed(delivery.event, delivery.subscription.secret)
    outcome = sending.post(url=delivery.subscription.url, body=body, headers=headers)
    return _attempt_record(delivery_id=delivery_id, outcome=outcome, at=now)


@transaction.atomic
def _attempt_record(*, delivery_id: int, outcome: sending.Outcome, at: datetime) -> WebhookAttempt:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, at=at, status_code=outcome.status_code, duration_ms=outcome.duration_ms,
        response_excerpt=outcome.excerpt[:500], error=outcome.error[:300], succeeded=outcome.succeeded,
    )
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or at
    if outcome.succeeded:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = at
        delivery.next_attempt_at = None
        if subscription.failing_since is not None:
            subscription.failing_since = None
            subscription.save(update_fields=["failing_since"])
    else:
        pause = retry_pause(delivery.attempts)
        if pause is None or at + pause - delivery.first_attempt_at > GIVE_UP_AFTER:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = at + pause
            # A receiver that is down would fail its other waiting deliveries too: they wait with this one
            # instead of each taking a worker for a timeout.
            WebhookDelivery.objects.filter(
                subscription_id=subscription.pk, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=at
            ).exclude(pk=delivery.pk).update(next_attempt_at=delivery.next_attempt_at)
            if pause <= COUNTDOWN_LIMIT:
                transaction.on_commit(lambda: _publish([delivery_id], countdown=pause.total_seconds()))
        if subscription.failing_since is None:
            subscription.failing_since = at
            subscription.save(update_fields=["failing_since"])
        elif subscription.active and at - subscription.failing_since >= DISABLE_AFTER:
            _subscription_disable(subscription, at=at)
    delivery.save(update_fields=["status", "attempts", "first_attempt_at", "delivered_at", "next_attempt_at"])
    return attempt


def _subscription_disable(subscription: WebhookSubscription, *, at: datetime) -> None:
    """Failing for 24 hours: switched off, its waiting deliveries given up, its creator told by email."""
    subscription.active = False
    subscription.disabled_at = at
    subscription.disabled_reason = "Every delivery failed for 24 hours."
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason"])
    WebhookDelivery.objects.filter(subscription_id=subscription.pk, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    audit_record(actor=None, action="webhook.disabled", subject=f"webhook {subscription.pk}", new=subscription.disabled_reason,
                 team_id=subscription.team_id)
    creator = subscription.created_by
    if creator is None:
        return
    page = f"{settings.SITE_URL}{reverse('webhooks:detail', args=[subscription.team_id, subscription.pk])}"

    def render():
        subject = _("Webhook switched off: %(url)s") % {"url": subscription.url}
        text = _(
            "Every delivery to %(url)s has failed since %(since)s, so it was switched off and receives "
            "no more events.\n\nSee its attempts, fix the receiver and switch it on again: %(page)s"
        ) % {"url": subscription.url, "since": timezone.localtime(subscription.failing_since).strftime("%Y-%m-%d %H:%M %Z"), "page": page}
        return subject, text

    email_staff(users=[creator], dedupe_key=f"webhook-disabled-{subscription.pk}-{at:%Y%m%d%H%M%S}", render=render,
                timezone_of=user_timezone)


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, subscription__active=True
        ).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )


def deliveries_send_due(*, now: datetime | None = None) -> int:
    """The sweep (every minute): hand each due delivery to the workers, one task each."""
    due = deliveries_due(now=now)
    _publish(due)
    return len(due)


# --- A manager's buttons -------------------------------------------------------------------------


def _check_active(subscription: WebhookSubscription) -> None:
    if not subscription.active:
        raise StateConflict(_("This webhook is switched off: switch it on first."), code="webhook_inactive")


@transaction.atomic
def delivery_resend(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, with the same webhook-id, whatever came of it before."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    _may_manage(actor, delivery.subscription.team_id)
    _check_active(delivery.subscription)
    now = timezone.now()
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.first_attempt_at = None
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "attempts", "first_attempt_at", "next_attempt_at"])
    audit_record(actor=actor, action="webhook.resent", subject=f"webhook {delivery.subscription_id}", new=f"delivery {delivery.pk}",
                 team_id=delivery.subscription.team_id)
    _kick_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def subscription_ping(*, actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    """A test event (`webhook.ping`) to this one subscription."""
    _may_manage(actor, subscription.team_id)
    _check_active(subscription)
    now = timezone.now()
    event = WebhookEvent.objects.create(
        public_id=WebhookEvent.new_public_id(), team_id=subscription.team_id, type=PING, created_at=now,
        data={"subscription": subscription.pk, "team": subscription.team_id},
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=event, next_attempt_at=now)
    _kick_after_commit([delivery.pk])
    return delivery
