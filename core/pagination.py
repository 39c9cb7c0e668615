"""A page of a list for the cost of one page: the one way every list, API or page, is paged.

A list's queryset carries joins, annotations (derived quantities) and prefetches. Sliced as it
is, the database would compute all of that for every row before the page, too (with OFFSET,
PostgreSQL evaluates a correlated subquery for each skipped row). Instead:

1. the **ids** of the page come from the cheapest query that answers them: the same filters and
   ordering, selecting only the primary key, which an index serves (lists order by indexed columns
   and end with the primary key, so the order is total and pages never overlap);
2. a page whose **key** is known (the ordering values of its first row, found on an earlier
   read of the list, ``core.keyset``) is **sought** from that key: the index seeks to it and
   reads one page, at any depth. Every read learns the key of its page and of the next one, so
   paging on through a list, or reading a page again, seeks;
3. any other page is read by offset, from the **nearer end** (a page in the second half in
   reverse order from the end), so the last page costs what the first one does and the middle
   walks half the index once;
4. the **rows** of those ids are then loaded with everything the list shows (annotations,
   ``select_related``, prefetches), for those rows only, and put back in the ids' order.

``count`` is the exact number of rows; a list whose count is expensive (hundreds of thousands of
rows) caches it, with the keys found on it, under a *data version* that every write of that data
changes (``core.versions``), so paging costs O(page) between writes and an exact recount after
one (``Listing``).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.keyset import regions, seekable_order
from core.versions import CachedAnswer, Versioned


@dataclass(frozen=True)
class Page:
    rows: list
    count: int
    offset: int
    limit: int


def page_ids(
    queryset: QuerySet, *, offset: int, limit: int, count: int, known: dict | None = None
) -> list:
    """The primary keys of rows ``offset .. offset+limit`` of ``queryset`` in its order.

    ``known`` (offset -> key, see ``core.keyset``) holds the keys found on earlier pages of the
    list: with the key at ``offset`` the page is sought, else read by offset from the nearer end.
    Either way the keys this read finds (at ``offset``, and at the next page's offset) are added
    to ``known``."""
    if limit <= 0 or offset >= count:
        return []
    order = seekable_order(queryset) if known is not None else None
    if order is None:
        return [row[0] for row in _by_offset(queryset.values_list("pk"), offset, limit, count)]
    rows = queryset.values_list("pk", *(path for path, _descending, _nullable in order))
    # Near either end an offset read walks a few index entries: only deeper pages are sought.
    walk = min(offset, count - offset - limit)
    key = known.get(offset) if walk > SEEK_BEYOND else None
    if key is not None:
        connection = connections[queryset.db]
        runs = regions(
            order,
            key,
            nulls_largest=connection.features.nulls_order_largest,
            row_values=connection.vendor == "postgresql",
        )
        found = []
        for run in runs:
            found += rows.filter(run)[: limit + 1 - len(found)]
            if len(found) > limit:
                break
        rows = found
    else:
        rows = _by_offset(rows, offset, limit + 1, count)
    if rows:
        known[offset] = rows[0][1:]
    if len(rows) > limit:
        known[offset + limit] = rows[limit][1:]
    return [row[0] for row in rows[:limit]]


# A page whose offset read would walk more index entries than this is sought from its key.
SEEK_BEYOND = 500


def _by_offset(rows: QuerySet, offset: int, limit: int, count: int) -> list:
    """Rows ``offset .. offset+limit`` (as far as there are), by OFFSET from the nearer end."""
    if not rows.ordered:
        rows = rows.order_by("pk")
    end = min(offset + limit, count)
    if offset > count - end:
        # Closer to the end: skip fewer rows by reading the reversed order from the end.
        tail = count - end
        return list(reversed(list(rows.reverse()[tail : tail + (end - offset)])))
    return list(rows[offset:end])


def rows_for_ids(queryset: QuerySet, ids: Sequence) -> list:
    """The rows of ``ids`` with everything ``queryset`` adds to them, in the order of ``ids``."""
    if not ids:
        return []
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__any=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def counted(queryset: QuerySet, *, versioned: Versioned | None = None) -> int:
    """The exact count. With ``versioned`` (site id, the data topic or topics it depends on), a
    count made since the last write of that data (``core.versions``) is reused: the SQL that
    selects the rows' ids is part of the key. (The ids, not the rows: what decides the count is
    the filters, joins and grouping, and the full row query, with every join and annotation a
    list shows, took a third of a millisecond more to write out.)"""
    queryset = queryset.order_by()
    answer = versioned and CachedAnswer.about_query(
        versioned, "count", queryset.values_list("pk"), COUNT_CACHE_SECONDS
    )
    return answer.get(queryset.count) if answer else queryset.count()


# A cached count is keyed by the data version, so it is never stale; the timeout only bounds memory.
COUNT_CACHE_SECONDS = 600


def page_of(
    queryset: QuerySet, *, offset: int, limit: int, versioned: Versioned | None = None
) -> Page:
    """One page of ``queryset`` (see the module docstring)."""
    listing = Listing(queryset, versioned)
    rows = listing.rows(offset, limit)
    return Page(rows=rows, count=listing.count, offset=offset, limit=limit)


# A list all on its first page is read in one query (``Listing.rows``); tests of how long lists
# are read turn this off to see the ids query on a few rows.
READ_SHORT_LISTS_WHOLE = True

# A list keeps the keys of at most this many offsets (each a few values) with its count.
KNOWN_KEYS_MAX = 200


class Listing:
    """A list's count and the keys found on its pages (``core.keyset``). With ``versioned``
    (as for ``counted``) both are kept in the cache, in one entry under the list's SQL (with its
    order), so one round trip answers both; without, the list is counted and paged by offset."""

    def __init__(self, queryset: QuerySet, versioned: Versioned | None = None):
        self.queryset = queryset
        self.entry = versioned and CachedAnswer.about_query(
            versioned, "list", queryset.values_list("pk"), COUNT_CACHE_SECONDS
        )

    @cached_property
    def state(self) -> dict:
        if not self.entry:
            return {"count": self.queryset.order_by().count(), "known": None}
        return self.entry.get(lambda: {"count": self.queryset.order_by().count(), "known": {}})

    @property
    def count(self) -> int:
        return self.state["count"]

    def rows(self, offset: int, limit: int) -> list:
        """The rows of the page, with everything the queryset adds to them. A list that is all
        on its first page (a bin's stock, a new part's ledger) is read as it is, in one query:
        its ids would be all of them, so reading them first would only add a query."""
        if READ_SHORT_LISTS_WHOLE and offset == 0 and self.count <= limit:
            return list(self.queryset[:limit])
        return rows_for_ids(self.queryset, self.page_ids(offset, limit))

    def page_ids(self, offset: int, limit: int) -> list:
        known = self.state["known"]
        learned = dict(known) if known is not None else None
        ids = page_ids(self.queryset, offset=offset, limit=limit, count=self.count, known=learned)
        if learned != known:
            while len(learned) > KNOWN_KEYS_MAX:
                del learned[next(iter(learned))]  # the first found
            self.state = {**self.state, "known": learned}
            self.entry.put(self.state)
        return ids


class Paginator(DjangoPaginator):
    """Django's paginator for pages (``?page=N``, "Page 3 of 40"), paging the same way as the
    API (``Listing``): ids first, sought from a known key or read from the nearer end, rows for
    the page only; ``versioned`` as for ``counted``."""

    def __init__(self, object_list, per_page, *, versioned: Versioned | None = None):
        super().__init__(object_list, per_page)
        self.listing = Listing(object_list, versioned)

    @cached_property
    def count(self) -> int:
        return self.listing.count

    def page(self, number):
        number = self.validate_number(number)
        rows = self.listing.rows((number - 1) * self.per_page, self.per_page)
        return self._get_page(rows, number, self)
