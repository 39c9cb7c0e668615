"""Shapes of the inventory API. Serializers check shape; ``inventory.services`` decides and writes.

Parts follow Click Maint's field names (``on_hand_qty`` and ``unit_cost`` are create-only: after
that they move only through the stock actions); stock items follow InvenTree's (``pk``,
``quantity``, ``status`` codes, ``updated``). Quantities are decimal strings with 3 places (more
only when a build left a finer quantity), money with 2.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import ModelSerializer, SiteScopedPrimaryKeyField, UserRefSerializer
from core.models import Location
from core.numbers import MONEY, QUANTITY
from inventory.models import (
    Part,
    PartType,
    PartVendor,
    StockCount,
    StockItem,
    StockTransaction,
    Vendor,
)
from inventory.selectors import stock_by_location
from inventory.services.vendors import VENDOR_FIELDS

# --- Part types and vendors -----------------------------------------------------------------------


class PartTypeSerializer(ModelSerializer):
    class Meta:
        model = PartType
        fields = ["id", "name"]
        read_only_fields = ["id"]
        validators: list = []  # the service reports a taken name on the field


class VendorSerializer(ModelSerializer):
    parts_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Vendor
        fields = ["id", *VENDOR_FIELDS, "parts_count", "created_at", "updated_at"]
        read_only_fields = ["id", "parts_count", "created_at", "updated_at"]
        validators: list = []


class VendorBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    vendor_part_number = serializers.CharField()


# --- Parts ----------------------------------------------------------------------------------------


class PartVendorSerializer(ModelSerializer):
    """One supplier link of a part; writing the list replaces all the part's links."""

    vendor = SiteScopedPrimaryKeyField(queryset=Vendor.objects.all())
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)

    class Meta:
        model = PartVendor
        fields = ["vendor", "vendor_name", "vendor_part_number", "is_preferred"]
        extra_kwargs = {
            "vendor_part_number": {"required": False},
            "is_preferred": {"default": False},
        }


class StockAtLocationSerializer(ModelSerializer):
    stock_item = serializers.IntegerField(source="pk", read_only=True)
    location_path = serializers.CharField(source="location.path", read_only=True, allow_null=True)
    quantity = QUANTITY.serializer_output()

    class Meta:
        model = StockItem
        fields = [
            "stock_item",
            "location",
            "location_path",
            "quantity",
            "batch",
            "serial",
            "status",
        ]
        read_only_fields = fields


def flat_messages(detail, labels: tuple = ()) -> list[str]:
    """Nested serializer errors as plain messages: ``Row 2, vendor: Invalid pk ...``."""
    if isinstance(detail, dict):
        items = list(detail.items())
    elif isinstance(detail, list) and not all(isinstance(d, str) for d in detail):
        items = [(str(i), d) for i, d in enumerate(detail)]
    else:
        where = ", ".join(labels)
        return [f"{where}: {message}" if where else str(message) for message in detail]
    messages = []
    for key, value in items:
        label = _("Row %(n)s") % {"n": int(key) + 1} if str(key).isdigit() else str(key)
        messages += flat_messages(value, (*labels, label))
    return messages


