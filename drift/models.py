"""What the drift jobs keep: their lock (the runs themselves are interactions.JobRun)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
