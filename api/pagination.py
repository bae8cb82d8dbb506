"""Cursor pagination: each page continues from the last row's key, so page 5.000 costs what page 1 costs.

Every list orders by an indexed unique key (the primary key, or the region code), never by a name: an OFFSET or a
sort on an unindexed column would read all the rows before the page on a table of millions.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "pk"
    invalid_cursor_message = _("Kursor halaman tidak valid.")

    def get_ordering(self, request, queryset, view):
        """The view's ``cursor_ordering`` (one indexed unique key), else the primary key."""
        return (getattr(view, "cursor_ordering", self.ordering),)
