"""``ordering`` for every API list: the API's field names, a total order, an index behind it.

A view lists ``ordering_fields`` (each one served by an index, so a page costs one page at any
depth; an order no index serves is not offered) and may map a field name to the query's names
with ``ordering_aliases`` (``"part": ("part__name", "part_id")``). The primary key is appended as
the last term, so the order is total and the pages of a list never overlap or skip a row.
"""

from rest_framework.filters import OrderingFilter


class IndexedOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        aliases = getattr(view, "ordering_aliases", {})
        terms: list[str] = []
        for term in ordering:
            sign = "-" if term.startswith("-") else ""
            name = term.lstrip("-")
            mapped = aliases.get(name, name)
            for column in (mapped,) if isinstance(mapped, str) else mapped:
                terms.append(sign + column)
        if not {"pk", "-pk", "id", "-id"} & set(terms):
            terms.append("-pk" if terms[-1].startswith("-") else "pk")
        return terms
