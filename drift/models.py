"""What the drift jobs keep: their lock and the materialized expectation profiles."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from interactions.levels import Level


class JobLock(models.Model):
    """A named lock with an expiry, held in the database so it works on PostgreSQL and SQLite alike.

    A run extends it with every chunk it commits; a run that died stops extending it and the next
    run takes it over once it has expired.
    """

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=120)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")

    def __str__(self):
        return f"{self.name} held by {self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class ExpectationStanding(models.Model):
    """One line of a customer's expectation profile as of `updated_at`, kept current by the re-score job.

    Only gestures the customer received inside the team's familiarity window have a row; a gesture
    without one was never received (or has left the window) and still lands at its full level.
    Reports and lists read this table; one customer's page may compute the live profile instead
    (`interactions.selectors.expectation_profile`), which agrees with it after every run.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("interactions.Customer", on_delete=models.CASCADE, related_name="standings")
    gesture = models.ForeignKey("interactions.Gesture", on_delete=models.CASCADE, related_name="standings")
    deliveries_in_window = models.PositiveIntegerField()
    effective_base_level = models.PositiveSmallIntegerField(choices=Level.choices)
    standing = models.PositiveSmallIntegerField(choices=Level.choices)
    next_level = models.PositiveSmallIntegerField(choices=Level.choices)
    # The cap omitting this gesture would put on a level (recurring gestures at Expected or below).
    omission_cap = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    # When the earliest delivery in the window leaves it: the standing moves with time alone then.
    changes_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["customer", "gesture"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "gesture"], name="standing_once_per_customer_gesture"),
        ]
        indexes = [
            models.Index(fields=["changes_at"], name="standing_changes_at"),
            models.Index(fields=["team", "gesture", "standing"], name="standing_team_gesture"),
        ]

    def __str__(self):
        return f"{self.customer_id}/{self.gesture_id}: {self.standing} ({self.deliveries_in_window} in window)"