class PartSerializer(ModelSerializer):
    """A part as listed and edited. Create also takes the opening stock and cost."""

    part_type = SiteScopedPrimaryKeyField(
        queryset=PartType.objects.all(), allow_null=True, required=False
    )
    part_type_name = serializers.CharField(source="part_type.name", read_only=True, allow_null=True)
    is_non_stock = serializers.BooleanField(
        required=False, help_text=_("No stock is kept for the part. Set at creation only.")
    )
    min_qty = QUANTITY.serializer_field(min_value=Decimal("0"), required=False)
    desired_qty = QUANTITY.serializer_field(min_value=Decimal("0"), required=False)
    default_location = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(), allow_null=True, required=False
    )
    default_location_path = serializers.CharField(
        source="default_location.path", read_only=True, allow_null=True
    )
    unit_cost = MONEY.serializer_field(
        min_value=Decimal("0"),
        required=False,
        help_text=_("Opening unit cost at creation; afterwards changed only by stock actions."),
    )
    avg_unit_cost = MONEY.serializer_output()
    on_hand_qty = QUANTITY.serializer_field(
        source="on_hand",
        min_value=Decimal("0"),
        required=False,
        help_text=_(
            "On create: the opening stock, booked at `location` (or the default location). "
            "Afterwards: the quantity on hand, changed only by stock actions."
        ),
    )
    reserved = QUANTITY.serializer_output()
    available = QUANTITY.serializer_output()
    low_stock = serializers.BooleanField(read_only=True)
    suggested_order_qty = QUANTITY.serializer_output()
    location = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("On create: where the opening stock is. Defaults to the default location."),
    )
    generate_qr_code = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text=_(
            "Generate a QR value (unless qr_code names one). Default on create: true; on update: "
            "false (true replaces the current value)."
        ),
    )
    vendors = PartVendorSerializer(source="vendor_list", many=True, required=False)
    created_by = UserRefSerializer(read_only=True)
    updated_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Part
        fields = [
            "id",
            "number",
            "name",
            "description",
            "units",
            "part_type",
            "part_type_name",
            "is_non_stock",
            "trackable",
            "assembly",
            "active",
            "min_qty",
            "desired_qty",
            "lead_time",
            "area",
            "default_location",
            "default_location_path",
            "unit_cost",
            "avg_unit_cost",
            "on_hand_qty",
            "reserved",
            "available",
            "low_stock",
            "suggested_order_qty",
            "location",
            "qr_code",
            "generate_qr_code",
            "vendors",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # ``active`` defaults to true also for form-encoded input (where DRF reads a missing
        # checkbox as false).
        extra_kwargs = {"lead_time": {"min_value": 0}, "active": {"default": True}}
        validators: list = []  # numbers and QR values are checked by the service

    def to_internal_value(self, data):
        if self.instance is not None and hasattr(data, "keys"):
            refused = {f: [reason] for f, reason in Part.CREATE_ONLY_FIELDS.items() if f in data}
            if refused:
                raise serializers.ValidationError(refused)
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and "vendors" in exc.detail:
                # {field: [messages]} everywhere: a bad link is a message naming its row.
                exc.detail["vendors"] = flat_messages(exc.detail["vendors"])
            raise

    def service_kwargs(self) -> dict:
        """The validated data under the names ``part_create`` / ``part_update`` take."""
        data = dict(self.validated_data)
        if self.instance is not None:
            # Sent ones were refused in to_internal_value; these are form-input defaults.
            for name in Part.CREATE_ONLY_FIELDS:
                data.pop(self.fields[name].source if name in self.fields else name, None)
        if "on_hand" in data:
            data["on_hand_qty"] = data.pop("on_hand")
        if "vendor_list" in data:
            data["vendors"] = data.pop("vendor_list")
        if data.get("location", "") is None:
            data.pop("location")
        return data


class PartDetailSerializer(PartSerializer):
    """A part with its stock by location."""

    stock = serializers.SerializerMethodField()

    class Meta(PartSerializer.Meta):
        fields = [*PartSerializer.Meta.fields, "stock"]

    @extend_schema_field(StockAtLocationSerializer(many=True))
    def get_stock(self, part: Part):
        return StockAtLocationSerializer(stock_by_location(part=part), many=True).data


class LowStockPartSerializer(PartSerializer):
    """A part to reorder: available below the minimum, with whom to order it from."""

    preferred_vendor = serializers.SerializerMethodField()

    class Meta(PartSerializer.Meta):
        fields = [*PartSerializer.Meta.fields, "preferred_vendor"]

    @extend_schema_field(VendorBriefSerializer(allow_null=True))
    def get_preferred_vendor(self, part: Part):
        link = part.preferred_vendor_link  # from the prefetched links: no query per part
        if link is None:
            return None
        return {
            "id": link.vendor_id,
            "name": link.vendor.name,
            "vendor_part_number": link.vendor_part_number,
        }


# --- Stock action inputs --------------------------------------------------------------------------


class RestockInput(serializers.Serializer):
    quantity = QUANTITY.serializer_field(help_text=_("Quantity received (more than zero)."))
    cost = MONEY.serializer_field(
        min_value=Decimal("0"), help_text=_("Unit cost of what was received.")
    )
    location = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Where it goes; defaults to the part's default location."),
    )
    batch = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True)


