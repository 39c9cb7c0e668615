"""Where a row stands in a list's order, and the rows from there on (keyset seeking).

A page at offset 100,000 of a list read with ``OFFSET`` walks 100,000 index entries before its
first row, however cheap each is (6-8 ms on PostgreSQL for the middle of a 200,000-row ledger).
If the list's **key** at that offset is known (the values of its ordering columns in the row
there), the page is instead read from that key onward: the index seeks to it and reads one
page. ``core.pagination`` learns keys as it reads pages (each page also tells the key of the page
after it) and keeps them with the list's count, under the data version, so paging on through a
list, or reading a page again, seeks; a first jump into the middle still walks.

Seeking needs an order of plain columns that are never NULL (a NULL sorts first on SQLite and
last on PostgreSQL, and compares as nothing); a list ordered otherwise (by an annotation, a
nullable column) is paged by offset alone.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet

# (column path, descending) for each term of an order.
Order = list[tuple[str, bool]]


def seekable_order(queryset: QuerySet) -> Order | None:
    """The queryset's order as ``[(path, descending)]``, or None if it cannot be sought."""
    query = queryset.query
    if query.order_by:
        terms = query.order_by
    elif query.default_ordering:
        terms = query.get_meta().ordering
    else:
        terms = ()
    if not terms or query.extra_order_by:
        return None
    order = []
    for term in terms:
        if not isinstance(term, str) or term == "?":
            return None  # an expression, or random
        path = term.removeprefix("-")
        if not _never_null(queryset.model, path):
            return None
        order.append((path, term.startswith("-")))
    return order


def _never_null(model: type[Model], path: str) -> bool:
    """Whether ``path`` names a column that is never NULL, through foreign keys that are never
    NULL either (an annotation or a reverse relation is not a column: False)."""
    *relations, last = path.split("__")
    for name in relations:
        field = _field(model, name)
        if field is None or not field.many_to_one or field.null:
            return False
        model = field.related_model
    field = _field(model, last)
    if field is None or field.null or not field.concrete:
        return False
    # A foreign key by name orders by the related model's own order; by its column, by the id.
    return not field.is_relation or last == field.attname


def _field(model: type[Model], name: str):
    if name == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def from_key(order: Order, key: tuple) -> Q:
    """The rows at or after the row whose ordering values are ``key``, in ``order``.

    The first column's bound stands alone (``created_at <= x AND (...)``), so that the database
    seeks the index to it; the rest orders the rows that tie on it."""
    (path, descending), value = order[0], key[0]
    bound = Q(**{f"{path}__{'lte' if descending else 'gte'}": value})
    if len(order) == 1:
        return bound
    beyond = Q(**{f"{path}__{'lt' if descending else 'gt'}": value})
    return bound & (beyond | (Q(**{path: value}) & from_key(order[1:], key[1:])))
