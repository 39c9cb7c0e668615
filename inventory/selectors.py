"""Reads for inventory: parts with their derived quantities computed in SQL, ledgers, stock.

``on_hand`` (sum of in-stock items), ``reserved`` (registered reservations) and ``available``
(on_hand - reserved) come from ``Part.objects.with_quantities()``, so a list of any length costs
the same few queries. Pages and the API read through these functions, never ad hoc querysets.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, StrIndex, Substr

from core.models import Location, Site
from core.selectors import USER_REF_COLUMNS, locations_inside, select_related_columns
from core.versions import CachedAnswer, Versioned, cached_answer
from inventory.filters import StockItemFilter
from inventory.models import (
    LISTED_VENDOR_LINKS,
    USAGE_TYPES,
    CountStatus,
    Part,
    PartType,
    PartVendor,
    StockCount,
    StockItem,
    StockTransaction,
    Vendor,
)
from inventory.services.ledger import STOCK_LIST_DATA


def vendor_links() -> Prefetch:
    """Each part's vendor links with the vendors' names, for ``Part.vendor_list``."""
    links = select_related_columns(PartVendor.objects.all(), vendor=("name",))
    return Prefetch("vendor_links", queryset=links, to_attr=LISTED_VENDOR_LINKS)


# Columns of a part no list shows: only the parts service reads (and rewrites) them.
NOT_LISTED = ("search_text",)


def _parts_shown(site: Site, **related: tuple[str, ...]) -> QuerySet[Part]:
    """Parts with their quantities, type and default location, and ``related``."""
    parts = select_related_columns(
        Part.objects.for_site(site), part_type=("name",), default_location=("path",), **related
    )
    return parts.defer(*NOT_LISTED).with_quantities()


def parts_for_list(*, site: Site) -> QuerySet[Part]:
    """Parts as the API lists and shows them: with who created and changed them, and their
    vendors (prefetched for the whole page)."""
    parts = _parts_shown(site, created_by=USER_REF_COLUMNS, updated_by=USER_REF_COLUMNS)
    return parts.prefetch_related(vendor_links())


def part_for_page(*, site: Site) -> QuerySet[Part]:
    """Parts as the part page shows one: without the people who created and changed it, which
    the page does not show (two joins fewer to write and read), and without a prefetch of its
    vendors: for one part, ``Part.vendor_list`` reads them in a plain query, which costs less
    than the prefetch's machinery."""
    return _parts_shown(site)


def parts_for_table(*, site: Site) -> QuerySet[Part]:
    """Parts as the parts page lists them: quantities and type, without the people and vendors
    the table does not show (a page of 50 then builds 100 records instead of 360)."""
    parts = select_related_columns(Part.objects.for_site(site), part_type=("name",))
    return parts.defer(*NOT_LISTED).with_quantities()


def _to_reorder(parts: QuerySet[Part]) -> QuerySet[Part]:
    return parts.low_stock().filter(active=True).order_by("name", "pk")


def low_stock_parts(*, site: Site) -> QuerySet[Part]:
    """The parts to reorder as the API shows them (``parts_for_list``)."""
    return _to_reorder(parts_for_list(site=site))


def reorder_list(*, site: Site) -> QuerySet[Part]:
    """The parts to reorder as the reorder page shows them: with their vendors."""
    return _to_reorder(parts_for_table(site=site).prefetch_related(vendor_links()))


def part_types_for_site(*, site: Site | int) -> QuerySet[PartType]:
    return PartType.objects.for_site(site).order_by("name")


def stock_by_location(*, part: Part) -> QuerySet[StockItem]:
    """The part's stock items that hold something, with their locations' paths, by path."""
    items = StockItem.objects.filter(part=part, quantity__gt=0)
    return select_related_columns(items, location=("path",)).order_by(
        "location__path", "batch", "serial", "pk"
    )


def stock_items_to_act_on(*, part: Part) -> QuerySet[StockItem]:
    """The part's items a transfer or scrap can take from: in stock, by location."""
    return (
        StockItem.objects.filter(part=part)
        .in_stock()
        .select_related("location", "part")
        .order_by("location__path", "batch", "serial", "pk")
    )


