"""What the radar keeps: the team's ideas (everything else it shows is computed from the history)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Idea(models.Model):
    """A wow idea (a new gesture) or a rule someone finds dumb, with the story behind it."""

    class Kind(models.TextChoices):
        GESTURE = "gesture", _("Wow idea (a new gesture)")
        DUMB_RULE = "dumb_rule", _("Dumb rule")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    story = models.TextField(_("story"), max_length=4000)
    rule = models.ForeignKey("recovery.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="ideas")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    # An accepted wow idea becomes a draft gesture (inactive until a manager completes it).
    gesture = models.ForeignKey("interactions.Gesture", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "-proposed_at"]),
            models.Index(fields=["team", "proposed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="gesture", rule__isnull=True) | models.Q(kind="dumb_rule", rule__isnull=False),
                name="idea_rule_only_for_dumb_rules",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed", decided_at__isnull=True) | (~models.Q(status="proposed") & models.Q(decided_at__isnull=False)),
                name="idea_decided_when_not_proposed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
