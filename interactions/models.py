from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import LANGUAGE_CHOICES

from .levels import Channel, Level


class Customer(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_channel = models.CharField(_("preferred channel"), max_length=16, choices=Channel.choices, blank=True)
    preferences = models.TextField(_("preferences"), blank=True, max_length=2000)
    personal_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("personal contact"),
    )
    # [{"label": "Anniversary", "date": "06-14"}]: month-day, year optional.
    special_dates = models.JSONField(_("special dates"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en", choices=LANGUAGE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)
    # Earliest occurred_at from which this customer's levels must be re-scored (late facts); the
    # incremental re-score picks it up and clears it.
    rescore_from = models.DateTimeField(null=True, blank=True, editable=False)
    # The customer's voice (docs/voice.md): no more rating requests once they opt out (mails about their
    # own case still go); when they were last asked, for the fatigue guard; their one-click unsubscribe
    # link, kept like the feedback links (a nonce, and only the digest of the token), made when first mailed.
    contact_opt_out = models.BooleanField(_("no rating requests"), default=False)
    contact_opt_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    rating_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    unsubscribe_nonce = models.CharField(max_length=32, blank=True, default="", editable=False)
    unsubscribe_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["team", "name"]),
            models.Index(fields=["rescore_from"], condition=models.Q(rescore_from__isnull=False), name="customer_rescore_pending"),
        ]
        constraints = [models.UniqueConstraint(fields=["unsubscribe_digest"], name="customer_unsubscribe_digest_unique")]

    def __str__(self):
        return self.name


class OccasionKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Anniversary")
    CELEBRATION = "celebration", _("Celebration")
    OTHER = "other", _("Other occasion")


class Gesture(models.Model):
    """Something extra a team can do for a customer; lifts the level only when the promise was kept."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="gestures")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    base_level = models.PositiveSmallIntegerField(
        _("base level"),
        choices=[(Level.SURPRISING, Level.SURPRISING.label), (Level.UNBELIEVABLE, Level.UNBELIEVABLE.label)],
        default=Level.SURPRISING,
    )
    recurring = models.BooleanField(_("recurring"), default=False, help_text=_("Offered at every visit, like the bread basket."))
    # Where it is offered (channel values). Leaving a recurring gesture out counts only on these
    # channels: an email omits no bread basket. A recurring gesture names at least one.
    channels = models.JSONField(_("channels"), default=list, blank=True, help_text=_("Where it is offered, e.g. in person."))
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When base_level or recurring last changed (a correction): the incremental re-score uses it.
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="gesture_unique_name_per_team"),
            models.CheckConstraint(condition=models.Q(base_level__in=[5, 6]), name="gesture_base_level_5_or_6"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="gesture_cost_not_negative"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        channels = self.channels
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
            raise ValidationError({"channels": [_("Choose channels from: %(channels)s.") % {"channels": ", ".join(Channel.values)}]})
        self.channels = [c for c in Channel.values if c in channels]  # one order, no repeats
        if self.recurring and not self.channels:
            raise ValidationError({"channels": [_("A recurring gesture names the channels where it is offered.")]})


class GestureDrift(models.Model):
    """A time-stamped change of a gesture's effective base level (org-wide drift, rubric rule 6).

    The effective base level at time t is `base_level + offset` of the latest row with
    effective_from <= t (offset 0 before the first row). Storing the offset, not the level, keeps a
    manager's correction of base_level retroactive while drift stays time-stamped.
    """

    gesture = models.ForeignKey(Gesture, on_delete=models.CASCADE, related_name="drifts")
    effective_from = models.DateTimeField()
    offset = models.SmallIntegerField(default=-1)
    previous_offset = models.SmallIntegerField(default=0)
    share = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    customers_reached = models.PositiveIntegerField(default=0)
    customers_served = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["gesture", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["gesture", "effective_from"], name="gesture_drift_unique_date"),
            models.CheckConstraint(condition=models.Q(offset__lte=0), name="gesture_drift_only_down"),
        ]

    def __str__(self):
        return f"{self.gesture} {self.offset:+d} from {self.effective_from:%Y-%m-%d}"


class Interaction(models.Model):
    # No single-column indexes on team and customer: the (team, ...) and (customer, occurred_at)
    # indexes below serve those look-ups, and every index is paid for by every log.
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="interactions", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="interactions", db_index=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    promise_kept = models.BooleanField(_("promise kept"), default=True)
    issues = models.JSONField(_("issues"), default=list, blank=True)
    matched_preference = models.BooleanField(_("matched preference"), default=False)
    gestures = models.ManyToManyField(Gesture, through="GestureDelivery", related_name="interactions", blank=True)

    assessed_level = models.PositiveSmallIntegerField(choices=Level.choices)
    customer_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # Recurring gestures this customer expected and did not get here (rubric rule 5).
    omitted_gestures = models.JSONField(default=list, blank=True)
    # Why the rubric gave the assessed level: scoring.Reason, encoded (interactions.reasons words it).
    reason = models.TextField(blank=True, default="")
    customer_comment = models.TextField(blank=True, max_length=2000)
    # An occasion the customer mentioned (a 25th wedding anniversary asked about at booking); the
    # radar lists it from its Occasion row.
    occasion_kind = models.CharField(_("occasion"), max_length=16, blank=True, choices=OccasionKind.choices, default="", db_default="")
    occasion_date = models.DateField(_("occasion date"), null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # When the customer was asked by email to rate it (at most once; docs/voice.md).
    rating_requested_at = models.DateTimeField(null=True, blank=True)

    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    feedback_nonce = models.CharField(max_length=32, editable=False)
    feedback_digest = models.CharField(max_length=64, editable=False)  # unique: see Meta.constraints

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The lists' pages (newest first by id, per team): a small team's first page reads its
            # own rows, not past every other team's newest ones.
            models.Index(fields=["team", "-id"], name="interaction_team_newest"),
            models.Index(fields=["team", "-occurred_at"]),
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["team", "level", "occurred_at"]),
            # The rating-request job reads the recent interactions nobody was asked about yet.
            models.Index(
                fields=["occurred_at"], condition=models.Q(rating_requested_at__isnull=True, customer_level__isnull=True),
                name="interaction_rating_unasked",
            ),
            # The "What customers said" panel: the teams' latest ratings.
            models.Index(fields=["team", "-rated_at"], condition=models.Q(rated_at__isnull=False), name="interaction_rated_recent"),
            # The weekly report's voice figures: a team's interactions asked for a rating in the week
            # (without it, PostgreSQL read the whole table for them). Partial: a log is not asked yet,
            # so logging writes no entry here.
            models.Index(
                fields=["team", "rating_requested_at"], condition=models.Q(rating_requested_at__isnull=False),
                name="interaction_asked_recent",
            ),
        ]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL gets the one index equality needs,
            # without the second (LIKE) index Django adds for a unique CharField.
            models.UniqueConstraint(fields=["feedback_digest"], name="interaction_feedback_digest_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=6), name="interaction_level_1_6"),
            models.CheckConstraint(condition=models.Q(assessed_level__gte=1, assessed_level__lte=6), name="interaction_assessed_1_6"),
            models.CheckConstraint(
                condition=models.Q(customer_level__isnull=True) | models.Q(customer_level__gte=1, customer_level__lte=6),
                name="interaction_customer_level_1_6",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.customer_id} {self.get_level_display()}"


class GestureDelivery(models.Model):
    """A gesture given to a customer; what the escalator counts. Given in an interaction, or on its
    own (a recovery surprise: no interaction, the case points at the delivery)."""

    # Each foreign key is the first column of a composite index below: no index of its own.
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    gesture = models.ForeignKey(Gesture, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    # Copies of the interaction's customer and time, so the window count is one indexed aggregate.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    delivered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["interaction", "gesture"], name="delivery_once_per_interaction")]
        indexes = [
            models.Index(fields=["customer", "gesture", "delivered_at"]),
            models.Index(fields=["gesture", "delivered_at"]),
        ]

    def __str__(self):
        return f"{self.gesture_id} → {self.customer_id} at {self.delivered_at:%Y-%m-%d}"


class LevelChange(models.Model):
    """Every change of an interaction's level: old, new, reason, time. Never rewritten."""

    class Cause(models.TextChoices):
        LOGGED = "logged", _("Logged")
        CUSTOMER_RATING = "customer_rating", _("Customer rating")
        RESCORE = "rescore", _("Re-score")
        CORRECTION = "correction", _("Correction")
        # History brought in from another tool (CSV import): scored, but it opens no recovery case.
        IMPORTED = "imported", _("Imported")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="level_changes", db_index=False)
    old_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    new_level = models.PositiveSmallIntegerField(choices=Level.choices)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_run = models.ForeignKey("interactions.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="level_changes")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            # A resumed job never writes the same row's change twice.
            models.UniqueConstraint(fields=["interaction", "job_run"], condition=models.Q(job_run__isnull=False), name="level_change_once_per_job_run"),
        ]
        indexes = [models.Index(fields=["interaction", "changed_at"])]

    def __str__(self):
        return f"{self.interaction_id}: {self.old_level} → {self.new_level} ({self.cause})"


