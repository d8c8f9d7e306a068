from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from interactions.levels import Level


class RecoveryCase(models.Model):
    """Fix it quickly, then surprise. Exactly one per Criminal or Basic interaction."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed")
        SURPRISED = "surprised", _("Surprised")
        CLOSED = "closed", _("Closed")

    # None only on a follow-up case: it opens on the customer's verdict on the recovery, not on an interaction.
    interaction = models.OneToOneField(
        "interactions.Interaction", null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_case"
    )
    customer = models.ForeignKey("interactions.Customer", on_delete=models.PROTECT, related_name="recovery_cases")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="recovery_cases", db_index=False)  # (team, ...) indexes below
    severity = models.PositiveSmallIntegerField(choices=[(Level.CRIMINAL, Level.CRIMINAL.label), (Level.BASIC, Level.BASIC.label)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # The one person in the team who sees it through (None until someone is assigned).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_cases", db_index=False
    )  # (owner, status) index below
    # A failed recovery (rated Basic or Criminal afterwards) opens a follow-up case linked to the first.
    follow_up_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    opened_at = models.DateTimeField()
    fix_due = models.DateTimeField()
    fixed_at = models.DateTimeField(null=True, blank=True)
    surprise_due = models.DateTimeField(null=True, blank=True)
    # What the customer reads about the fix (their mail and the status page); the fix's note stays internal.
    customer_message = models.TextField(blank=True, max_length=2000)
    surprised_at = models.DateTimeField(null=True, blank=True)
    # The surprise is a gesture delivery of its own (it counts on the escalator for the customer's
    # later interactions) and never a new interaction: no omission check, never a case of its own.
    surprise_gesture = models.ForeignKey(
        "interactions.Gesture", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    surprise_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)  # as perceived
    surprise_delivery = models.OneToOneField(
        "interactions.GestureDelivery", null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_case"
    )
    # Cases from before the surprise became a delivery: the interaction it was logged as.
    surprise_interaction = models.ForeignKey(
        "interactions.Interaction", null=True, blank=True, on_delete=models.PROTECT, related_name="surprise_for"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True, max_length=2000)
    escalated_at = models.DateTimeField(null=True, blank=True)  # the latest breach of an SLA
    # The escalation chain of the deadline that applies now: the owner is warned at warn_at (75% of
    # the SLA), the admins are told at admins_at (24 business hours after the due time).
    warn_at = models.DateTimeField(null=True, blank=True)
    admins_at = models.DateTimeField(null=True, blank=True)
    recovered_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    recovered_rated_at = models.DateTimeField(null=True, blank=True)
    status_nonce = models.CharField(max_length=32, editable=False)
    status_digest = models.CharField(max_length=64, editable=False)  # unique: see Meta.constraints
    recovered_nonce = models.CharField(max_length=32, editable=False)
    recovered_digest = models.CharField(max_length=64, editable=False)  # unique: see Meta.constraints

    class Meta:
        ordering = ["fix_due", "id"]
        indexes = [
            models.Index(fields=["team", "status", "fix_due"]),
            models.Index(fields=["status", "fix_due"], condition=models.Q(escalated_at__isnull=True), name="case_sla_watch"),
            models.Index(fields=["team", "opened_at"]),
            # The board and the dashboard read each state in its SLA order; the API lists newest first.
            models.Index(fields=["team", "status", "surprise_due"]),
            models.Index(fields=["team", "status", "-id"]),
            models.Index(fields=["team", "-escalated_at"], condition=models.Q(escalated_at__isnull=False), name="case_escalated_recent"),
            # The weekly report's recovery figures: cases fixed or closed in a week.
            models.Index(fields=["team", "fixed_at"]),
            models.Index(fields=["team", "closed_at"]),
            # "My cases", and the SLA check's next look at the active cases.
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["status", "warn_at"], name="case_chain_watch"),
            # The weekly report's SLA and recovered-rating figures: cases due or rated in the week, so
            # every branch of its one aggregate reads an index range of the week, not all the team's cases.
            models.Index(fields=["team", "fix_due"], name="case_team_fix_due"),
            models.Index(
                fields=["team", "recovered_rated_at"], condition=models.Q(recovered_rated_at__isnull=False),
                name="case_team_rated",
            ),
        ]
        constraints = [
            # Constraints rather than unique=True: one index each for the equality look-up of a link,
            # without the LIKE index Django adds for a unique CharField on PostgreSQL.
            models.UniqueConstraint(fields=["status_digest"], name="case_status_digest_unique"),
            models.UniqueConstraint(fields=["recovered_digest"], name="case_recovered_digest_unique"),
            models.CheckConstraint(condition=models.Q(severity__in=[1, 2]), name="case_severity_criminal_or_basic"),
        ]

    def __str__(self):
        return f"Case #{self.pk} ({self.get_status_display()})"

    # Which deadline applies now: the one place that says it (the pages, the API, the SLA check
    # and the mails all read these).
    FIX, SURPRISE = "fix", "surprise"

    @property
    def deadline(self) -> tuple[str | None, "datetime | None"]:
        """(what is due, when): the fix while open, the surprise once fixed, nothing after that."""
        if self.status == self.Status.OPEN:
            return self.FIX, self.fix_due
        if self.status == self.Status.FIXED:
            return self.SURPRISE, self.surprise_due
        return None, None

    def is_overdue(self, now) -> bool:
        due = self.deadline[1]
        return due is not None and due < now

    def is_escalated(self, now) -> bool:
        """Escalated as soon as the due time has passed (computed on read, not left to the periodic
        check), and while a case the check escalated is still being worked."""
        return self.status != self.Status.CLOSED and (self.is_overdue(now) or self.escalated_at is not None)

    @classmethod
    def overdue_q(cls, now) -> models.Q:
        """is_overdue as a filter."""
        return models.Q(status=cls.Status.OPEN, fix_due__lt=now) | models.Q(status=cls.Status.FIXED, surprise_due__lt=now)


class CaseEvent(models.Model):
    """One step on a case's timeline: the audit trail, written once and never changed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        FIXED = "fixed", _("Fixed")
        SURPRISED = "surprised", _("Surprised")
        CLOSED = "closed", _("Closed")
        ESCALATED = "escalated", _("Escalated")
        RATED = "rated", _("Recovered level rated")
        NOTE = "note", _("Note")
        CORRECTED = "corrected", _("Closed as corrected")
        ASSIGNED = "assigned", _("Assigned")
        WARNED = "warned", _("SLA warning")
        FOLLOW_UP = "follow_up", _("Follow-up opened")

    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="events", db_index=False)  # (case, at) below
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, max_length=4000)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class EscalationStep(models.Model):
    """One step of a case's escalation chain, taken once: the unique constraint lets exactly one of
    any number of concurrent checks take it (the others' insert fails and they move on)."""

    class Step(models.TextChoices):
        WARNING = "warning", _("Three quarters of the SLA: the owner is warned")
        BREACH = "breach", _("Past due: the owner and the team's managers are told")
        ADMINS = "admins", _("24 business hours past due: the admins are told")

    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="escalation_steps", db_index=False)
    deadline = models.CharField(max_length=10)  # RecoveryCase.FIX or RecoveryCase.SURPRISE
    step = models.CharField(max_length=10, choices=Step.choices)
    at = models.DateTimeField()
    told = models.PositiveIntegerField(default=0)  # how many people heard; 0 when a later step superseded it

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "deadline", "step"], name="escalation_step_once")]

    def __str__(self):
        return f"{self.case_id} {self.deadline} {self.step} at {self.at:%Y-%m-%d %H:%M}"


class Rule(models.Model):
    """A team policy. Rules bent often and approved often are candidates to change or kill."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a manager accepts a frontline idea naming this rule dumb: the ranking flags it.
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["team", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="rule_unique_name_per_team")]

    def __str__(self):
        return self.name


class RuleBend(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="bends")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="rule_bends")
    case = models.ForeignKey(RecoveryCase, null=True, blank=True, on_delete=models.PROTECT, related_name="bends")
    customer = models.ForeignKey("interactions.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="bends")
    justification = models.TextField(max_length=4000)
    cost = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bends_requested")
    requested_at = models.DateTimeField()
    # Above the deciding manager's approval limit only an admin may decide.
    needs_admin = models.BooleanField(default=False)
    auto_approved = models.BooleanField(default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="bends_decided")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "-requested_at"]),
            models.Index(fields=["rule", "requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="bend_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True) | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="bend_decided_iff_not_pending",
            ),
        ]

    def __str__(self):
        return f"Bend #{self.pk} of {self.rule} ({self.status})"


class BendEvent(models.Model):
    """Audit row of a bend: requested, approved, rejected (auto-approved included). Never changed."""

    bend = models.ForeignKey(RuleBend, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, max_length=4000)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.bend_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
