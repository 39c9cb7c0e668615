"""FilterSets shared by the inventory API and pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, SiteFilterSet
from core.search import matching
from core.selectors import locations_inside
from inventory.models import (
    CountStatus,
    Part,
    StockCount,
    StockItem,
    StockStatus,
    StockTransaction,
    TransactionType,
    Vendor,
)


class PartFilter(django_filters.FilterSet):
    """The parts list's filters (API and page alike)."""

    q = django_filters.CharFilter(
        method="filter_q",
        label=_(
            "Words that must all appear in the number, name, description or a vendor part number"
        ),
    )
    search = django_filters.CharFilter(method="filter_q", label=_("The same as q"))
    part_type = IdFilter(field_name="part_type_id", label=_("Part type id"))
    type = IdFilter(field_name="part_type_id", label=_("Part type id (alias)"))
    vendor = IdFilter(method="filter_vendor", label=_("Vendor id"))
    active = django_filters.BooleanFilter()
    low_stock = django_filters.BooleanFilter(
        method="filter_low_stock", label=_("Available below the minimum")
    )
    assembly = django_filters.BooleanFilter()
    trackable = django_filters.BooleanFilter()
    is_non_stock = django_filters.BooleanFilter()

    class Meta:
        model = Part
        fields = [
            "q",
            "search",
            "part_type",
            "vendor",
            "active",
            "low_stock",
            "assembly",
            "trackable",
        ]

    def filter_q(self, queryset, name, value):
        """Every word, in any order (``core.search``): "6204 bearing" finds "Ball bearing
        6204-2RS"."""
        return matching(queryset, value)

    def filter_low_stock(self, queryset, name, value):
        return queryset.low_stock() if value else queryset.not_low_stock()

    def filter_vendor(self, queryset, name, value):
        return queryset.filter(vendor_links__vendor_id=value).distinct()


class StockItemFilter(SiteFilterSet):
    """InvenTree's stock filters: ``location`` includes sub-locations unless ``cascade=false``.

    The stock page and ``/api/stock/`` both filter with this class.
    """

    part = IdFilter(field_name="part_id")
    location = IdFilter(method="filter_location", label=_("Location (and what is inside it)"))
    cascade = django_filters.BooleanFilter(
        method="filter_cascade", label=_("Include sub-locations (default true)")
    )
    batch = django_filters.CharFilter()
    serial = django_filters.CharFilter()
    status = django_filters.TypedMultipleChoiceFilter(choices=StockStatus.choices, coerce=int)
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")
    is_building = django_filters.BooleanFilter()

    class Meta:
        model = StockItem
        fields = ["part", "location", "batch", "serial", "status", "in_stock", "is_building"]

    def filter_location(self, queryset, name, value):
        """The location and everything below it, as the list of their ids
        (``core.selectors.locations_inside``: one cache read while the tree is unchanged).

        Filtering on the joined location's lineage instead let PostgreSQL walk the stock items in
        the list's order and test each one's location: the last page of one building's stock
        read 90,000 items of the other buildings (``bench/README.md``). With the ids, it reads
        the items of those locations only. Another site's location finds nothing.
        """
        inside = locations_inside(site=self.site, location_id=value)
        return queryset.none() if inside is None else queryset.filter(location_id__any=inside)

    def filter_cascade(self, queryset, name, value):
        """``cascade=false`` narrows a ``location`` filter to the location itself."""
        location = self.form.cleaned_data.get("location")
        if value is False and location is not None:
            return queryset.filter(location_id=location)
        return queryset

    def filter_in_stock(self, queryset, name, value):
        return queryset.in_stock() if value else queryset.not_in_stock()


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


class StockCountFilter(django_filters.FilterSet):
    """``status`` (repeatable; ``pending`` is "to confirm"), ``part``, ``stock_item``."""

    status = django_filters.MultipleChoiceFilter(choices=CountStatus.choices)
    part = IdFilter(field_name="part_id", label=_("Part id"))
    stock_item = IdFilter(field_name="stock_item_id", label=_("Stock item id"))

    class Meta:
        model = StockCount
        fields = ["status", "part", "stock_item"]
