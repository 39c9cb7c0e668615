"""Reads for inventory: parts with their derived quantities computed in SQL, ledgers, stock.

``on_hand`` (sum of in-stock items), ``reserved`` (registered reservations) and ``available``
(on_hand - reserved) are annotations, so a list of any length costs the same few queries.
"""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from core.models import Location, Site
from inventory.models import (
    IN_STOCK_STATUSES,
    USAGE_TYPES,
    Part,
    PartVendor,
    StockItem,
    StockTransaction,
    Vendor,
)
from inventory.reservations import QUANTITY, reserved_expression

ZERO = Value(Decimal("0"), output_field=QUANTITY)


def in_stock_items() -> QuerySet[StockItem]:
    return StockItem.objects.filter(status__in=IN_STOCK_STATUSES, is_building=False)


def on_hand_expression():
    total = (
        in_stock_items()
        .filter(part=OuterRef("pk"))
        .values("part")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=QUANTITY), ZERO)


def with_quantities(parts: QuerySet[Part]) -> QuerySet[Part]:
    """Select ``on_hand`` and ``reserved``; ``available``, ``low_stock`` and
    ``suggested_order_qty`` are model properties derived from them.

    The three are also defined as aliases, so filters and ordering can use them in SQL without
    selecting them: selecting them made PostgreSQL evaluate the on-hand subquery four times per
    row, also for every row an OFFSET skips (see bench/README.md).
    """
    return (
        parts.annotate(on_hand=on_hand_expression(), reserved=reserved_expression())
        .alias(available=F("on_hand") - F("reserved"))
        .alias(
            low_stock=Case(
                When(is_non_stock=False, min_qty__gt=0, available__lt=F("min_qty"), then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
    )


def vendor_links() -> Prefetch:
    return Prefetch(
        "vendor_links",
        queryset=PartVendor.objects.select_related("vendor").order_by(
            "-is_preferred", "vendor__name"
        ),
    )


def parts_for_list(*, site: Site) -> QuerySet[Part]:
    return (
        with_quantities(Part.objects.for_site(site))
        .select_related("part_type", "default_location")
        .prefetch_related(vendor_links())
    )


def part_detail(*, site: Site) -> QuerySet[Part]:
    return parts_for_list(site=site).select_related("created_by", "updated_by")


def low_stock_parts(*, site: Site) -> QuerySet[Part]:
    return parts_for_list(site=site).filter(low_stock=True, active=True).order_by("name", "pk")


def stock_by_location(*, part: Part) -> QuerySet[StockItem]:
    """The part's stock items that hold something, with their locations, by location path."""
    return (
        StockItem.objects.filter(part=part, quantity__gt=0)
        .select_related("location")
        .order_by("location__path", "batch", "serial", "pk")
    )


def ledger_for_part(*, part: Part) -> QuerySet[StockTransaction]:
    return (
        StockTransaction.objects.filter(part=part)
        .select_related("location", "created_by", "stock_item")
        .order_by("-created_at", "-pk")
    )


def transactions_for_site(*, site: Site) -> QuerySet[StockTransaction]:
    return StockTransaction.objects.for_site(site).select_related(
        "part", "location", "created_by", "stock_item"
    )


def total_used(transactions: QuerySet[StockTransaction]) -> Decimal:
    """Quantity used up by work orders and builds (returns subtracted), as a positive number."""
    used = transactions.filter(type__in=USAGE_TYPES).aggregate(total=Sum("quantity"))["total"]
    return -(used or Decimal("0"))


def stock_items_for_site(*, site: Site) -> QuerySet[StockItem]:
    return StockItem.objects.for_site(site).select_related("part", "location")


def stock_at_location(*, location: Location, include_sublocations: bool = True):
    items = stock_items_for_site(site=location.site).filter(quantity__gt=0)
    if include_sublocations:
        return items.filter(location__lineage__startswith=location.lineage)
    return items.filter(location=location)


def vendors_for_site(*, site: Site) -> QuerySet[Vendor]:
    return Vendor.objects.for_site(site)


def vendors_for_list(*, site: Site) -> QuerySet[Vendor]:
    """The site's vendors with ``parts_count``, the number of parts each supplies."""
    return vendors_for_site(site=site).annotate(parts_count=Count("part_links", distinct=True))
