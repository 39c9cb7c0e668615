"""FilterSets shared by the API and the pages."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.models import Location, TaskRecord


class LocationFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent id"))
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Only top-level locations")
    )
    within = django_filters.NumberFilter(
        method="filter_within", label=_("This location and everything below it")
    )
    depth = django_filters.NumberFilter(field_name="depth")
    q = django_filters.CharFilter(method="filter_q", label=_("Name or path contains"))

    class Meta:
        model = Location
        fields = ["parent", "top_level", "within", "depth", "q"]

    def filter_within(self, queryset, name, value):
        # Looked up in the (already site-scoped) queryset: another site's id matches nothing.
        lineage = queryset.filter(pk=value).values_list("lineage", flat=True).first()
        if lineage is None:
            return queryset.none()
        return queryset.filter(lineage__startswith=lineage)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(path__icontains=value))


class TaskRecordFilter(django_filters.FilterSet):
    class Meta:
        model = TaskRecord
        fields = ["state", "name"]
