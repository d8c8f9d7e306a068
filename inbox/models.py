from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InboxItem(models.Model):
    """A customer's email conversation waiting in the team's inbox: not scored, and no case, until
    someone ticks its facts (then it is an interaction)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be assessed")
        ASSESSED = "assessed", _("Assessed")
        DISMISSED = "dismissed", _("Dismissed")

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="inbox_items")
    customer = models.ForeignKey("interactions.Customer", on_delete=models.PROTECT, related_name="inbox_items")
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()
    # A reply to a conversation that was already assessed starts a new item that follows it.
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.OneToOneField(
        "interactions.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_item"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["team", "status", "-id"])]

    def __str__(self):
        return f"#{self.pk} {self.subject[:40]} ({self.status})"


ItemStatus = InboxItem.Status  # named for the API schema's enum


class InboxMessage(models.Model):
    """One received email, as text. Attachments are named and counted, never kept."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="messages")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255)
    in_reply_to = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    from_address = models.EmailField()
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    body = models.TextField(blank=True)
    body_truncated = models.BooleanField(default=False)
    from_html = models.BooleanField(default=False)
    attachments = models.JSONField(default=list, blank=True)  # [{"name", "content_type", "size"}]
    attachment_count = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=30)  # "imap", or the provider's name ("Mailgun")

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "message_id"], name="inbox_message_once_per_team")]

    def __str__(self):
        return f"{self.message_id} from {self.from_address}"
