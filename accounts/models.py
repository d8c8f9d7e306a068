import zoneinfo
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import validate_currency
from core.validators import refuse_control_characters
from interactions.levels import Channel

from . import business_hours as hours


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


def validate_business_hours(value):
    if (value or "").strip():
        try:
            hours.parse_week(value)
        except hours.BusinessHoursError as exc:
            raise ValidationError(str(exc)) from None


def validate_holiday_country(value):
    try:
        hours.check_country(value)
    except hours.BusinessHoursError:
        raise ValidationError(_("Unknown holiday country: %(code)s (use a code like NL, BE, DE, GB or US)."), params={"code": value}) from None


def validate_closed_dates(value):
    try:
        hours.parse_dates(value)
    except hours.BusinessHoursError as exc:
        raise ValidationError(str(exc)) from None


LANGUAGE_CHOICES = [("en", "English"), ("nl", "Nederlands")]
USER_LANGUAGE_CHOICES = [("", _("Browser default")), *LANGUAGE_CHOICES]

# Bounds of the team settings a manager sets (docs/security.md lists them). An SLA longer than a
# year is a typo, and an unbounded one overflowed the case's deadline and stopped the team logging.
MAX_SLA_HOURS = 8760
MAX_DRIFT_MIN_CUSTOMERS = 1_000_000
MAX_RATING_REQUEST_DELAY_MINUTES = 7 * 24 * 60
MAX_RATING_REQUEST_MIN_DAYS = 365


def default_rating_request_channels():
    return list(Channel.values)


