from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    INTERACTIONS = "interactions", _("Past interactions")


class ImportRun(models.Model):
    """One import that went in: who, when, which file, what it added. A refused file leaves none."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="import_runs")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    already_imported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.team_id} {self.kind} {self.at:%Y-%m-%d %H:%M}: {self.created} new"


class ImportedRecord(models.Model):
    """Which row of the other tool became which of ours: the external id a second import skips."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "external_id"], name="imported_once_per_external_id"),
        ]

    def __str__(self):
        return f"{self.kind} {self.external_id} → {self.object_id}"
