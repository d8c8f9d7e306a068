"""What the drift jobs keep: their lock and the chunks of a re-score run (the runs themselves are
interactions.JobRun)."""

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


class RescoreChunk(models.Model):
    """One chunk of a re-score run: the candidate customers with ids in [first_id, last_id].

    Planned when the run starts; any worker may take one. A chunk commits its levels, their
    history and `done_at` in one transaction, and a chunk already done is skipped, so a chunk
    delivered twice writes once.
    """

    job_run = models.ForeignKey("interactions.JobRun", on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    customers = models.PositiveIntegerField()  # as planned
    done_at = models.DateTimeField(null=True, blank=True)
    examined = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("re-score chunk")
        ordering = ["job_run", "seq"]
        constraints = [models.UniqueConstraint(fields=["job_run", "seq"], name="rescore_chunk_once_per_seq")]
        indexes = [models.Index(fields=["job_run", "done_at"])]

    def __str__(self):
        return f"run {self.job_run_id} chunk {self.seq}: customers {self.first_id}..{self.last_id}"
