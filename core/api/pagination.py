"""Pagination. Small tables (teams, users, gestures, rules) count; large ones use a cursor and never COUNT(*)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import IntegerField
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

BIGINT = 2**63


class CountedPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ValidatedCursorPagination(CursorPagination):
    """A cursor is client input: one that does not decode, or whose position is not a value of the
    ordering field (forged: "p=abc", a number past bigint), is a 400 on `cursor`, never a query error."""

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            self._refuse()
        if cursor is not None and cursor.position is not None:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                value = field.to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                self._refuse()
            if isinstance(field, IntegerField) and not -BIGINT <= value < BIGINT:
                self._refuse()
        return cursor

    def _refuse(self):
        raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class NewestFirstCursorPagination(ValidatedCursorPagination):
    """For interactions, cases and bends: `next`, `previous`, `results`, no count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
