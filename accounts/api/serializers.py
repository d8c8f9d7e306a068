import zoneinfo

from rest_framework import serializers

from drf_spectacular.utils import extend_schema_field
from holidays import list_supported_countries

from accounts.models import USER_LANGUAGE_CHOICES, Team, User, validate_business_hours, validate_closed_dates
from core.api.input import SameForFormAndJSON
from core.money import CURRENCIES, MoneySerializerField


@extend_schema_field({"type": "string", "format": "opening-hours", "example": "mon-fri 09:00-17:00, sat 10:00-14:00"})
class OpeningHoursField(serializers.CharField):
    """Opening hours per weekday in the team's time zone (accounts/business_hours.py); empty: always open."""


@extend_schema_field({"type": "string", "format": "date-list", "example": "2026-12-24, 2026-12-31"})
class DateListField(serializers.CharField):
    """ISO dates separated by commas."""


class TeamSerializer(SameForFormAndJSON, serializers.ModelSerializer):
    timezone = serializers.ChoiceField(choices=sorted(zoneinfo.available_timezones()), default="UTC")
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False, help_text="ISO 4217 code, like EUR.")
    say_yes_threshold = MoneySerializerField(required=False, help_text=Team._meta.get_field("say_yes_threshold").help_text)
    business_hours = OpeningHoursField(required=False, allow_blank=True, max_length=300, validators=[validate_business_hours])
    holiday_country = serializers.ChoiceField(choices=["", *sorted(list_supported_countries())], required=False, allow_blank=True)
    closed_dates = DateListField(required=False, allow_blank=True, max_length=2000, validators=[validate_closed_dates])

    class Meta:
        model = Team
        fields = ["id", *Team.SETTINGS]
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is checked by the model's full_clean


class UserOutputSerializer(serializers.ModelSerializer):
    teams = serializers.SerializerMethodField()
    is_admin = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "teams",
            "approval_limit",
            "language",
            "is_admin",
        ]

    def get_teams(self, user) -> list[int]:
        return sorted(t.id for t in user.teams.all())  # prefetched by the selector


class UserInputSerializer(SameForFormAndJSON, serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.FRONTLINE)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False, default=list)
    approval_limit = MoneySerializerField(required=False, default=0)
    language = serializers.ChoiceField(choices=USER_LANGUAGE_CHOICES, required=False, default="")

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value


class UserUpdateSerializer(SameForFormAndJSON, serializers.Serializer):
    password = serializers.CharField(write_only=True, required=False, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False)
    approval_limit = MoneySerializerField(required=False)
    language = serializers.ChoiceField(choices=USER_LANGUAGE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="The code from your authenticator app, once two-factor sign-in is on."
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
