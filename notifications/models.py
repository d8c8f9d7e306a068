from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One email to send. Written in the same transaction as the change it reports.

    It is waiting until `sent_at` is set, or until `dead_at` is: a dead letter, given up after
    OUTBOX_MAX_ATTEMPTS failures or at once when it can never be sent (an invalid header).

    Either written rendered (subject, text, html, headers), or with what to render (`render`, the
    name of a renderer an app registered, and its `render_args`): the sender renders it, stores the
    result in the row and sends it (`notifications.services.email_enqueue_to_render`).
    """

    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    # Extra headers, e.g. the one-click unsubscribe (List-Unsubscribe, List-Unsubscribe-Post).
    headers = models.JSONField(default=dict, blank=True)
    # Still to be rendered by the sender: the renderer's name ("" once rendered) and its arguments (ids).
    # Defaults in the database too: the code of the release before writes rows without them.
    render = models.CharField(max_length=100, blank=True, default="", db_default="")
    render_args = models.JSONField(null=True, blank=True)
    # Same key, same email: a second enqueue of the same event adds nothing.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(sent_at__isnull=True, dead_at__isnull=True),
                name="outbox_waiting",
            ),
            models.Index(fields=["-dead_at"], condition=models.Q(dead_at__isnull=False), name="outbox_dead"),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class Notification(models.Model):
    """A message to one person in the app (the bell): a case assigned to them, an escalation, a bend
    waiting for them or decided. Written in their language, with times in their time zone, in the
    same transaction as the change it reports; usually an email with the same words goes too."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(max_length=32)  # named by the app that tells: case.assigned, bend.decided, ...
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # the web page it is about
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Same event, same person: one notification, however often the event is reported.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.title}"
