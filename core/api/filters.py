"""Query-parameter filters every app's lists share."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

# The largest id PostgreSQL's bigint and SQLite's INTEGER hold: anything above is a 400, not an overflow.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (anything else is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ListFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the list's filters.

    A FilterSet with no values filters nothing (none of ours is required), yet building and
    validating it cost about as much as the page's own query on the interactions list.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _names_a_filter(request.query_params, filterset_class.base_filters):
            return queryset
        filterset = filterset_class(**self.get_filterset_kwargs(request, queryset, view))
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        return filterset.qs


def _names_a_filter(params, filters) -> bool:
    # A filter of several widgets reads "<name>_min", "<name>_after", ...: a prefix counts too.
    return any(param == name or param.startswith(f"{name}_") for param in params for name in filters)
