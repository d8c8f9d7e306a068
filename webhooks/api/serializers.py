from rest_framework import serializers

from core.api.input import SameForFormAndJSON
from accounts.models import Team
from accounts.selectors import team_list

from ..models import EventType, WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionInputSerializer(SameForFormAndJSON, serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False, max_length=20)
    active = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # the schema generator builds serializers without a request
            self.fields["team"].queryset = team_list(user=request.user)


class SubscriptionUpdateSerializer(SameForFormAndJSON, serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False, max_length=20, required=False
    )
    active = serializers.BooleanField(required=False)


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "team", "url", "events", "active", "created_by", "created_at", "failing_since", "disabled_at", "disabled_reason"]
        read_only_fields = fields


class SubscriptionCreatedSerializer(SubscriptionOutputSerializer):
    """The answer that created it: the only one that shows the secret."""

    secret = serializers.CharField(read_only=True, help_text="The signing secret (whsec_...), shown this once.")

    class Meta(SubscriptionOutputSerializer.Meta):
        fields = [*SubscriptionOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "duration_ms", "response_excerpt", "error", "succeeded"]
        read_only_fields = fields


class DeliveryOutputSerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="event.public_id", read_only=True, help_text="The webhook-id header.")
    type = serializers.CharField(source="event.type", read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook_id", "type", "status", "attempts", "next_attempt_at", "created_at", "delivered_at", "attempt_log"]
        read_only_fields = fields
