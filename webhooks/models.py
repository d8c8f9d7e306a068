import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    INTERACTION_LOGGED = "interaction.logged", _("An interaction was logged")
    INTERACTION_LEVEL_CHANGED = "interaction.level_changed", _("An interaction's level changed")
    CASE_OPENED = "case.opened", _("A recovery case opened")
    CASE_FIXED = "case.fixed", _("A recovery case was fixed")
    CASE_SURPRISED = "case.surprised", _("A recovery case's customer was surprised")
    CASE_CLOSED = "case.closed", _("A recovery case closed")
    CASE_ESCALATED = "case.escalated", _("A recovery case was escalated")
    BEND_REQUESTED = "bend.requested", _("A rule bend was asked for")
    BEND_DECIDED = "bend.decided", _("A rule bend was decided")
    REPORT_SENT = "report.sent", _("The weekly report was sent")


# Not an event one subscribes to: the test message a manager sends to one subscription.
PING = "webhook.ping"


class WebhookSubscription(models.Model):
    """A team's URL that hears about the events it names, signed with its own secret."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    # The Standard Webhooks secret ("whsec_" + base64): the app signs with it, so it is kept; the API
    # shows it once, in the answer that created it.
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The first failed attempt since the last success: failing for 24 hours switches it off.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["team", "id"]
        indexes = [models.Index(fields=["team", "active"])]

    def __str__(self):
        return f"{self.team_id} → {self.url}"


class WebhookEvent(models.Model):
    """Something that happened, as the subscribers get it: written in the transaction of the change."""

    # The Standard Webhooks message id (`webhook-id`): the same on every attempt and every resend.
    public_id = models.CharField(max_length=40, unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.public_id} {self.type}"

    @staticmethod
    def new_public_id() -> str:
        return f"msg_{uuid.uuid4().hex}"

    def body(self) -> dict:
        return {"id": self.public_id, "type": self.type, "created_at": self.created_at.isoformat(), "data": self.data}


class WebhookDelivery(models.Model):
    """One event on its way to one subscription: retried until it succeeds or 24 hours have passed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Given up")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it may be tried next; while an attempt runs, the end of its lease (a lost worker's
    # delivery is tried again after it).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The first attempt of the current round (a resend starts a new round): the retries stop 24 hours after it.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event")]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=models.Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["subscription", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.subscription_id} {self.status}"


DeliveryStatus = WebhookDelivery.Status  # named for the API schema's enum


class WebhookAttempt(models.Model):
    """One try at sending a delivery: when, what came back, how long it took. Never rewritten."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # The first characters of the answer, or why there was none (refused address, timeout).
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["delivery", "at"])]

    def __str__(self):
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S} → {self.status_code or self.error}"