def ledger_for_part(*, part: Part, with_part_name: bool = False) -> QuerySet[StockTransaction]:
    """The part's ledger, newest first; ``with_part_name`` for the API rows, which name it."""
    rows = StockTransaction.objects.filter(part=part).order_by("-created_at", "-pk")
    parts = {"part": ("name",)} if with_part_name else {}
    return select_related_columns(rows, **parts, location=("path",), created_by=USER_REF_COLUMNS)


def transactions_for_site(*, site: Site) -> QuerySet[StockTransaction]:
    return select_related_columns(
        StockTransaction.objects.for_site(site),
        part=("name",),
        location=("path",),
        created_by=USER_REF_COLUMNS,
    )


def total_used(
    transactions: QuerySet[StockTransaction], *, versioned: Versioned | None = None
) -> Decimal:
    """Quantity used up by work orders and builds (returns subtracted), as a positive number.
    With ``versioned`` (the site and the stock data topic), kept until the next stock write, as
    a list's count is (``core.pagination.counted``)."""
    usage = transactions.filter(type__in=USAGE_TYPES).order_by()

    def total() -> Decimal:
        return -(usage.aggregate(total=Sum("quantity"))["total"] or Decimal("0"))

    answer = versioned and CachedAnswer.about_query(
        versioned, "total_used", usage.values_list("pk"), TOTALS_CACHE_SECONDS
    )
    return answer.get(total) if answer else total()


# Cached under the stock data version, so never stale; the timeout bounds memory.
TOTALS_CACHE_SECONDS = 600


def stock_items_for_site(*, site: Site) -> QuerySet[StockItem]:
    return select_related_columns(
        StockItem.objects.for_site(site),
        part=("number", "name", "units"),
        location=("path",),
    )


def stock_for_page(*, site: Site, filters: dict) -> QuerySet[StockItem]:
    """The stock page: items that hold something, filtered by ``StockItemFilter`` (the same
    FilterSet as ``/api/stock/``), by location path then part."""
    items = stock_items_for_site(site=site).filter(quantity__gt=0)
    # Grouped by location, in the order an index of the stock items serves: ordering by the
    # location's path would sort every item of the site for each page (see bench/README.md).
    return StockItemFilter(filters, queryset=items, site=site).qs.order_by("location_id", "pk")


# --- Stock at a location (its page and the location tree) -----------------------------------------


def stock_at_location(*, location: Location) -> QuerySet[StockItem]:
    """What is stored at the location itself (not inside it): the items that hold something,
    with their parts' number, name and units, in the order the held-stock index serves."""
    items = StockItem.objects.for_site(location.site_id).filter(location=location, quantity__gt=0)
    return select_related_columns(items, part=("number", "name", "units")).order_by(
        "location_id", "pk"
    )


def stock_counts_below(*, site: Site | int, location_ids: list[int]) -> dict[int, int]:
    """``{location_id: n}``: how many stock items hold something in each of the locations and
    everything inside it (a location with none is left out).

    The site's items are counted per location in one grouped query, and each location's count is
    added to the location and every location above it (its stored ``lineage``), so the rows of
    a whole tree cost one query, not one per row. The roll-up is kept until the next stock
    action or change of the tree: between them the tree costs a cache read."""
    site_id = getattr(site, "pk", site)

    def roll_up() -> dict[int, int]:
        per_location = (
            StockItem.objects.for_site(site_id)
            .filter(quantity__gt=0, location__isnull=False)
            .values_list("location__lineage")
            .annotate(n=Count("pk"))
            .order_by()
        )
        totals: dict[int, int] = defaultdict(int)
        for lineage, n in per_location:
            for pk in lineage.strip("/").split("/"):
                if pk:
                    totals[int(pk)] += n
        return dict(totals)

    totals = cached_answer(
        (site_id, STOCK_LIST_DATA), ("held-below",), roll_up, TOTALS_CACHE_SECONDS
    )
    return {pk: totals[pk] for pk in location_ids if pk in totals}


