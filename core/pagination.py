"""A page of a list for the cost of one page: the one way every list, API or page, is paged.

A list's queryset carries joins, annotations (derived quantities) and prefetches. Sliced as it
is, the database would compute all of that for every row before the page, too (with OFFSET,
PostgreSQL evaluates a correlated subquery for each skipped row). Instead:

1. the **ids** of the page come from the cheapest query that answers them: the same filters and
   ordering, selecting only the primary key, which an index serves (lists order by indexed columns
   and end with the primary key, so the order is total and pages never overlap);
2. a page in the second half of the list is read **from the end** in reverse order, so the last
   page costs what the first one does;
3. the **rows** of those ids are then loaded with everything the list shows (annotations,
   ``select_related``, prefetches), for those rows only, and put back in the ids' order.

``count`` is the exact number of rows; a list whose count is expensive (hundreds of thousands of
rows) caches it under a *data version* that every write of that data changes (``core.versions``),
so paging costs O(page) between writes and an exact recount after one.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.versions import Versioned, cached_answer


@dataclass(frozen=True)
class Page:
    rows: list
    count: int
    offset: int
    limit: int


def page_ids(queryset: QuerySet, *, offset: int, limit: int, count: int) -> list:
    """The primary keys of rows ``offset .. offset+limit`` of ``queryset`` in its order."""
    if limit <= 0 or offset >= count:
        return []
    ids = queryset.values_list("pk", flat=True)
    if not queryset.ordered:
        ids = ids.order_by("pk")
    end = min(offset + limit, count)
    if offset > count - end:
        # Closer to the end: skip fewer rows by reading the reversed order from the end.
        tail = count - end
        return list(reversed(list(ids.reverse()[tail : tail + (end - offset)])))
    return list(ids[offset:end])


def rows_for_ids(queryset: QuerySet, ids: Sequence) -> list:
    """The rows of ``ids`` with everything ``queryset`` adds to them, in the order of ``ids``."""
    if not ids:
        return []
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def counted(queryset: QuerySet, *, versioned: Versioned | None = None) -> int:
    """The exact count. With ``versioned`` (site id, the data topic or topics it depends on), a
    count made since the last write of that data (``core.versions``) is reused: the SQL that
    selects the rows' ids is part of the key. (The ids, not the rows: what decides the count is
    the filters, joins and grouping, and the full row query, with every join and annotation a
    list shows, took a third of a millisecond more to write out.)"""
    queryset = queryset.order_by()
    if versioned is None:
        return queryset.count()
    try:
        sql, params = queryset.values_list("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (another site's location)
        return 0
    parts = ("count", sql, repr(params))
    return cached_answer(versioned, parts, queryset.count, COUNT_CACHE_SECONDS)


# A cached count is keyed by the data version, so it is never stale; the timeout only bounds memory.
COUNT_CACHE_SECONDS = 600


def page_of(
    queryset: QuerySet, *, offset: int, limit: int, versioned: Versioned | None = None
) -> Page:
    """One page of ``queryset`` (see the module docstring)."""
    count = counted(queryset, versioned=versioned)
    ids = page_ids(queryset, offset=offset, limit=limit, count=count)
    return Page(rows=rows_for_ids(queryset, ids), count=count, offset=offset, limit=limit)


class Paginator(DjangoPaginator):
    """Django's paginator for pages (``?page=N``, "Page 3 of 40"), paging the same way as the
    API: ids first, from the end for the second half, rows for the page only; ``versioned`` as
    for ``counted``."""

    def __init__(self, object_list, per_page, *, versioned: Versioned | None = None):
        super().__init__(object_list, per_page)
        self.versioned = versioned

    @cached_property
    def count(self) -> int:
        return counted(self.object_list, versioned=self.versioned)

    def page(self, number):
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        ids = page_ids(self.object_list, offset=offset, limit=self.per_page, count=self.count)
        return self._get_page(rows_for_ids(self.object_list, ids), number, self)
