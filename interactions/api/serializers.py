"""Input and output serializers of customers, gestures and interactions, kept apart.

Input serializers are strict (a string is not a boolean, unknown choices are errors) and declare
only what a client may write: read-only fields sent on write are ignored.
"""

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import LANGUAGE_CHOICES, Team, User
from accounts.selectors import scope_to_teams, user_list
from core.api.filters import MAX_ID
from core.api.input import SameForFormAndJSON
from core.api.output import choice_out, choices_of, datetime_out
from core.money import MoneySerializerField
from core.validators import refuse_control_characters
from interactions import selectors, services
from interactions.levels import Channel, Issue, Level, level_label
from interactions.models import Customer, Gesture, Interaction, OccasionKind
from interactions.reasons import interaction_level_reason


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: "false" as a string is a mistake worth a 400, not a truthy guess."""

    default_error_messages = {"invalid": gettext_lazy("Must be true or false (a JSON boolean).")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


def _viewer(serializer):
    request = serializer.context.get("request")
    return request.user if request is not None else None


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key among the rows the viewer may see: another team's row reads as nonexistent."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        team_field = "id" if self.model is Team else "team"
        return scope_to_teams(self.model.objects.all(), _viewer(self), team_field=team_field)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) and not (isinstance(data, str) and data.isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and len(data) > len(str(MAX_ID)):  # never parse more digits than an id has
            self.fail("does_not_exist", pk_value=f"{data[:20]}…")
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


# --- Customers -------------------------------------------------------------------------------


class SpecialDateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80)
    date = serializers.RegexField(r"^(?:\d{4}-)?\d{2}-\d{2}$", help_text=gettext_lazy("MM-DD, or YYYY-MM-DD"))


class CustomerInputSerializer(SameForFormAndJSON, serializers.Serializer):
    team = ScopedPrimaryKeyField(model=Team)
    name = serializers.CharField(max_length=200, validators=[refuse_control_characters])
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    preferred_channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    preferences = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    personal_contact = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    special_dates = SpecialDateSerializer(many=True, required=False, max_length=20)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    contact_opt_out = StrictBooleanField(
        required=False, help_text=gettext_lazy("true: never asked for a rating (the customer asked us, or unsubscribed with one click)")
    )

    def validate_personal_contact(self, user):
        # Only people the viewer can see; the service checks they serve the customer's team.
        if user is not None and not user_list(user=_viewer(self)).filter(pk=user.pk).exists():
            raise serializers.ValidationError(_('Invalid pk "%(pk)s" - object does not exist.') % {"pk": user.pk})
        return user


class CustomerUpdateSerializer(CustomerInputSerializer):
    """Like the input; PATCH names only what changes (PUT every field); a customer never moves team."""

    def __init__(self, *args, customer: Customer, partial: bool = True, **kwargs):
        super().__init__(*args, partial=partial, **kwargs)
        self.customer = customer

    def validate_team(self, team):
        if team.id != self.customer.team_id:
            raise serializers.ValidationError(_("A customer never moves team."))
        return team


class GestureStandingSerializer(serializers.Serializer):
    gesture = serializers.IntegerField(source="gesture.id")
    name = serializers.CharField(source="gesture.name")
    recurring = serializers.BooleanField(source="gesture.recurring")
    effective_base_level = serializers.IntegerField()
    deliveries_in_window = serializers.IntegerField()
    standing = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("null: never received in the window"))
    standing_label = serializers.SerializerMethodField()
    next_level = serializers.IntegerField(help_text=gettext_lazy("what the next delivery would be perceived at"))
    omission_cap = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("recurring gestures: the cap if omitted"))

    def get_standing_label(self, row) -> str:
        return level_label(row.standing)


class CustomerOutputSerializer(serializers.ModelSerializer):
    special_dates = SpecialDateSerializer(many=True)
    expectation_profile = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "team",
            "name",
            "email",
            "phone",
            "preferred_channel",
            "preferences",
            "personal_contact",
            "special_dates",
            "language",
            "contact_opt_out",
            "rating_requested_at",
            "created_at",
            "expectation_profile",
        ]
        read_only_fields = fields

    @classmethod
    def for_customers(cls, customers, **kwargs):
        """Serialize a page of customers with their profiles computed together (three queries)."""
        customers = list(customers)
        profiles = selectors.expectation_profiles(customers=customers)
        return cls(customers, many=True, context={"profiles": profiles, **kwargs.get("context", {})})

    @extend_schema_field(GestureStandingSerializer(many=True))
    def get_expectation_profile(self, customer):
        profiles = self.context.get("profiles")
        profile = profiles[customer.id] if profiles is not None else selectors.expectation_profile(customer=customer)
        return GestureStandingSerializer(profile, many=True).data


# --- Gestures --------------------------------------------------------------------------------


class GestureInputSerializer(SameForFormAndJSON, serializers.Serializer):
    team = ScopedPrimaryKeyField(model=Team)
    name = serializers.CharField(max_length=120, validators=[refuse_control_characters])
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    base_level = serializers.ChoiceField(choices=[(Level.SURPRISING.value, "Surprising"), (Level.UNBELIEVABLE.value, "Unbelievable")])
    recurring = StrictBooleanField(required=False)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=len(Channel.choices),
        help_text=gettext_lazy("where it is offered; a recurring gesture names at least one, and leaving it out counts only there"),
    )
    cost = MoneySerializerField(required=False)
    active = StrictBooleanField(required=False)


class GestureUpdateSerializer(GestureInputSerializer):
    def __init__(self, *args, gesture: Gesture, partial: bool = True, **kwargs):
        super().__init__(*args, partial=partial, **kwargs)
        self.gesture = gesture

    def validate_team(self, team):
        if team.id != self.gesture.team_id:
            raise serializers.ValidationError(_("A gesture never moves team."))
        return team


class GestureOutputSerializer(serializers.ModelSerializer):
    base_level_label = serializers.SerializerMethodField()
    effective_base_level = serializers.SerializerMethodField(help_text=gettext_lazy("base level with org-wide drift applied, now"))

    class Meta:
        model = Gesture
        fields = [
            "id",
            "team",
            "name",
            "description",
            "base_level",
            "base_level_label",
            "effective_base_level",
            "recurring",
            "channels",
            "cost",
            "active",
        ]
        read_only_fields = fields

    def get_base_level_label(self, gesture) -> str:
        return level_label(gesture.base_level)

    def get_effective_base_level(self, gesture) -> int:
        levels = self.context.get("effective_levels")
        if levels is None:
            levels = selectors.effective_base_levels(gestures=[gesture])
        return levels[gesture.id]


# --- Interactions ----------------------------------------------------------------------------


class OccasionSerializer(serializers.Serializer):
    """An occasion the customer mentioned: its kind and the date it falls on (once)."""

    kind = serializers.ChoiceField(choices=OccasionKind.choices)
    date = serializers.DateField()


class InteractionInputSerializer(serializers.Serializer):
    # Checked by the service, which finds the customer among the viewer's teams' and locks it in one
    # statement (a look-up here too would cost a query per log): unknown or another team's -> 400.
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=gettext_lazy("one of your teams' customers"))
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=gettext_lazy("derived from the customer"))
    channel = serializers.ChoiceField(choices=Channel.choices)
    occurred_at = serializers.DateTimeField(required=False, help_text=gettext_lazy("defaults to now; may be in the past"))
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    promise_kept = StrictBooleanField(required=False, default=True)
    issues = serializers.ListField(
        child=serializers.ChoiceField(choices=Issue.choices), required=False, default=list, max_length=len(Issue.choices)
    )
    matched_preference = StrictBooleanField(required=False, default=False)
    gestures = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=20
    )
    occasion = OccasionSerializer(
        required=False, allow_null=True,
        help_text=gettext_lazy("an occasion the customer mentioned (a 25th wedding anniversary): the radar shows it and the personal contact is reminded"),
    )


class InteractionCorrectionSerializer(serializers.Serializer):
    """A correction of a logged interaction's facts: only the fields sent change (PATCH)."""

    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    occurred_at = serializers.DateTimeField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    promise_kept = StrictBooleanField(required=False)
    issues = serializers.ListField(child=serializers.ChoiceField(choices=Issue.choices), required=False, max_length=len(Issue.choices))
    matched_preference = StrictBooleanField(required=False)
    gestures = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, write_only=True, help_text=gettext_lazy("why it was corrected"))


