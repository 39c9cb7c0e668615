"""Parts, vendors, stock items and the stock ledger.

Quantities and costs are never edited directly. Stock moves only through the ledger actions in
``inventory.services``, each of which writes immutable ``StockTransaction`` rows, so the ledger of a
part always sums to its on-hand quantity. ``on_hand``, ``reserved`` and ``available`` are derived in
queries (``inventory.selectors``), never stored on the part.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Location, SiteScopedModel

# Stored with the builds' precision (5 places) because builds allocate and consume these same stock
# items; inventory actions accept at most 3 places (QUANTITY_PLACES).
QUANTITY_DIGITS, QUANTITY_STORED_PLACES, QUANTITY_PLACES = 20, 5, 3
MONEY_DIGITS, MONEY_PLACES = 14, 2


def quantity_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        verbose_name,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_STORED_PLACES,
        **kwargs,
    )


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


class Audited(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


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
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="vendor_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name


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
    min_qty = quantity_field(_("minimum quantity"))
    desired_qty = quantity_field(_("desired quantity"))
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
    unit_cost = money_field(_("unit cost"))
    avg_unit_cost = money_field(_("average unit cost"))
    qr_code = models.CharField(_("QR code"), max_length=200, blank=True)
    vendors = models.ManyToManyField(Vendor, through="PartVendor", related_name="parts")

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
        indexes = [models.Index(fields=["site", "name"]), models.Index(fields=["site", "active"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    # Derived from the ``on_hand`` and ``reserved`` that ``inventory.selectors`` annotates; a part
    # loaded without them has no quantities to derive from.
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


class PartVendor(models.Model):
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


class StockItem(SiteScopedModel, Audited):
    """A quantity of one part at one location (optionally a batch or a serial number)."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="stock_items")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_items", null=True, blank=True
    )
    quantity = quantity_field(_("quantity"))
    batch = models.CharField(_("batch code"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=StockStatus.choices, default=StockStatus.OK
    )
    is_building = models.BooleanField(
        _("in production"), default=False, help_text=_("A build output not yet completed.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["part_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stockitem_quantity_gte_0"),
        ]
        indexes = [
            models.Index(fields=["part", "status"]),
            models.Index(fields=["site", "location"]),
            models.Index(fields=["site", "batch"]),
            models.Index(fields=["site", "serial"]),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.part} @ {self.location}"

    @property
    def in_stock(self) -> bool:
        return self.status in IN_STOCK_STATUSES and not self.is_building and self.quantity > 0


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
    quantity = quantity_field(_("quantity"))
    unit_cost = money_field(_("unit cost"))
    total_cost = models.DecimalField(
        _("total cost"), max_digits=MONEY_DIGITS + 6, decimal_places=MONEY_PLACES, default=0
    )
    on_hand_after = quantity_field(_("on hand after"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["part", "-created_at"]),
            models.Index(fields=["site", "type"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.quantity} x {self.part_id}"
