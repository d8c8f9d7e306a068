import django_filters
from django.core.validators import RegexValidator

from core.api.filters import IdFilter

from interactions.levels import Channel

from ..models import RecoveryCase, RuleBend
from ..selectors import case_overdue_filter, case_owner_filter


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RecoveryCase.Status.choices)
    severity = django_filters.TypedChoiceFilter(choices=[(1, "Criminal"), (2, "Basic")], coerce=int)
    team = IdFilter(field_name="team_id")
    # A choice, not a BooleanFilter: an unknown value is a 400, not silently "any".
    overdue = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_overdue")
    owner = django_filters.CharFilter(
        method="filter_owner", validators=[RegexValidator(r"^(me|none|[1-9][0-9]{0,17})$", "A user id, me or none.")],
        help_text="A user id, `me` (your cases) or `none` (nobody's yet).",
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, field_name="interaction__channel")

    class Meta:
        model = RecoveryCase
        fields = ["status", "severity", "team", "overdue", "owner", "channel"]

    def filter_overdue(self, queryset, name, value):
        return case_overdue_filter(queryset, value == "true") if value else queryset

    def filter_owner(self, queryset, name, value):
        return case_owner_filter(queryset, value, user=self.request.user) if value else queryset


class BendFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RuleBend.Status.choices)
    team = IdFilter(field_name="team_id")
    rule = IdFilter(field_name="rule_id")
    case = IdFilter(field_name="case_id")
    customer = IdFilter(field_name="customer_id")
    needs_admin = django_filters.BooleanFilter()

    class Meta:
        model = RuleBend
        fields = ["status", "team", "rule", "case", "customer", "needs_admin"]
