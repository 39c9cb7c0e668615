"""FilterSets shared by the inventory API and pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from core.models import Location
from inventory.models import (
    IN_STOCK_STATUSES,
    Part,
    StockItem,
    StockStatus,
    StockTransaction,
    TransactionType,
    Vendor,
)


class PartFilter(django_filters.FilterSet):
    """Expects a queryset from ``selectors.parts_for_list`` (``low_stock`` is an annotation)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Number, name or description"))
    part_type = IdFilter(field_name="part_type_id", label=_("Part type id"))
    type = IdFilter(field_name="part_type_id", label=_("Part type id (alias)"))
    vendor = IdFilter(method="filter_vendor", label=_("Vendor id"))
    active = django_filters.BooleanFilter()
    low_stock = django_filters.BooleanFilter(label=_("Available below the minimum"))
    assembly = django_filters.BooleanFilter()
    trackable = django_filters.BooleanFilter()
    is_non_stock = django_filters.BooleanFilter()

    class Meta:
        model = Part
        fields = ["q", "part_type", "vendor", "active", "low_stock", "assembly", "trackable"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(vendor_links__vendor_part_number__icontains=value)
        ).distinct()

    def filter_vendor(self, queryset, name, value):
        return queryset.filter(vendor_links__vendor_id=value).distinct()


class StockItemFilter(django_filters.FilterSet):
    """InvenTree's stock filters: ``location`` includes sub-locations unless ``cascade=false``."""

    part = IdFilter(field_name="part_id")
    location = IdFilter(method="filter_location")
    cascade = django_filters.BooleanFilter(method="filter_noop", label=_("Include sub-locations"))
    batch = django_filters.CharFilter()
    serial = django_filters.CharFilter()
    status = django_filters.TypedMultipleChoiceFilter(choices=StockStatus.choices, coerce=int)
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")
    is_building = django_filters.BooleanFilter()

    class Meta:
        model = StockItem
        fields = ["part", "location", "batch", "serial", "status", "in_stock", "is_building"]

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_location(self, queryset, name, value):
        if self.data.get("cascade") in ("false", "False", "0"):
            return queryset.filter(location_id=value)
        lineage = (
            Location.objects.filter(pk=value, site__in=queryset.values("site")[:1])
            .values_list("lineage", flat=True)
            .first()
        )
        if lineage is None:
            return queryset.none()
        return queryset.filter(location__lineage__startswith=lineage)

    def filter_in_stock(self, queryset, name, value):
        stocked = Q(status__in=IN_STOCK_STATUSES, is_building=False, quantity__gt=0)
        return queryset.filter(stocked) if value else queryset.exclude(stocked)


class TransactionFilter(django_filters.FilterSet):
    type = django_filters.MultipleChoiceFilter(choices=TransactionType.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    note = django_filters.CharFilter(field_name="note", lookup_expr="icontains")
    part = IdFilter(field_name="part_id")

    class Meta:
        model = StockTransaction
        fields = ["type", "part", "note"]


class VendorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Vendor
        fields = ["q", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(contact_name__icontains=value) | Q(email__icontains=value)
        )
