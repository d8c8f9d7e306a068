from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.input import SameForFormAndJSON
from core.api.output import choice_out, choices_of, datetime_out
from core.money import MoneySerializerField
from core.validators import refuse_control_characters
from interactions.models import Customer, Gesture
from interactions.selectors import customer_list, gesture_list

from .. import selectors
from ..models import BendEvent, CaseEvent, RecoveryCase, Rule, RuleBend
from ..services import bends, links, steps, timeline


class _ScopedToViewer:
    """Related-object fields whose querysets are the viewer's teams' rows: another team's id is unknown (400)."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator builds serializers without a request
            return
        user = request.user
        for name, selector in self.scoped_fields.items():
            self.fields[name].queryset = selector(user=user)


# --- Cases ---------------------------------------------------------------------------------


# What get_severity_display() looks up, without rebuilding the choices dict on every row.
_SEVERITY_LABELS = dict(RecoveryCase._meta.get_field("severity").flatchoices)
_SEVERITIES = choices_of(RecoveryCase, "severity")
_STATUSES = choices_of(RecoveryCase, "status")
_LEVELS = choices_of(RecoveryCase, "recovered_level")


class CaseOutputSerializer(serializers.ModelSerializer):
    status_url = serializers.SerializerMethodField()
    recovered_url = serializers.SerializerMethodField()
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()

    class Meta:
        model = RecoveryCase
        fields = [
            "id", "interaction", "customer", "team", "severity", "severity_label", "status", "owner", "follow_up_of",
            "opened_at", "fix_due",
            "fixed_at", "surprise_due", "surprised_at", "surprise_gesture", "surprise_level", "surprise_interaction",
            "closed_at", "close_reason", "customer_message",
            "escalated_at", "escalated", "overdue", "recovered_level", "recovered_rated_at", "status_url", "recovered_url",
        ]
        read_only_fields = fields

    # Written by hand for the speed of the board; the declaration above stays DRF's (the schema
    # is built from it) and tests/api/test_output_serializers.py checks both answer the same.
    def to_representation(self, case):
        tz, severity_labels = self._page()
        return {
            "id": case.id,
            "interaction": case.interaction_id,
            "customer": case.customer_id,
            "team": case.team_id,
            "severity": choice_out(_SEVERITIES, case.severity),
            "severity_label": severity_labels.get(case.severity) or str(_SEVERITY_LABELS.get(case.severity, case.severity)),
            "status": choice_out(_STATUSES, case.status),
            "owner": case.owner_id,
            "follow_up_of": case.follow_up_of_id,
            "opened_at": datetime_out(case.opened_at, tz),
            "fix_due": datetime_out(case.fix_due, tz),
            "fixed_at": datetime_out(case.fixed_at, tz),
            "surprise_due": datetime_out(case.surprise_due, tz),
            "surprised_at": datetime_out(case.surprised_at, tz),
            "surprise_gesture": case.surprise_gesture_id,
            "surprise_level": choice_out(_LEVELS, case.surprise_level),
            "surprise_interaction": case.surprise_interaction_id,
            "closed_at": datetime_out(case.closed_at, tz),
            "close_reason": case.close_reason,
            "customer_message": case.customer_message,
            "escalated_at": datetime_out(case.escalated_at, tz),
            "escalated": self.get_escalated(case),
            "overdue": self.get_overdue(case),
            "recovered_level": choice_out(_LEVELS, case.recovered_level),
            "recovered_rated_at": datetime_out(case.recovered_rated_at, tz),
            "status_url": self.get_status_url(case),
            "recovered_url": self.get_recovered_url(case),
        }

    def _page(self):
        # The time zone and the severity labels in the current language: looked up once per
        # serializer (a page; DRF keeps a serializer's .data once computed too), not per row.
        page = getattr(self, "_page_constants", None)
        if page is None:
            labels = {value: str(label) for value, label in _SEVERITY_LABELS.items()}
            page = self._page_constants = (timezone.get_current_timezone(), labels)
        return page

    def get_status_url(self, case) -> str:
        return links.case_status_url(case)

    def get_recovered_url(self, case) -> str | None:
        return links.case_recovered_url(case) if case.status == RecoveryCase.Status.CLOSED else None

    def get_overdue(self, case) -> bool:
        return case.is_overdue(self.context.get("now") or timezone.now())

    def get_escalated(self, case) -> bool:
        """Escalated as soon as the due time has passed, not only after the periodic check."""
        return case.is_escalated(self.context.get("now") or timezone.now())


class CaseAssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="A user in the case's team.")


class CaseNewNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=timeline.NOTE_MAX, help_text="An internal note: the customer never sees it.")


class CaseNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=timeline.NOTE_MAX, default="")


class CaseFixSerializer(CaseNoteSerializer):
    customer_message = serializers.CharField(
        required=False, allow_blank=True, max_length=steps.CUSTOMER_MESSAGE_MAX, default="",
        help_text=gettext_lazy("what the customer reads about the fix (their mail and status page); the note stays internal"),
    )


class CaseSurpriseSerializer(_ScopedToViewer, CaseNoteSerializer):
    scoped_fields = {"gesture": gesture_list}
    gesture = serializers.PrimaryKeyRelatedField(queryset=Gesture.objects.none())


class CaseCloseSerializer(CaseNoteSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=timeline.NOTE_MAX, default="")


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "note", "at"]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class GestureRecommendationSerializer(serializers.Serializer):
    gesture = serializers.IntegerField(source="gesture.id")
    name = serializers.CharField(source="gesture.name")
    description = serializers.CharField(source="gesture.description")
    cost = serializers.DecimalField(source="gesture.cost", max_digits=10, decimal_places=2)
    level = serializers.IntegerField()
    fits_preferences = serializers.BooleanField()
    fit = serializers.IntegerField(help_text="how well it fits this customer: +1 preferences, +1 preferred channel, +2 an occasion in the next 14 days")
    why = serializers.CharField()


# --- Rules ---------------------------------------------------------------------------------


class RuleSerializer(SameForFormAndJSON, serializers.ModelSerializer):
    active = serializers.BooleanField(default=True)

    class Meta:
        model = Rule
        fields = ["id", "team", "name", "description", "active"]
        validators = []  # uniqueness per team is checked by the service, with a message on `name`
        extra_kwargs = {"name": {"validators": [refuse_control_characters]}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.selectors import team_list

        request = self.context.get("request")
        if request is not None and "team" in self.fields and not self.fields["team"].read_only:
            self.fields["team"].queryset = team_list(user=request.user)


class RuleUpdateSerializer(RuleSerializer):
    class Meta(RuleSerializer.Meta):
        read_only_fields = ["team"]


class RankedRuleSerializer(RuleSerializer):
    bend_count = serializers.IntegerField(read_only=True)
    approved_count = serializers.IntegerField(read_only=True)
    approval_rate = serializers.FloatField(read_only=True, allow_null=True)
    review_requested_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="when a manager accepted an idea naming this rule dumb: marked for review",
    )

    class Meta(RuleSerializer.Meta):
        fields = [*RuleSerializer.Meta.fields, "bend_count", "approved_count", "approval_rate", "review_requested_at"]
        read_only_fields = fields


class RankingQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=3650, required=False, default=90)
    ordering = serializers.ChoiceField(choices=["-bend_count"], required=False)


# --- Bends ---------------------------------------------------------------------------------


class BendOutputSerializer(serializers.ModelSerializer):
    who_decides = serializers.SerializerMethodField()
    who_decides_label = serializers.SerializerMethodField()

    class Meta:
        model = RuleBend
        fields = [
            "id", "rule", "team", "case", "customer", "justification", "cost", "status", "requested_by", "requested_at",
            "needs_admin", "who_decides", "who_decides_label", "auto_approved", "decided_by", "decided_at", "decision_note",
        ]
        read_only_fields = fields

    def get_who_decides(self, bend) -> str | None:
        """While pending: "manager" (of the team, within their approval limit) or "admin" (above every limit)."""
        if bend.status != RuleBend.Status.PENDING:
            return None
        return "admin" if bend.needs_admin else "manager"

    def get_who_decides_label(self, bend) -> str:
        return bends.bend_decider_words(bend)


class BendInputSerializer(SameForFormAndJSON, _ScopedToViewer, serializers.Serializer):
    scoped_fields = {"rule": selectors.rule_list, "case": selectors.case_list, "customer": customer_list}
    rule = serializers.PrimaryKeyRelatedField(queryset=Rule.objects.none())
    case = serializers.PrimaryKeyRelatedField(queryset=RecoveryCase.objects.none(), required=False, allow_null=True)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none(), required=False, allow_null=True)
    justification = serializers.CharField(max_length=timeline.NOTE_MAX)
    cost = MoneySerializerField()


class BendDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=timeline.NOTE_MAX, default="")


class BendEventSerializer(CaseEventSerializer):
    class Meta:
        model = BendEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "note", "at"]
        read_only_fields = fields
