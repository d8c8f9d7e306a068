from rest_framework import serializers

from interactions.models import JobRun


class JobRunSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True, help_text="done / total, 0 to 1")

    class Meta:
        model = JobRun
        fields = [
            "id", "kind", "mode", "status", "started_at", "heartbeat_at", "finished_at", "total", "done", "progress",
            "rows_examined", "rows_changed", "message",
        ]
        read_only_fields = fields


class RescoreRequestSerializer(serializers.Serializer):
    full = serializers.BooleanField(default=False, help_text="Re-score every interaction (admins only).")


class RescoreQueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()
    mode = serializers.ChoiceField(choices=["full", "incremental"])
    requested_by = serializers.IntegerField()
    requested_at = serializers.DateTimeField()


class JobFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["rescore", "drift"], required=False)
    status = serializers.ChoiceField(choices=JobRun.Status.choices, required=False)