class Team(models.Model):
    """A team serves its own customers. Its settings are the rubric's and the SLA's numbers."""

    name = models.CharField(_("name"), max_length=120, unique=True, validators=[refuse_control_characters])
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[validate_currency],
        help_text=_("ISO 4217 code of the money the team's gestures and bends cost, like EUR."),
    )

    sla_criminal_fix_hours = models.PositiveIntegerField(
        _("fix a Criminal case within (hours)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_HOURS)]
    )
    sla_basic_fix_hours = models.PositiveIntegerField(
        _("fix a Basic case within (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_HOURS)]
    )
    sla_surprise_hours = models.PositiveIntegerField(
        _("surprise within (hours after the fix)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_HOURS)],
    )
    say_yes_threshold = models.DecimalField(
        _("say-yes threshold"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Rule bends costing at most this much are approved at once. 0 turns it off."),
    )
    familiarity_window_days = models.PositiveIntegerField(
        _("familiarity window (days)"), default=365, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    drift_share = models.DecimalField(
        _("drift share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of served customers a gesture must reach in 90 days to drift down a level."),
    )
    drift_min_customers = models.PositiveIntegerField(
        _("drift minimum customers"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DRIFT_MIN_CUSTOMERS)],
    )
    # The customer's voice (docs/voice.md): which interactions are followed by a rating request by
    # email, how long after, how seldom per customer, and the hours when no request goes out.
    rating_request_channels = models.JSONField(
        _("ask for a rating after"), default=default_rating_request_channels, blank=True,
        help_text=_("Channels whose interactions are followed by a rating request by email. None: no requests."),
    )
    rating_request_delay_minutes = models.PositiveIntegerField(
        _("rating request delay (minutes)"), default=60,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RATING_REQUEST_DELAY_MINUTES)],
        help_text=_("How long after the interaction the request goes out."),
    )
    rating_request_min_days = models.PositiveIntegerField(
        _("at most one rating request per customer every (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATING_REQUEST_MIN_DAYS)],
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours from"), default=time(21, 0), help_text=_("No rating request goes out from this time (team time zone)...")
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours until"), default=time(8, 0), help_text=_("...until this time. The same time twice: no quiet hours.")
    )
    VOICE_SETTINGS = (
        "rating_request_channels", "rating_request_delay_minutes", "rating_request_min_days", "quiet_hours_start", "quiet_hours_end",
    )
    # Business hours: when any is set, SLAs count open hours only (accounts/business_hours.py).
    business_hours = models.CharField(
        _("business hours"), max_length=300, blank=True, default="", validators=[validate_business_hours],
        help_text=_("Opening hours in the team's time zone, like \"mon-fri 09:00-17:00, sat 10:00-14:00\". Empty: always open."),
    )
    holiday_country = models.CharField(
        _("holiday country"), max_length=8, blank=True, default="", validators=[validate_holiday_country],
        help_text=_("Closed on this country's public holidays (a code like NL, BE, DE, GB or US). Empty: none."),
    )
    closed_dates = models.CharField(
        _("extra closed dates"), max_length=2000, blank=True, default="", validators=[validate_closed_dates],
        help_text=_("Other days the team is closed, like 2026-12-24, 2026-12-31."),
    )
    BUSINESS_HOURS_SETTINGS = ("business_hours", "holiday_country", "closed_dates")
    # Customers' mail to this address lands in the team's inbox (by a provider's inbound webhook or IMAP).
    inbox_address = models.EmailField(
        _("inbox address"), blank=True, default="",
        help_text=_("Customers' email to this address becomes interactions waiting in the team's inbox."),
    )
    # The settings, declared once: the API serializer, the settings page and the audit all read these.
    # A change to a rubric setting is a correction of the rubric: past interactions are re-scored.
    RUBRIC_SETTINGS = ("familiarity_window_days", "drift_share", "drift_min_customers")
    # What a team's managers tune on the settings page.
    TUNED_SETTINGS = (
        "currency",
        "sla_criminal_fix_hours",
        "sla_basic_fix_hours",
        "sla_surprise_hours",
        "say_yes_threshold",
        *BUSINESS_HOURS_SETTINGS,
        *RUBRIC_SETTINGS,
        *VOICE_SETTINGS,
        "inbox_address",
    )
    # Everything the settings API reads and writes: the team's identity and what its managers tune.
    SETTINGS = ("name", "timezone", *TUNED_SETTINGS)

    # When a rubric number last changed: the incremental re-score picks the team up from here.
    rubric_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(drift_share__gt=0) & models.Q(drift_share__lte=1), name="team_drift_share_0_1"
            ),
            models.CheckConstraint(condition=models.Q(say_yes_threshold__gte=0), name="team_say_yes_not_negative"),
            models.CheckConstraint(
                condition=models.Q(sla_criminal_fix_hours__range=(1, MAX_SLA_HOURS))
                & models.Q(sla_basic_fix_hours__range=(1, MAX_SLA_HOURS))
                & models.Q(sla_surprise_hours__range=(1, MAX_SLA_HOURS)),
                name="team_sla_hours_bounded",
            ),
            models.UniqueConstraint(
                fields=["inbox_address"], condition=~models.Q(inbox_address=""), name="team_inbox_address_unique",
                violation_error_message=_("Another team already receives mail at this address."),
            ),
            models.CheckConstraint(
                condition=models.Q(familiarity_window_days__range=(1, 3650))
                & models.Q(drift_min_customers__range=(1, MAX_DRIFT_MIN_CUSTOMERS)),
                name="team_rubric_numbers_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_request_delay_minutes__lte=MAX_RATING_REQUEST_DELAY_MINUTES)
                & models.Q(rating_request_min_days__range=(1, MAX_RATING_REQUEST_MIN_DAYS)),
                name="team_rating_request_numbers_bounded",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        channels = self.rating_request_channels
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
            raise ValidationError(
                {"rating_request_channels": [_("Choose channels from: %(channels)s.") % {"channels": ", ".join(Channel.values)}]}
            )
        self.rating_request_channels = [c for c in Channel.values if c in channels]  # one order, no repeats
        self.inbox_address = (self.inbox_address or "").strip().lower()

    def in_quiet_hours(self, at) -> bool:
        """Whether `at` falls in the team's quiet hours, on its own clock (a window may span midnight)."""
        local = at.astimezone(self.tz).time()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end

    def quiet_hours_over(self, at):
        """When the quiet hours running at `at` end (None when `at` is not in them)."""
        if not self.in_quiet_hours(at):
            return None
        local = at.astimezone(self.tz)
        end = local.replace(hour=self.quiet_hours_end.hour, minute=self.quiet_hours_end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def calendar(self) -> "hours.BusinessHours | None":
        """The team's business hours, or None when it sets none (SLAs then count every hour)."""
        if not (self.business_hours.strip() or self.holiday_country or self.closed_dates.strip()):
            return None
        return hours.BusinessHours.of(
            timezone=self.timezone, hours=self.business_hours, country=self.holiday_country, closed_dates=self.closed_dates
        )


class TeamSettingChange(models.Model):
    """Audit row for every change of a team setting: who, when, old and new value."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="setting_changes")
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=64)
    old_value = models.CharField(max_length=200)
    new_value = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.team}: {self.field} {self.old_value} → {self.new_value}"


class User(AbstractUser):
    class Role(models.TextChoices):
        FRONTLINE = "frontline", _("Frontline")
        MANAGER = "manager", _("Manager")
        ADMIN = "admin", _("Admin")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.FRONTLINE)
    teams = models.ManyToManyField(Team, related_name="members", blank=True, verbose_name=_("teams"))
    approval_limit = models.DecimalField(
        _("approval limit"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Managers decide rule bends costing up to this much; above it an admin decides."),
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=USER_LANGUAGE_CHOICES
    )

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=models.Q(approval_limit__gte=0), name="user_approval_limit_not_negative"),
        ]

    @property
    def is_admin(self) -> bool:
        """A Django superuser is an admin."""
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_manager(self) -> bool:
        """Managers and admins can do what a manager does."""
        return self.is_admin or self.role == self.Role.MANAGER


class ApiToken(models.Model):
    """An API token: only its SHA-256 digest is stored, it expires, and it can be revoked.

    The token itself is shown once, when it is made (accounts.services.token_create)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    # The user's session auth hash when the token was made (an HMAC of the password hash): after any
    # password change, by any path, it no longer matches and the token stops working, as sessions do.
    password_mark = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user"], name="api_token_user")]

    def __str__(self):
        return f"token of {self.user_id}, expires {self.expires_at:%Y-%m-%d}"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, kept for 24 hours: a retry
    with the same key gets it again and writes nothing (accounts/api/idempotency.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is a client error.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # set in the same transaction as the claim
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.user_id}: {self.key}"
