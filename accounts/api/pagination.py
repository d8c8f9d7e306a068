"""Pagination. Small tables (teams, users, gestures, rules) count; large ones use a cursor and never COUNT(*)."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class CountedPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstCursorPagination(CursorPagination):
    """For interactions, cases and bends: `next`, `previous`, `results`, no count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
