"""Parts, vendors, stock items and the stock ledger.

Quantities and costs are never edited directly. Stock moves only through the ledger actions in
``inventory.services``, each of which writes immutable ``StockTransaction`` rows, so the ledger of a
part always sums to its on-hand quantity. ``on_hand``, ``reserved`` and ``available`` are derived in
queries (``Part.objects.with_quantities()``, or on first use for a part loaded without them), never
stored on the part. What "in stock" means is declared once, in ``StockItemQuerySet``.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.loading import FastLoadingModel
from core.models import Audited, Location, SiteScopedModel, SiteScopedQuerySet
from core.numbers import MONEY, MONEY_TOTAL, QUANTITY
from core.search import search_text
from inventory.reservations import reservations_registered, reserved_expression


class PartType(SiteScopedModel):
    """A category of parts ("Filters", "Bearings"), Click Maint's part type."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="parttype_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name


class Vendor(SiteScopedModel, Audited):
    """A supplier of parts (and, later, a contractor on work orders)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="vendor_unique_name_per_site")
        ]
        indexes = [
            models.Index(fields=["site", "name", "id"], name="vendor_site_name"),
            models.Index(fields=["site", "created_at", "id"], name="vendor_site_created"),
            models.Index(fields=["site", "updated_at", "id"], name="vendor_site_updated"),
        ]

    def __str__(self) -> str:
        return self.name


STOCK_ACTIONS_ONLY = _("Changed only through stock actions (restock, reconcile, cost updates).")


class PartQuerySet(SiteScopedQuerySet):
    def with_quantities(self) -> "PartQuerySet":
        """Select ``reserved`` (from the apps that reserve stock); ``available``,
        ``low_stock`` and ``suggested_order_qty`` are properties over it and the stored
        ``on_hand``. ``available`` is also an SQL alias, for filters."""
        return self.annotate(reserved=reserved_expression()).alias(
            available=F("on_hand") - F("reserved")
        )

    def low_stock(self) -> "PartQuerySet":
        """Stock parts whose available quantity is below their minimum (``Part.low_stock``).

        Without reservations this is ``on_hand < min_qty``, which the partial index
        ``part_low_stock`` answers without looking at other parts; with them, each candidate's
        reservations are summed too.
        """
        stocked = self.filter(is_non_stock=False, min_qty__gt=0)
        if not reservations_registered():
            return stocked.filter(on_hand__lt=F("min_qty"))
        return stocked.alias(available=F("on_hand") - reserved_expression()).filter(
            available__lt=F("min_qty")
        )

    def not_low_stock(self) -> "PartQuerySet":
        return self.exclude(pk__in=self.low_stock().values("pk"))


# Where a list's prefetch puts each part's vendor links (``Part.vendor_list``).
LISTED_VENDOR_LINKS = "listed_vendor_links"


class Part(SiteScopedModel, Audited):
    """A catalogue entry. Stock of it lives in ``StockItem`` rows at locations."""

    number = models.CharField(_("part number"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.CharField(_("unit of measure"), max_length=20, default="pcs")
    part_type = models.ForeignKey(
        PartType,
        verbose_name=_("part type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
    )
    is_non_stock = models.BooleanField(
        _("non-stock"),
        default=False,
        help_text=_("Bought to order or consumed freely; no stock is kept. Set at creation only."),
    )
    trackable = models.BooleanField(_("trackable"), default=False)
    assembly = models.BooleanField(_("assembly"), default=False)
    active = models.BooleanField(_("active"), default=True)
    min_qty = QUANTITY.model_field(_("minimum quantity"))
    desired_qty = QUANTITY.model_field(_("desired quantity"))
    lead_time = models.PositiveIntegerField(_("lead time (days)"), default=0)
    area = models.CharField(_("area / bin"), max_length=200, blank=True)
    default_location = models.ForeignKey(
        Location,
        verbose_name=_("default location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_cost = MONEY.model_field(_("unit cost"))
    avg_unit_cost = MONEY.model_field(_("average unit cost"))
    # The sum of the part's in-stock items, kept by the ledger: every stock action writes it
    # (with the ledger row's ``on_hand_after``) under the part's row lock, and nothing else does.
    # Stored so that lists, low stock and the dashboard read it instead of summing stock items.
    on_hand = QUANTITY.model_field(_("on hand"), editable=False)
    qr_code = models.CharField(_("QR code"), max_length=200, blank=True)
    vendors = models.ManyToManyField(Vendor, through="PartVendor", related_name="parts")
    # What the search box matches (``core.search``): number, name, description and vendor part
    # numbers, lowercased; written by the parts service with them (``part_search_text``).
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = PartQuerySet.as_manager()

    # What the search text is made of, with the vendors' part numbers (``search_text_with``).
    SEARCHED_FIELDS = ("number", "name", "description")

    # Taken when the part is created and never by an edit: quantities and costs move only through
    # the ledger actions, and whether stock is kept at all cannot change once there is a ledger.
    CREATE_ONLY_FIELDS = {
        "on_hand_qty": STOCK_ACTIONS_ONLY,
        "unit_cost": STOCK_ACTIONS_ONLY,
        "avg_unit_cost": STOCK_ACTIONS_ONLY,
        "location": STOCK_ACTIONS_ONLY,
        "is_non_stock": _("Set only when the part is created; it cannot be changed afterwards."),
    }

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "number"],
                condition=~Q(number=""),
                name="part_unique_number_per_site",
            ),
            models.UniqueConstraint(
                fields=["site", "qr_code"],
                condition=~Q(qr_code=""),
                name="part_unique_qr_per_site",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="part_unit_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(avg_unit_cost__gte=0), name="part_avg_unit_cost_gte_0"
            ),
        ]
        indexes = [
            # The default order (and every other order the API offers), ending in the key.
            models.Index(fields=["site", "name", "id"], name="part_site_name"),
            models.Index(fields=["site", "number", "id"], name="part_site_number"),
            models.Index(fields=["site", "created_at", "id"], name="part_site_created"),
            models.Index(fields=["site", "updated_at", "id"], name="part_site_updated"),
            models.Index(fields=["site", "on_hand", "id"], name="part_site_on_hand"),
            models.Index(fields=["site", "active", "name", "id"], name="part_site_active_name"),
            models.Index(fields=["site", "part_type", "name", "id"], name="part_site_type_name"),
            # Low stock without reservations (the reorder list, the dashboard).
            models.Index(
                fields=["site", "name", "id"],
                condition=Q(is_non_stock=False, min_qty__gt=0, on_hand__lt=F("min_qty")),
                name="part_low_stock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def search_text_with(self, vendor_part_numbers: Iterable[str]) -> str:
        """The part's search text (``search_text``) given its vendors' part numbers."""
        own = (getattr(self, name) for name in self.SEARCHED_FIELDS)
        return search_text(*own, *vendor_part_numbers)

    # ``reserved`` comes from ``Part.objects.with_quantities()`` (one subquery for a page of
    # parts); a part loaded without it reads it when first asked, so the figures below are right
    # however the part was loaded.
    @cached_property
    def reserved(self) -> Decimal:
        if not self.pk:
            return QUANTITY.stored(0)
        rows = Part.objects.filter(pk=self.pk).annotate(reserved=reserved_expression())
        return QUANTITY.stored(rows.values_list("reserved", flat=True).get())

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def low_stock(self) -> bool:
        return not self.is_non_stock and self.min_qty > 0 and self.available < self.min_qty

    @property
    def suggested_order_qty(self) -> Decimal:
        """Enough to reach the desired level (or the minimum, if the desired level is lower)."""
        return max(max(self.desired_qty, self.min_qty) - self.available, Decimal("0"))

    @property
    def vendor_list(self) -> list["PartVendor"]:
        """Who supplies the part, preferred first (``PartVendor``'s order), with the vendors.

        A list loads these for its whole page in one query (``selectors.vendor_links``), as a
        plain list: a prefetch into the ``vendor_links`` manager would build a queryset per part,
        which cost a third of a page of 50. A part loaded alone reads them here.
        """
        listed = self.__dict__.get(LISTED_VENDOR_LINKS)
        if listed is None:
            return list(self.vendor_links.select_related("vendor"))
        return listed

    @property
    def preferred_vendor_link(self) -> "PartVendor | None":
        """Whom to order from: the preferred link among the (usually prefetched) vendor links."""
        return next((link for link in self.vendor_list if link.is_preferred), None)


class PartVendor(FastLoadingModel):
    """Who supplies a part, under which of their part numbers; one preferred vendor per part."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="vendor_links")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="part_links")
    vendor_part_number = models.CharField(_("vendor part number"), max_length=100, blank=True)
    is_preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        ordering = ["-is_preferred", "vendor__name"]
        constraints = [
            models.UniqueConstraint(fields=["part", "vendor"], name="partvendor_unique"),
            models.UniqueConstraint(
                fields=["part"],
                condition=Q(is_preferred=True),
                name="partvendor_one_preferred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id}: {self.vendor_part_number}"


class StockStatus(models.IntegerChoices):
    """InvenTree's stock status codes, so build clients read the same numbers."""

    OK = 10, _("OK")
    ATTENTION = 50, _("Attention needed")
    DAMAGED = 55, _("Damaged")
    DESTROYED = 60, _("Destroyed")
    REJECTED = 65, _("Rejected")
    LOST = 70, _("Lost")
    QUARANTINED = 75, _("Quarantined")
    RETURNED = 85, _("Returned")


# Statuses whose quantity counts as on hand (InvenTree's "available" status group).
IN_STOCK_STATUSES = (StockStatus.OK, StockStatus.ATTENTION, StockStatus.DAMAGED)


class StockItemQuerySet(SiteScopedQuerySet):
    """The one definition of "in stock": an item whose quantity counts as on hand (a usable
    status, not a build output still in production) with something in it. On-hand, the stock
    filters, the action forms and the services all use it; ``StockItem.in_stock`` is the same
    rule for a loaded row."""

    COUNTS_ON_HAND = Q(status__in=IN_STOCK_STATUSES, is_building=False)
    IN_STOCK = COUNTS_ON_HAND & Q(quantity__gt=0)

    def in_stock(self) -> "StockItemQuerySet":
        return self.filter(self.IN_STOCK)

    def not_in_stock(self) -> "StockItemQuerySet":
        return self.exclude(self.IN_STOCK)

    def on_hand_total(self, part) -> "StockItemQuerySet":
        """The in-stock quantity of ``part`` (a part, its pk or ``OuterRef("pk")``) as a one-value
        query: a part list uses it as a subquery, a stock action reads it directly."""
        return (
            self.in_stock()
            .filter(part=part)
            .values("part")
            .annotate(total=Sum("quantity"))
            .values("total")
        )


class StockItem(SiteScopedModel, Audited):
    """A quantity of one part at one location (optionally a batch or a serial number)."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="stock_items")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_items", null=True, blank=True
    )
    quantity = QUANTITY.model_field(_("quantity"))
    batch = models.CharField(_("batch code"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=StockStatus.choices, default=StockStatus.OK
    )
    is_building = models.BooleanField(
        _("in production"), default=False, help_text=_("A build output not yet completed.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = StockItemQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stockitem_quantity_gte_0"),
        ]
        # Each list order the API offers, and each filter, has an index ending in the key; the
        # part and location orders walk the part's or location's index and these per-row ones.
        indexes = [
            models.Index(fields=["site", "id"], name="stockitem_site"),
            models.Index(fields=["part", "id"], name="stockitem_part"),
            models.Index(fields=["location", "id"], name="stockitem_location"),
            models.Index(fields=["part", "status"], name="stockitem_part_status"),
            models.Index(fields=["site", "quantity", "id"], name="stockitem_site_quantity"),
            models.Index(fields=["site", "updated_at", "id"], name="stockitem_site_updated"),
            models.Index(fields=["site", "batch", "id"], name="stockitem_site_batch"),
            models.Index(fields=["site", "serial", "id"], name="stockitem_site_serial"),
            models.Index(fields=["site", "status", "id"], name="stockitem_site_status"),
            # The stock page: what holds something, by location, for a site or the locations
            # of a subtree. Index-only (the site is included), so a page deep in a site's
            # 100,000 items skips index entries instead of reading rows, and a subtree's
            # locations are looked up in it in order.
            # (PostgreSQL. SQLite cannot use a partial index for a condition with a bound
            # parameter; migration 0003 gives it a covering one of its own.)
            models.Index(
                fields=["location", "id"],
                include=["site"],
                condition=Q(quantity__gt=0),
                name="stockitem_held_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.part} @ {self.location}"

    @property
    def counts_on_hand(self) -> bool:
        """``StockItemQuerySet.COUNTS_ON_HAND`` for a loaded row: its quantity is part of the
        part's on-hand (even while it is empty)."""
        return self.status in IN_STOCK_STATUSES and not self.is_building

    @property
    def in_stock(self) -> bool:
        """``StockItemQuerySet.IN_STOCK`` for a loaded row."""
        return self.counts_on_hand and self.quantity > 0

    @property
    def status_label(self) -> str:
        """The status's name (what ``get_status_display`` gives, without hashing every choice's
        label on each call: a list of 50 items asks 50 times)."""
        return str(StockStatus(self.status).label)

    @property
    def status_tone(self) -> str:
        """How a page colours the status badge: ``ok`` or ``warning``."""
        return "ok" if self.status == StockStatus.OK else "warning"


class TransactionType(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    RECONCILE = "reconcile", _("Reconcile")
    UNIT_COST = "unit_cost", _("Unit cost update")
    AVG_COST = "avg_cost", _("Average cost update")
    TRANSFER = "transfer", _("Transfer")
    WO_USAGE = "wo_usage", _("Work order usage")
    WO_RETURN = "wo_return", _("Work order return")
    BUILD_CONSUME = "build_consume", _("Build consumption")
    BUILD_OUTPUT = "build_output", _("Build output")
    SCRAP = "scrap", _("Scrap")


# Ledger types that use stock up; their (negative) quantities add up to a part's ``total_used``.
USAGE_TYPES = (TransactionType.WO_USAGE, TransactionType.WO_RETURN, TransactionType.BUILD_CONSUME)


class StockTransaction(SiteScopedModel):
    """One immutable ledger row. ``quantity`` is signed; the rows of a part sum to its on-hand.

    ``on_hand_after`` is the part's on-hand right after this row, recorded under the part's row
    lock, so the ledger page shows a running balance without summing history on every view.
    Rows are only ever inserted: there is no update or delete path in services, API or pages.
    """

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="transactions")
    stock_item = models.ForeignKey(
        StockItem, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("type"), max_length=20, choices=TransactionType.choices)
    quantity = QUANTITY.model_field(_("quantity"))
    unit_cost = MONEY.model_field(_("unit cost"))
    total_cost = MONEY_TOTAL.model_field(_("total cost"))
    on_hand_after = QUANTITY.model_field(_("on hand after"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The default order (newest first) of the site's and of one part's ledger, and each other
        # order and filter the API offers. Rows are only inserted, so indexes cost no updates.
        indexes = [
            models.Index(fields=["site", "created_at", "id"], name="ledger_site_created"),
            models.Index(fields=["part", "created_at", "id"], name="ledger_part_created"),
            models.Index(fields=["part", "type"], name="ledger_part_type"),
            models.Index(fields=["site", "type", "id"], name="ledger_site_type"),
            models.Index(fields=["site", "quantity", "id"], name="ledger_site_quantity"),
            models.Index(fields=["site", "total_cost", "id"], name="ledger_site_total_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.quantity} x {self.part_id}"


# --- Counts reported for a manager to confirm ----------------------------------------------------


class CountStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class StockCount(SiteScopedModel):
    """A counted quantity of one stock item (or of a part at a location that held none of it),
    as reported: the count itself, what the system held at that moment, and the decision.

    ``expected`` is kept because stock may move between the count and its confirmation: a
    confirmation books ``counted - expected`` (the difference the counter found), never "set the
    quantity to ``counted``", which would undo every movement since the count. Status goes
    pending -> confirmed or pending -> rejected once, decided by a named manager (or at once when
    the reporter may reconcile, ``inventory.services.counts``). Stock moves only through the
    ledger row a confirmation writes (``transaction``).
    """

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="counts")
    stock_item = models.ForeignKey(
        StockItem, null=True, blank=True, on_delete=models.PROTECT, related_name="counts"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted = QUANTITY.model_field(_("counted"))
    expected = QUANTITY.model_field(
        _("in the system when counted"),
        help_text=_("The stock item's quantity when the count was reported."),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CountStatus.choices, default=CountStatus.PENDING
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejecting"), blank=True)
    transaction = models.ForeignKey(
        StockTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="stockcount_counted_gte_0"),
            models.CheckConstraint(
                condition=Q(status=CountStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=CountStatus.PENDING) & Q(decided_at__isnull=False)),
                name="stockcount_decided_once",
            ),
        ]
        # Newest first: the site's counts, those of one status ("to confirm"), one part's.
        indexes = [
            models.Index(fields=["site", "reported_at", "id"], name="stockcount_site_reported"),
            models.Index(
                fields=["site", "status", "reported_at", "id"], name="stockcount_site_status"
            ),
            models.Index(fields=["part", "reported_at", "id"], name="stockcount_part_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.counted} x {self.part_id} ({self.status})"

    @property
    def difference(self) -> Decimal:
        """What confirming books: the counted quantity less what the system held then."""
        return self.counted - self.expected

    @property
    def is_pending(self) -> bool:
        return self.status == CountStatus.PENDING


# --- Derived quantities ---------------------------------------------------------------------------


def on_hand_of(part: Part | int) -> Decimal:
    """The in-stock quantity of one part, summed from its stock items now: a recount, which the
    stored ``Part.on_hand`` must always equal (the tests and ``inventory_recount`` check it)."""
    totals = list(StockItem.objects.on_hand_total(part).values_list("total", flat=True))
    return QUANTITY.stored(totals[0] if totals else 0)
