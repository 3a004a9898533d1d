"""Pagination of every API list (issue 8, kind 7: pages that move under the reader).

* Every paginated list has a deterministic order ending in a unique key: the primary key is
  appended to whatever order the view chose, so rows that tie are never shuffled between
  pages.
* ``?page=N&page_size=M`` (at most 200) pages by number: responses carry count,
  count_exact, next, previous, results. ``count`` is counted up to ``COUNT_CAP`` (1,000) rows
  (resolutionflow.pagination, the rule the History page follows too): past the cap
  ``count_exact`` is false and ``count`` is a lower bound, the cap or, on a page beyond it,
  the rows up to the end of that page ("more than this many"); the page that reaches the end
  makes it exact. ``next`` comes from reading one row past the page, so pages go on past
  the cap; ``page=last`` is the one request that counts every row. A page or page size that
  is not a whole number in range is 400 ``invalid_filter`` (naming it); a page past the end is
  404 ``not_found``.
* Lists that change while they are read declare ``cursor_ordering`` (fields that never
  change, ending in a unique one) and also page by cursor: ``?cursor=`` (empty: the first
  page) answers ``{"next": <url or null>, "results": [...]}`` and ``next`` continues after
  the last row shown, so rows added, changed or removed meanwhile never make the reader see
  a row twice or miss one that was there all along. A cursor that is not one of ours is 400
  ``invalid_filter``.
"""

import base64
import json

from django.core.exceptions import ValidationError
from django.db.models import Q
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from resolutionflow import pagination as counting

from .filters import invalid_filter, query_int

MAX_PAGE = 1_000_000
CURSOR = "cursor"


def with_unique_tail(queryset):
    """``queryset`` ordered as before, then by primary key (unless it already ends with it)."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    last = str(ordering[-1]).lstrip("-") if ordering else None
    if last in ("pk", "id", queryset.model._meta.pk.name):
        return queryset
    return queryset.order_by(*ordering, "pk")


def _keyset_after(ordering, values) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (lexicographic, each field up or down)."""
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        step = Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": values[index]})
        for earlier, value in zip(ordering[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def _encode(values) -> str:
    raw = json.dumps([value if isinstance(value, (int, float)) else str(value) for value in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, size: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size or any(
            not isinstance(value, (str, int, float)) or "\x00" in str(value) for value in values):
        raise invalid_filter(CURSOR, "This cursor is not one this list gave out; start again with cursor=.")
    return values


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers for every list, and a cursor for lists that declare ``cursor_ordering``
    (module docstring)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    template = None  # no page controls in the browsable API: they need the exact count

    def get_page_size(self, request):
        size = query_int(request, self.page_size_query_param, low=1, high=self.max_page_size)
        return size if size is not None else self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.cursor_mode = CURSOR in request.query_params
        if self.cursor_mode:
            return self._paginate_by_cursor(queryset, request, view)
        return self._paginate_by_number(with_unique_tail(queryset), request)

    def _paginate_by_number(self, queryset, request):
        """One page, read with one row of lookahead for ``next``, and the count bounded by
        ``COUNT_CAP`` (module docstring): 2 queries, neither growing with the table."""
        size = self.get_page_size(request)
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            total = queryset.count()  # asked for the last page: the one exact count
            number = max(1, -(-total // size))
        else:
            number = query_int(request, self.page_query_param, low=1, high=MAX_PAGE) or 1
        offset = (number - 1) * size
        rows = list(queryset[offset: offset + size + 1])
        if not rows and number > 1:
            raise NotFound("There is no such page.", code="not_found")
        self.page_number, self.has_next = number, len(rows) > size
        rows = rows[:size]
        seen = offset + len(rows)  # rows up to the end of this page; more follow when has_next
        if not self.has_next:  # this page reaches the end: the total is known
            self.count, self.count_exact = seen, True
        elif seen >= counting.COUNT_CAP:  # past the cap already: no need to count
            self.count, self.count_exact = seen, False
        else:
            bounded = counting.bounded_count(queryset)
            self.count_exact = bounded <= counting.COUNT_CAP
            self.count = bounded if self.count_exact else counting.COUNT_CAP
        return rows

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.page_number + 1)

    def get_previous_link(self):
        if self.page_number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def _paginate_by_cursor(self, queryset, request, view):
        ordering = list(getattr(view, "cursor_ordering", None) or [])
        if not ordering:
            raise invalid_filter(CURSOR, "This list pages by number (page=), not by cursor.")
        if self.page_query_param in request.query_params:
            raise invalid_filter(CURSOR, "Use either page= or cursor=, not both.")
        self.request = request
        size = self.get_page_size(request)
        queryset = queryset.order_by(*ordering)
        token = request.query_params.get(CURSOR, "")
        if token:
            values = _decode(token, len(ordering))
            try:
                queryset = queryset.filter(_keyset_after(ordering, values))
                rows = list(queryset[: size + 1])
            except (ValidationError, ValueError, TypeError, OverflowError):
                raise invalid_filter(CURSOR, "This cursor is not one this list gave out; start again with "
                                             "cursor=.") from None
        else:
            rows = list(queryset[: size + 1])
        self.cursor_next = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.cursor_next = _encode([getattr(last, field.lstrip("-")) for field in ordering])
        return rows

    def get_paginated_response(self, data):
        if getattr(self, "cursor_mode", False):
            url = self.request.build_absolute_uri()
            next_url = replace_query_param(url, CURSOR, self.cursor_next) if self.cursor_next else None
            return Response({"next": next_url, "results": data})
        return Response({"count": self.count, "count_exact": self.count_exact, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    # Set by the schema generator (resolutionflow.api.schema.AutoSchema) for the list described.
    cursor_offered = True

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            f"Rows that match, counted up to {counting.COUNT_CAP:,}: exact when count_exact is true; "
            f"otherwise more than this many match (narrow with filters, or follow next).")
        count, *rest = described["properties"].items()
        described["properties"] = dict([count, ("count_exact", {
            "type": "boolean", "description": "False when more rows match than count says (past the count cap)."}),
            *rest])
        if self.cursor_offered:
            described["required"] = ["next", "results"]
            described["description"] = ("With page=: count, count_exact, next, previous, results. With cursor=: "
                                         "next and results only.")
        else:
            described["required"] = ["count", "count_exact", "next", "previous", "results"]
        return described