def stock_in_sub_locations(*, location: Location) -> list[dict]:
    """For each location directly inside ``location`` that holds stock in it or below it:
    ``{"pk", "name", "items", "parts"}`` (stock items holding something, distinct parts), by
    name.

    One grouped query over the stock of the subtree: each item is grouped by the id that follows
    ``location``'s own in its location's stored lineage ("/3/7/" + "12/40/" is child 12), so
    the distinct parts of a child and everything inside it are counted in SQL. Kept, like the
    tree's counts, until the next stock action or change of the tree."""
    site_id = location.site_id

    def compute() -> list[dict]:
        inside = locations_inside(site=site_id, location_id=location.pk) or []
        if len(inside) <= 1:
            return []  # nothing inside the location: no query
        below = Substr("location__lineage", len(location.lineage) + 1)
        child = Substr(below, 1, StrIndex(below, Value("/")) - 1)
        totals = (
            StockItem.objects.for_site(site_id)
            .filter(quantity__gt=0, location_id__any=inside)
            .exclude(location_id=location.pk)
            .annotate(child=child)
            .values("child")
            .annotate(items=Count("pk"), parts=Count("part_id", distinct=True))
            .order_by()
        )
        # A lineage is digits and slashes; anything else (a tree mid-repair) is left out.
        by_child = {int(row["child"]): row for row in totals if row["child"].isdigit()}
        if not by_child:
            return []
        names = (
            Location.objects.for_site(site_id)
            .filter(pk__any=list(by_child))
            .order_by("name", "pk")
            .values_list("pk", "name")
        )
        return [
            {"pk": pk, "name": name, **{k: by_child[pk][k] for k in ("items", "parts")}}
            for pk, name in names
        ]

    return cached_answer(
        (site_id, STOCK_LIST_DATA),
        ("sub-location-stock", str(location.pk)),
        compute,
        TOTALS_CACHE_SECONDS,
    )


def vendors_for_site(*, site: Site) -> QuerySet[Vendor]:
    return Vendor.objects.for_site(site)


def vendor_choices(*, site: Site) -> QuerySet[Vendor]:
    """The site's vendors as a select offers them: by name, the name only."""
    return vendors_for_site(site=site).order_by("name", "pk").only("id", "site_id", "name")


def vendors_for_list(*, site: Site) -> QuerySet[Vendor]:
    """The site's vendors with ``parts_count``, the number of parts each supplies (a subquery,
    so it is computed for the rows of a page only, not grouped over every vendor's links)."""
    counts = (
        PartVendor.objects.filter(vendor=OuterRef("pk"))
        .values("vendor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return vendors_for_site(site=site).annotate(
        parts_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    )


def vendor_parts(*, vendor: Vendor) -> QuerySet[PartVendor]:
    """The parts a vendor supplies, with their vendor part numbers, by part name."""
    return (
        PartVendor.objects.filter(vendor=vendor)
        .select_related("part")
        .order_by("part__name", "part__pk")
    )


def _shown(counts: QuerySet[StockCount]) -> QuerySet[StockCount]:
    """What a list of counts shows with each: the part, the place, who reported and decided."""
    return select_related_columns(
        counts,
        part=("number", "name", "units"),
        location=("path",),
        stock_item=("batch", "serial", "quantity"),
        reported_by=USER_REF_COLUMNS,
        decided_by=USER_REF_COLUMNS,
    )


def counts_for_site(*, site: Site) -> QuerySet[StockCount]:
    """The site's counts, newest first (the index ``stockcount_site_reported``)."""
    return _shown(StockCount.objects.for_site(site)).order_by("-reported_at", "-pk")


def counts_for_part(*, part: Part, pending_only: bool = False) -> QuerySet[StockCount]:
    """One part's counts, newest first; with ``pending_only`` the ones still to confirm."""
    counts = StockCount.objects.filter(part=part)
    if pending_only:
        counts = counts.filter(status=CountStatus.PENDING)
    return _shown(counts).order_by("-reported_at", "-pk")