class ReconcileInput(serializers.Serializer):
    """A count, as a signed difference (``quantity``) or as the quantity counted
    (``counted``): exactly one of the two."""

    quantity = QUANTITY.serializer_field(
        required=False,
        allow_null=True,
        help_text=_(
            "The counted difference: positive or negative, not zero. Send this or `counted`."
        ),
    )
    counted = QUANTITY.serializer_field(
        required=False,
        allow_null=True,
        help_text=_(
            "The quantity counted (0 or more), instead of `quantity`: what is in `stock_item`, "
            "else the part's stock at `location` (the item there without a serial number), else "
            "in the part's only stocked item. The difference to what the item holds now is "
            "booked; a count equal to it books nothing."
        ),
    )
    note = serializers.CharField(allow_blank=True, help_text=_("Why the count changed."))
    location = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Where the counted stock is; needed when the part is stocked in several."),
    )
    stock_item = SiteScopedPrimaryKeyField(
        queryset=StockItem.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The stock item counted (takes precedence over `location`)."),
    )

    def validate(self, data):
        has_quantity = data.get("quantity") is not None
        has_counted = data.get("counted") is not None
        if has_quantity and has_counted:
            raise serializers.ValidationError(
                {"counted": [_("Send either quantity (the difference) or counted, not both.")]}
            )
        if not (has_quantity or has_counted):
            raise serializers.ValidationError(
                {
                    "quantity": [
                        _(
                            "Send quantity (the counted difference) or counted (the quantity "
                            "counted)."
                        )
                    ]
                }
            )
        return data


class CostInput(serializers.Serializer):
    cost = MONEY.serializer_field(min_value=Decimal("0"))
    note = serializers.CharField(required=False, allow_blank=True)


class TransferInput(serializers.Serializer):
    location = SiteScopedPrimaryKeyField(queryset=Location.objects.all())
    quantity = QUANTITY.serializer_field(
        required=False, allow_null=True, help_text=_("How much to move; all of it if left out.")
    )
    note = serializers.CharField(required=False, allow_blank=True)


class ScrapInput(serializers.Serializer):
    quantity = QUANTITY.serializer_field(
        required=False,
        allow_null=True,
        help_text=_("How much to scrap. Left out (or null): ALL of the stock item is written off."),
    )
    note = serializers.CharField(allow_blank=True, help_text=_("Why the stock is written off."))


# --- Ledger ---------------------------------------------------------------------------------------