_LABELS_BY_LANGUAGE: dict[str | None, dict[int, str]] = {}


def _level_labels() -> dict[int, str]:
    """The six levels' labels in the active language, worded once per language (a logged
    interaction's answer is a page of one)."""
    language = get_language()
    labels = _LABELS_BY_LANGUAGE.get(language)
    if labels is None:
        labels = _LABELS_BY_LANGUAGE[language] = {v: level_label(v) for v in Level.values}
    return labels


_CHANNELS = choices_of(Interaction, "channel")
_LEVELS = choices_of(Interaction, "level")  # level, assessed_level and customer_level share them


class InteractionOutputSerializer(serializers.ModelSerializer):
    gestures = serializers.SerializerMethodField()
    level_label = serializers.SerializerMethodField()
    level_reason = serializers.SerializerMethodField(help_text=gettext_lazy("why it has this level, in words"))
    recovery_case = serializers.SerializerMethodField()
    feedback_url = serializers.SerializerMethodField()
    occasion = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "customer",
            "team",
            "channel",
            "occurred_at",
            "summary",
            "promise_kept",
            "issues",
            "matched_preference",
            "gestures",
            "level",
            "level_label",
            "level_reason",
            "assessed_level",
            "customer_level",
            "omitted_gestures",
            "recovery_case",
            "feedback_url",
            "logged_by",
            "created_at",
            "rated_at",
            "customer_comment",
            "rating_requested_at",
            "occasion",
        ]
        read_only_fields = fields

    # Written by hand for the speed of the list; the declaration above stays DRF's (the schema
    # is built from it) and tests/api/test_output_serializers.py checks both answer the same.
    def to_representation(self, interaction):
        tz, labels = self._page()
        return {
            "id": interaction.id,
            "customer": interaction.customer_id,
            "team": interaction.team_id,
            "channel": choice_out(_CHANNELS, interaction.channel),
            "occurred_at": datetime_out(interaction.occurred_at, tz),
            "summary": interaction.summary,
            "promise_kept": interaction.promise_kept,
            "issues": interaction.issues,
            "matched_preference": interaction.matched_preference,
            "gestures": self.get_gestures(interaction),
            "level": choice_out(_LEVELS, interaction.level),
            "level_label": labels.get(interaction.level) or level_label(interaction.level),
            "level_reason": self.get_level_reason(interaction),
            "assessed_level": choice_out(_LEVELS, interaction.assessed_level),
            "customer_level": choice_out(_LEVELS, interaction.customer_level),
            "omitted_gestures": interaction.omitted_gestures,
            "recovery_case": interaction.recovery_case_id,
            "feedback_url": services.feedback_url(interaction),
            "logged_by": interaction.logged_by_id,
            "created_at": datetime_out(interaction.created_at, tz),
            "rated_at": datetime_out(interaction.rated_at, tz),
            "customer_comment": interaction.customer_comment,
            "rating_requested_at": datetime_out(interaction.rating_requested_at, tz),
            "occasion": self.get_occasion(interaction),
        }

    def _page(self):
        # The time zone and the level labels in the current language: looked up once per
        # serializer (a page; DRF keeps a serializer's .data once computed too), not per row.
        page = getattr(self, "_page_constants", None)
        if page is None:
            page = self._page_constants = (timezone.get_current_timezone(), _level_labels())
        return page

    def get_gestures(self, interaction) -> list[int]:
        return selectors.gesture_ids_of(interaction)

    def get_level_label(self, interaction) -> str:
        return level_label(interaction.level)

    def get_level_reason(self, interaction) -> str:
        return interaction_level_reason(interaction)

    def get_recovery_case(self, interaction) -> int | None:
        return interaction.recovery_case_id  # annotated by the selector, or set by interaction_log

    def get_feedback_url(self, interaction) -> str:
        return services.feedback_url(interaction)

    @extend_schema_field(OccasionSerializer(allow_null=True))
    def get_occasion(self, interaction) -> dict | None:
        if interaction.occasion_date is None:
            return None
        return {"kind": interaction.occasion_kind, "date": interaction.occasion_date.isoformat()}
