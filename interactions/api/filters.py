"""Query parameters of the lists, validated by django-filter: a bad value is a 400, never a raw lookup."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy

from core.api.filters import IdFilter
from interactions.levels import Channel, Level
from interactions.models import Customer, Gesture, Interaction


class CustomerFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    search = django_filters.CharFilter(method="filter_search", max_length=100, help_text=gettext_lazy("name or email contains"))

    class Meta:
        model = Customer
        fields = ["team", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class GestureFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    active = django_filters.BooleanFilter()
    recurring = django_filters.BooleanFilter()

    class Meta:
        model = Gesture
        fields = ["team", "active", "recurring"]


class InteractionFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    customer = IdFilter(field_name="customer_id")
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["team", "customer", "level", "channel", "occurred_after", "occurred_before"]