class StockTransactionSerializer(ModelSerializer):
    """One immutable ledger row. ``quantity`` is signed; ``cost`` repeats ``unit_cost``."""

    part_name = serializers.CharField(source="part.name", read_only=True)
    quantity = QUANTITY.serializer_output()
    unit_cost = MONEY.serializer_output()
    cost = MONEY.serializer_output(
        source="unit_cost", help_text=_("The unit cost (Click Maint's name).")
    )
    total_cost = MONEY.serializer_output()
    on_hand_after = QUANTITY.serializer_output()
    location_path = serializers.CharField(source="location.path", read_only=True, allow_null=True)
    created_by = UserRefSerializer(read_only=True)

    class Meta:
        model = StockTransaction
        fields = [
            "id",
            "part",
            "part_name",
            "type",
            "quantity",
            "unit_cost",
            "cost",
            "total_cost",
            "on_hand_after",
            "note",
            "stock_item",
            "location",
            "location_path",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


# --- Stock items (InvenTree's names) --------------------------------------------------------------


class StockItemSerializer(ModelSerializer):
    pk = serializers.IntegerField(read_only=True)
    part_name = serializers.CharField(source="part.name", read_only=True)
    quantity = QUANTITY.serializer_output()
    location_path = serializers.CharField(source="location.path", read_only=True, allow_null=True)
    status = serializers.IntegerField(read_only=True, help_text=_("InvenTree stock status code."))
    status_text = serializers.CharField(source="status_label", read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
    updated = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = StockItem
        fields = [
            "pk",
            "part",
            "part_name",
            "quantity",
            "serial",
            "batch",
            "location",
            "location_path",
            "status",
            "status_text",
            "is_building",
            "in_stock",
            "notes",
            "updated",
        ]
        read_only_fields = fields


class StockActionResultSerializer(serializers.Serializer):
    """What a stock action wrote: its ledger rows and the stock item the stock is now in."""

    transactions = StockTransactionSerializer(many=True)
    stock_item = StockItemSerializer()


# --- Stock counts ---------------------------------------------------------------------------------


class StockCountSerializer(ModelSerializer):
    """A reported count. ``expected`` is what the stock item held when it was reported;
    confirming books ``difference`` (``counted - expected``), whatever moved since."""

    part_name = serializers.CharField(source="part.name", read_only=True)
    location_path = serializers.CharField(source="location.path", read_only=True, allow_null=True)
    counted = QUANTITY.serializer_output()
    expected = QUANTITY.serializer_output(
        help_text=_("What the system held when the count was reported.")
    )
    difference = QUANTITY.serializer_output(
        help_text=_("counted - expected: what confirming books.")
    )
    reported_by = UserRefSerializer(read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    transaction = serializers.IntegerField(
        source="transaction_id",
        read_only=True,
        allow_null=True,
        help_text=_("The ledger row the confirmation booked (none when nothing changed)."),
    )

    class Meta:
        model = StockCount
        fields = [
            "id",
            "part",
            "part_name",
            "stock_item",
            "location",
            "location_path",
            "counted",
            "expected",
            "difference",
            "note",
            "status",
            "reported_by",
            "reported_at",
            "decided_by",
            "decided_at",
            "reason",
            "transaction",
        ]
        read_only_fields = fields


class StockCountInput(serializers.Serializer):
    """Report a count of one stock item (or of a part at a location that holds none of it)."""

    part = SiteScopedPrimaryKeyField(
        queryset=Part.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The part counted; taken from `stock_item` when left out."),
    )
    stock_item = SiteScopedPrimaryKeyField(
        queryset=StockItem.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The stock item counted."),
    )
    location = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "Without `stock_item`: where the part was counted (its stock there without a serial "
            "number, or none)."
        ),
    )
    counted = QUANTITY.serializer_field(help_text=_("The quantity counted; 0 or more."))
    note = serializers.CharField(allow_blank=True, help_text=_("What count this is."))

    def validate(self, data):
        part, item = data.get("part"), data.get("stock_item")
        if part is None and item is None:
            raise serializers.ValidationError({"part": [_("Name the part or the stock item.")]})
        if part is not None and item is not None and item.part_id != part.pk:
            raise serializers.ValidationError(
                {"stock_item": [_("That stock item is not of this part.")]}
            )
        data["part"] = part if part is not None else item.part
        return data


class CountRejectInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("Why the count is rejected."))


class CountingSettingsSerializer(serializers.Serializer):
    """The site's counting policy."""

    technicians_may_reconcile = serializers.BooleanField(
        help_text=_(
            "Technicians book their counts at once, as managers do. Off (the default): their "
            "counts wait for a manager to confirm them."
        )
    )
