from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One change of who may do what (roles, approval limits, team membership, accounts switched on
    or off) or of a team's settings: who, when, old and new value. Append-only in PostgreSQL.

    The actor and team are kept as ids without a foreign-key constraint, and the actor's username
    beside it, so an entry outlives the user or team it names."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["-at", "-id"], name="audit_entry_newest")]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.subject}"
