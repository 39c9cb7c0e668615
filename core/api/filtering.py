"""``django-filter`` for every API list, without building a FilterSet that would filter nothing.

A FilterSet is a form with a field per filter, built and validated on each request; for a list
asked for with no filter (the common case: a page, an order) that was about a millisecond of a
page's 10-15 (bench/README.md). Filters act only on the parameters present, so a request that
names none of them gets the queryset unchanged either way.
"""

from django_filters.rest_framework import DjangoFilterBackend

from core.filters import SiteFilterSet


def names_a_filter(filterset_class, params) -> bool:
    """Whether any query parameter belongs to a filter: its name, or a widget's suffixed name
    (a range filter reads ``<name>_min`` and ``<name>_max``)."""
    names = filterset_class.base_filters
    return any(
        param in names or any(param.startswith(f"{name}_") for name in names) for param in params
    )


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not names_a_filter(filterset_class, request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if issubclass(self.get_filterset_class(view, queryset), SiteFilterSet):
            kwargs["site"] = view.site
        return kwargs
