"""The changelist paginator: an exact row count for lists of ordinary size, the database planner's
estimate for very large ones.

Django's admin counts the (scoped, filtered) list on every page view to draw the page links. For a city
or province user that is a ``COUNT(*)`` over hundreds of thousands of rows on each click. This paginator
first counts at most ``EXACT_LIMIT + 1`` rows (a bounded scan): below the limit the count is exact, as
before. Only when the list is longer does it ask PostgreSQL's planner for its row estimate (``EXPLAIN``,
no scan) and show it as approximate (“约 …”); a page number past the estimated end is an empty page, not
an error. Other databases (SQLite, the embedded default) keep the exact count.
"""

from __future__ import annotations

import json

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

#: lists up to this many rows are always counted exactly
EXACT_LIMIT = 10_000


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's estimated row count of ``queryset`` (no rows are read), or None elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = queryset.order_by().explain(format="json")
    try:
        return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


class EstimatedCountPaginator(Paginator):
    """Exact count up to ``exact_limit`` rows; above it the planner's estimate (never below the limit)."""

    template_name = "core/pagination.html"
    exact_limit = EXACT_LIMIT

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: True when ``count`` is the planner's estimate rather than a count of the rows
        self.estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):  # a list, not a queryset
            return len(queryset)
        capped = queryset.order_by()[: self.exact_limit + 1].count()
        if capped <= self.exact_limit:
            return capped
        estimate = planner_estimate(queryset)
        if estimate is None:
            return queryset.count()
        self.estimated = True
        return max(estimate, capped)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past an estimated end the rows may still exist (or not): show that page, possibly empty.
            if self.estimated and int(number) >= 1:
                return int(number)
            raise

    def page(self, number) -> Page:
        if not self.estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
