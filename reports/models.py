from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyReportSend(models.Model):
    """The ledger of weekly report mailings: one row per team and ISO week, claimed before sending.

    The unique (team, iso_week) is what makes sending idempotent: a second run, a second beat, a
    redelivered task or a DST double hour finds the row and sends nothing new.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will be retried)")

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="weekly_report_sends")
    iso_week = models.CharField(_("ISO week"), max_length=8)  # "2026-W47"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Addresses that have received this report; a retry after a partial failure skips them.
    recipients = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-iso_week", "team_id"]
        constraints = [models.UniqueConstraint(fields=["team", "iso_week"], name="weekly_report_once_per_team_week")]

    def __str__(self):
        return f"{self.team_id} {self.iso_week} {self.status}"
