"""The radar's output, and the ideas' input and output, kept apart."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers


from accounts.models import Team
from core.validators import refuse_control_characters
from interactions.api.serializers import ScopedPrimaryKeyField
from recovery.models import Rule

from ..models import Idea


class GestureWatchSerializer(serializers.Serializer):
    gesture = serializers.IntegerField(source="gesture_id")
    name = serializers.CharField()
    share = serializers.FloatField(help_text=gettext_lazy("share of the team's served customers it reached in the last 90 days"))
    reached = serializers.IntegerField()
    served = serializers.IntegerField()
    drift_share = serializers.FloatField()
    trend = serializers.ListField(child=serializers.FloatField(), help_text=gettext_lazy("the share at 8 weekly points, oldest first"))
    per_week = serializers.FloatField(help_text=gettext_lazy("the trend line's slope: share per week"))
    crossing = serializers.DateField(allow_null=True, help_text=gettext_lazy("when it reaches the drift share at this pace"))
    close = serializers.BooleanField(help_text=gettext_lazy("crossing within 8 weeks"))
    drifted_on = serializers.DateField(allow_null=True)
    enough_served = serializers.BooleanField(help_text=gettext_lazy("the team served enough customers for drift to apply"))


class NothingLeftCustomerSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField()
    surprise_again_on = serializers.DateField(help_text=gettext_lazy("the day a gesture leaves their window and can surprise again"))


class NothingLeftSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    gestures = serializers.IntegerField(help_text=gettext_lazy("active gestures, all at Expected or below for these customers"))
    customers = NothingLeftCustomerSerializer(many=True)


class UpcomingOccasionSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    on = serializers.DateField()
    days_away = serializers.IntegerField()
    personal_contact = serializers.IntegerField(source="personal_contact_id", allow_null=True)
    gesture = serializers.IntegerField(source="gesture_id", allow_null=True, help_text=gettext_lazy("a gesture this customer never had"))
    gesture_name = serializers.CharField()
    gesture_fits = serializers.BooleanField(help_text=gettext_lazy("the gesture speaks to the occasion"))


class IdeaCountsSerializer(serializers.Serializer):
    proposed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    waiting = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    returned = serializers.IntegerField(help_text=gettext_lazy("had another interaction within 90 days"))
    rate = serializers.FloatField(allow_null=True)
    mean_next_level = serializers.FloatField(allow_null=True)


class DifferenceSerializer(serializers.Serializer):
    difference = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text=gettext_lazy("lower end of the 95 percent confidence interval"))
    high = serializers.FloatField(allow_null=True)
    meaningful = serializers.BooleanField(help_text=gettext_lazy("false: the interval contains zero, too small to mean anything"))
    words = serializers.CharField()


class GestureReturnSerializer(serializers.Serializer):
    gesture = serializers.IntegerField(source="gesture_id")
    name = serializers.CharField()
    deliveries = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    reached = GroupSerializer()
    others = GroupSerializer()
    difference = DifferenceSerializer()


class ReturnsSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    gestures = GestureReturnSerializer(many=True)
    recovered = GroupSerializer()
    never_failed = GroupSerializer()
    paradox = DifferenceSerializer()


class RadarSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.id")
    at = serializers.DateTimeField()
    drift = GestureWatchSerializer(many=True)
    nothing_left = NothingLeftSerializer()
    occasions = UpcomingOccasionSerializer(many=True)
    ideas = IdeaCountsSerializer()
    returns = ReturnsSerializer(allow_null=True)


class IdeaInputSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyField(model=Team)
    kind = serializers.ChoiceField(choices=Idea.Kind.choices)
    title = serializers.CharField(max_length=120, validators=[refuse_control_characters])
    story = serializers.CharField(max_length=4000)
    rule = ScopedPrimaryKeyField(model=Rule, required=False, allow_null=True, help_text=gettext_lazy("the rule, for a dumb rule"))


class IdeaDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class IdeaOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Idea
        fields = [
            "id", "team", "kind", "title", "story", "rule", "status", "proposed_by", "proposed_at",
            "decided_by", "decided_at", "decision_note", "gesture",
        ]
        read_only_fields = fields


