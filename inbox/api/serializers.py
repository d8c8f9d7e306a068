from rest_framework import serializers

from core.api.input import SameForFormAndJSON
from interactions.levels import Channel, Issue

from ..models import InboxItem, InboxMessage


class InboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxMessage
        fields = [
            "id", "message_id", "from_address", "from_name", "subject", "sent_at", "received_at", "body", "body_truncated",
            "from_html", "attachment_count", "attachments", "source",
        ]
        read_only_fields = fields


class InboxItemSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InboxItem
        fields = [
            "id", "team", "customer", "customer_name", "subject", "status", "created_at", "last_message_at", "message_count",
            "follows", "interaction", "decided_by", "decided_at", "dismiss_reason",
        ]
        read_only_fields = fields


class InboxItemDetailSerializer(InboxItemSerializer):
    messages = InboxMessageSerializer(many=True, read_only=True)

    class Meta(InboxItemSerializer.Meta):
        fields = [*InboxItemSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class InboxAssessSerializer(SameForFormAndJSON, serializers.Serializer):
    """The facts, as when logging an interaction; the customer, time and channel come from the mail."""

    promise_kept = serializers.BooleanField()
    issues = serializers.ListField(child=serializers.ChoiceField(choices=Issue.choices), required=False, default=list, max_length=5)
    matched_preference = serializers.BooleanField(required=False, default=False)
    gestures = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.EMAIL)


class InboxDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class InboxFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[*InboxItem.Status.choices, ("all", "all")], required=False, default="waiting")
