"""Query-parameter filters every app's lists share."""

import django_filters
from django import forms

# The largest id PostgreSQL's bigint and SQLite's INTEGER hold: anything above is a 400, not an overflow.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (anything else is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