class InteractionCorrection(models.Model):
    """A correction of an interaction's facts: who, when, the facts before and after. Never rewritten."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="corrections")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    old_facts = models.JSONField()
    new_facts = models.JSONField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.interaction_id} corrected at {self.at:%Y-%m-%d %H:%M}"


class JobRun(models.Model):
    """One run of a background job (re-score, drift): progress, outcome, checkpoint to resume from."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (another run was busy)")

    kind = models.CharField(max_length=40)
    mode = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveBigIntegerField(default=0)
    done = models.PositiveBigIntegerField(default=0)
    rows_examined = models.PositiveBigIntegerField(default=0)
    rows_changed = models.PositiveBigIntegerField(default=0)
    checkpoint = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "-started_at"])]

    def __str__(self):
        return f"{self.kind} {self.status} {self.done}/{self.total}"

    @property
    def progress(self) -> float:
        return round(self.done / self.total, 4) if self.total else (1.0 if self.status != self.Status.RUNNING else 0.0)


class Occasion(models.Model):
    """A date worth a gesture: a customer's special date (every year: `year` empty) or an occasion
    noted on an interaction (once, in its year). Kept as month and day so the radar finds the next
    14 days with one indexed look-up, across the turn of the year."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="occasions", db_index=False)
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="occasions", db_index=False)
    kind = models.CharField(max_length=16, choices=OccasionKind.choices, default=OccasionKind.OTHER)
    label = models.CharField(max_length=80, blank=True)
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # empty: every year

    class Meta:
        ordering = ["month", "day", "id"]
        indexes = [
            models.Index(fields=["team", "month", "day"]),
            models.Index(fields=["customer"]),
            models.Index(fields=["interaction"], condition=models.Q(interaction__isnull=False), name="occasion_of_interaction"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31), name="occasion_month_day"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.kind} {self.month:02d}-{self.day:02d}"
