"""Every write in inventory: parts, vendors and the stock ledger actions.

Each stock action locks the part's row first (one writer per part at a time, whatever the action),
validates against the quantities read under that lock, changes stock items and writes one ledger
row per stock item touched. That order is what keeps stock non-negative and the ledger equal to
on-hand under concurrent requests.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Sum
from django.utils.translation import gettext as _

from core import qr as core_qr
from core.errors import ServiceError
from core.models import Location, Role, Site, User
from core.roles import require_role
from inventory.models import (
    IN_STOCK_STATUSES,
    MONEY_PLACES,
    QUANTITY_PLACES,
    QUANTITY_STORED_PLACES,
    Part,
    PartType,
    PartVendor,
    StockItem,
    StockStatus,
    StockTransaction,
    TransactionType,
    Vendor,
)

ZERO = Decimal("0")
MONEY_STEP = Decimal(1).scaleb(-MONEY_PLACES)
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_STORED_PLACES)
MAX_QUANTITY = Decimal("1e12")
MAX_MONEY = Decimal("1e10")
MAX_LEAD_TIME = 3650  # days; the column is a 32-bit integer and ten years is already absurd


def _column_limit(model, field: str) -> Decimal:
    """The first number a decimal column cannot hold (PostgreSQL: "numeric field overflow")."""
    column = model._meta.get_field(field)
    return Decimal(10) ** (column.max_digits - column.decimal_places)


# Stock levels and balances accumulate, and a row's total is quantity x cost: both can outgrow
# their columns even when each input is within MAX_QUANTITY / MAX_MONEY.
STORED_QUANTITY_LIMIT = _column_limit(StockItem, "quantity")
STORED_TOTAL_LIMIT = _column_limit(StockTransaction, "total_cost")

PART_FIELDS = {
    "number",
    "name",
    "description",
    "units",
    "part_type",
    "trackable",
    "assembly",
    "active",
    "min_qty",
    "desired_qty",
    "lead_time",
    "area",
    "default_location",
}
CREATE_ONLY_FIELDS = {"is_non_stock", "on_hand_qty", "unit_cost", "avg_unit_cost", "location"}


# --- Checking numbers -----------------------------------------------------------------------------


def _decimal(value, field: str, places: int, maximum: Decimal) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ServiceError({field: [_("Enter a number.")]})
    # Size first: quantizing a number with more digits than the context's precision raises.
    if abs(number) >= maximum:
        raise ServiceError({field: [_("This number is too large.")]})
    if number.as_tuple().exponent < -places and number != number.quantize(
        Decimal(1).scaleb(-places)
    ):
        raise ServiceError({field: [_("Use at most %(n)s decimal places.") % {"n": places}]})
    return number


def check_quantity(value, field: str = "quantity", *, signed: bool = False) -> Decimal:
    """A quantity with at most 3 decimal places; positive unless ``signed`` (then non-zero)."""
    number = _decimal(value, field, QUANTITY_PLACES, MAX_QUANTITY)
    if signed and number == 0:
        raise ServiceError({field: [_("The adjustment cannot be zero.")]})
    if not signed and number <= 0:
        raise ServiceError({field: [_("The quantity must be greater than zero.")]})
    return number


def check_limit(value, field: str) -> Decimal:
    """A stock level setting (min / desired quantity): zero or more, 3 decimal places."""
    number = _decimal(value, field, QUANTITY_PLACES, MAX_QUANTITY)
    if number < 0:
        raise ServiceError({field: [_("This cannot be negative.")]})
    return number


def check_cost(value, field: str = "cost") -> Decimal:
    """A unit cost: zero or more, at most 2 decimal places."""
    number = _decimal(value, field, MONEY_PLACES, MAX_MONEY)
    if number < 0:
        raise ServiceError({field: [_("A cost cannot be negative.")]})
    return number


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


# --- Locks and derived quantities -----------------------------------------------------------------


def _lock_part(part: Part) -> Part:
    """The part as stored now, row-locked until the transaction ends: one stock writer per part."""
    return Part.objects.select_for_update().get(pk=part.pk)


def on_hand_of(part: Part | int) -> Decimal:
    """In-stock quantity of a part, summed in the database.

    Rounded to the stored places: SQLite sums decimal columns as floats, so a sum there can carry
    float noise (0.30000000000000004) that no stored quantity has.
    """
    total = (
        StockItem.objects.filter(part=part, status__in=IN_STOCK_STATUSES, is_building=False)
        .aggregate(total=Sum("quantity"))
        .get("total")
    )
    return (total or ZERO).quantize(QUANTITY_STEP)


def _require_stock_part(part: Part) -> None:
    if part.is_non_stock:
        raise ServiceError(_("“%s” is a non-stock part: no stock is kept for it.") % part.name)


def _site_location(site_id: int, location: Location | None, field: str = "location") -> Location:
    if location is None:
        raise ServiceError({field: [_("Choose a location.")]})
    if location.site_id != site_id:
        raise ServiceError({field: [_("That location does not exist at this site.")]})
    return location


def _post(
    part: Part,
    *,
    type: str,
    by: User,
    quantity: Decimal = ZERO,
    unit_cost: Decimal | None = None,
    item: StockItem | None = None,
    location: Location | None = None,
    note: str = "",
    on_hand_after: Decimal,
) -> StockTransaction:
    """Write one ledger row; the cost defaults to the part's average cost (its valuation)."""
    unit_cost = part.avg_unit_cost if unit_cost is None else unit_cost
    total_cost = _money(quantity * unit_cost)
    if abs(total_cost) >= STORED_TOTAL_LIMIT or on_hand_after >= STORED_QUANTITY_LIMIT:
        raise ServiceError({"quantity": [_("This number is too large.")]})
    return StockTransaction.objects.create(
        site_id=part.site_id,
        part=part,
        stock_item=item,
        location=location if location is not None else (item.location if item else None),
        type=type,
        quantity=quantity,
        unit_cost=unit_cost,
        total_cost=total_cost,
        on_hand_after=on_hand_after,
        note=(note or "").strip(),
        created_by=by,
    )


def _receiving_item(part: Part, location: Location, batch: str) -> StockItem:
    """The plain in-stock item of this part, location and batch to add to, created if needed."""
    item = (
        StockItem.objects.select_for_update()
        .filter(
            part=part,
            location=location,
            batch=batch,
            serial="",
            status=StockStatus.OK,
            is_building=False,
        )
        .order_by("pk")
        .first()
    )
    if item is None:
        item = StockItem.objects.create(
            site_id=part.site_id, part=part, location=location, batch=batch, quantity=ZERO
        )
    return item


def _add_to_item(item: StockItem, delta: Decimal, by: User) -> None:
    if item.quantity + delta >= STORED_QUANTITY_LIMIT:
        raise ServiceError({"quantity": [_("This number is too large.")]})
    StockItem.objects.filter(pk=item.pk).update(quantity=item.quantity + delta, updated_by=by)
    item.quantity += delta


# --- Parts ----------------------------------------------------------------------------------------


def _clean_part_fields(site: Site, fields: dict, *, instance: Part | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = [_("A part needs a name.")]
    if "number" in fields:
        fields["number"] = (fields["number"] or "").strip()
        clash = Part.objects.for_site(site).filter(number__iexact=fields["number"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if fields["number"] and clash.exists():
            errors["number"] = [_("Part number “%s” is already used.") % fields["number"]]
    for field in ("min_qty", "desired_qty"):
        if field in fields:
            try:
                fields[field] = check_limit(fields[field], field)
            except ServiceError as exc:
                errors.update(exc.errors)
    if "lead_time" in fields and (
        fields["lead_time"] is None or not 0 <= int(fields["lead_time"]) <= MAX_LEAD_TIME
    ):
        errors["lead_time"] = [
            _("Lead time is a number of days, from 0 to %(n)s.") % {"n": MAX_LEAD_TIME}
        ]
    if fields.get("part_type") is not None and fields["part_type"].site_id != site.pk:
        errors["part_type"] = [_("That part type does not exist at this site.")]
    if fields.get("default_location") is not None and fields["default_location"].site_id != site.pk:
        errors["default_location"] = [_("That location does not exist at this site.")]
    if errors:
        raise ServiceError(errors)
    return fields


def _qr_value(site: Site, model, given: str, generate: bool, prefix: str, exclude=None) -> str:
    """A QR value unique within the site: the one given, or a generated one when asked for.

    Core decides (``core.qr.unique_value``): a value is unique across parts, locations and every
    other kind of record with QR values at the site, so a scan has exactly one answer.
    """
    return core_qr.unique_value(
        site, model=model, given=given, generate=generate, prefix=prefix, instance=exclude
    )


def _set_vendors(part: Part, vendors: Iterable[dict]) -> None:
    """Replace the part's vendor links: ``[{vendor, vendor_part_number, is_preferred}]``."""
    vendors = list(vendors)
    errors = []
    seen = set()
    for link in vendors:
        vendor = link["vendor"]
        if vendor.site_id != part.site_id:
            errors.append(_("Vendor %s does not exist at this site.") % vendor.pk)
        if vendor.pk in seen:
            errors.append(_("“%s” is listed twice.") % vendor.name)
        seen.add(vendor.pk)
    if sum(1 for link in vendors if link.get("is_preferred")) > 1:
        errors.append(_("Only one vendor can be preferred."))
    if errors:
        raise ServiceError({"vendors": errors})
    PartVendor.objects.filter(part=part).delete()
    PartVendor.objects.bulk_create(
        PartVendor(
            part=part,
            vendor=link["vendor"],
            vendor_part_number=(link.get("vendor_part_number") or "").strip(),
            is_preferred=bool(link.get("is_preferred")),
        )
        for link in vendors
    )


@transaction.atomic
def part_create(
    *,
    site: Site,
    by: User,
    name: str,
    on_hand_qty=ZERO,
    unit_cost=ZERO,
    location: Location | None = None,
    is_non_stock: bool = False,
    qr_code: str = "",
    generate_qr_code: bool = True,
    vendors: Iterable[dict] | None = None,
    **fields,
) -> Part:
    """Create a part, with its opening stock and cost (Click Maint's create-only fields).

    Opening stock is booked as a restock at ``location`` (or the default location), so the ledger
    sums to on-hand from the first row.
    """
    require_role(by, site, Role.MANAGER)
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise ServiceError({f: [_("Unknown field.")] for f in sorted(unknown)})
    fields = _clean_part_fields(site, {"name": name, **fields})
    opening = _decimal(on_hand_qty, "on_hand_qty", QUANTITY_PLACES, MAX_QUANTITY)
    if opening < 0:
        raise ServiceError({"on_hand_qty": [_("Opening stock cannot be negative.")]})
    cost = check_cost(unit_cost, "unit_cost")
    if opening and is_non_stock:
        raise ServiceError({"on_hand_qty": [_("A non-stock part has no stock.")]})
    if opening:
        location = _site_location(site.pk, location or fields.get("default_location"))
    qr = _qr_value(site, Part, qr_code, generate_qr_code, "P")
    try:
        with transaction.atomic():
            part = Part.objects.create(
                site=site,
                is_non_stock=is_non_stock,
                unit_cost=cost,
                avg_unit_cost=cost,
                qr_code=qr,
                created_by=by,
                updated_by=by,
                **fields,
            )
    except IntegrityError:  # a concurrent create took the number or QR value first
        raise ServiceError({"number": [_("That part number is already used.")]}) from None
    if vendors:
        _set_vendors(part, vendors)
    if opening:
        item = _receiving_item(part, location, "")
        _add_to_item(item, opening, by)
        _post(
            part,
            type=TransactionType.RESTOCK,
            by=by,
            quantity=opening,
            unit_cost=cost,
            item=item,
            note=_("Opening stock"),
            on_hand_after=opening,
        )
    return part


@transaction.atomic
def part_update(
    *,
    part: Part,
    by: User,
    vendors: Iterable[dict] | None = None,
    qr_code=None,
    generate_qr_code: bool = False,
    **fields,
) -> Part:
    """Edit a part's description and settings. Quantities and costs move only by ledger actions.

    ``generate_qr_code`` gives the part a new generated QR value unless ``qr_code`` names one.
    """
    require_role(by, part.site_id, Role.MANAGER)
    refused = set(fields) & CREATE_ONLY_FIELDS
    if refused:
        message = _("Changed only through stock actions (restock, reconcile, cost updates).")
        raise ServiceError({f: [message] for f in sorted(refused)})
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise ServiceError({f: [_("Unknown field.")] for f in sorted(unknown)})
    part = _lock_part(part)
    fields = _clean_part_fields(part.site, fields, instance=part)
    if qr_code is not None or generate_qr_code:
        part.qr_code = _qr_value(
            part.site, Part, qr_code or "", generate_qr_code, "P", exclude=part
        )
    for key, value in fields.items():
        setattr(part, key, value)
    part.updated_by = by
    try:
        with transaction.atomic():
            part.save()
    except IntegrityError:
        raise ServiceError({"number": [_("That part number is already used.")]}) from None
    if vendors is not None:
        _set_vendors(part, vendors)
    return part


@transaction.atomic
def part_delete(*, part: Part, by: User) -> None:
    """Delete a part that never held stock. Once it has ledger rows or stock items it stays
    (deactivate it instead), so the stock history keeps its part."""
    require_role(by, part.site_id, Role.MANAGER)
    part = _lock_part(part)
    if StockTransaction.objects.filter(part=part).exists() or part.stock_items.exists():
        raise ServiceError(
            _("“%s” has stock history, so it cannot be deleted; deactivate it instead.") % part.name
        )
    try:
        with transaction.atomic():
            part.delete()
    except ProtectedError:  # used elsewhere (BOMs, work orders, assets)
        raise ServiceError(
            _("“%s” is in use elsewhere, so it cannot be deleted; deactivate it instead.")
            % part.name
        ) from None


# --- Stock actions --------------------------------------------------------------------------------


@transaction.atomic
def part_restock(
    *,
    part: Part,
    by: User,
    quantity,
    cost,
    location: Location | None = None,
    batch: str = "",
    note: str = "",
) -> StockTransaction:
    """Receive stock at a unit cost. The average cost moves to the weighted moving average
    ``(on_hand x avg + quantity x cost) / (on_hand + quantity)`` and ``unit_cost`` becomes the
    last price paid."""
    require_role(by, part.site_id, Role.MANAGER)
    quantity = check_quantity(quantity)
    cost = check_cost(cost)
    part = _lock_part(part)
    _require_stock_part(part)
    location = _site_location(part.site_id, location or part.default_location)
    on_hand = on_hand_of(part)
    if on_hand > 0:
        average = (on_hand * part.avg_unit_cost + quantity * cost) / (on_hand + quantity)
    else:
        average = cost
    part.avg_unit_cost, part.unit_cost, part.updated_by = _money(average), cost, by
    part.save(update_fields=["avg_unit_cost", "unit_cost", "updated_by", "updated_at"])
    item = _receiving_item(part, location, (batch or "").strip())
    _add_to_item(item, quantity, by)
    return _post(
        part,
        type=TransactionType.RESTOCK,
        by=by,
        quantity=quantity,
        unit_cost=cost,
        item=item,
        note=note,
        on_hand_after=on_hand + quantity,
    )


def _reconcile_target(
    part: Part, delta: Decimal, location: Location | None, stock_item: StockItem | None
) -> StockItem:
    """Which stock item a count adjustment applies to (see ``part_reconcile``)."""
    if stock_item is not None:
        if stock_item.part_id != part.pk:
            raise ServiceError({"stock_item": [_("That stock item is not of this part.")]})
        item = StockItem.objects.select_for_update().get(pk=stock_item.pk)
        if item.status not in IN_STOCK_STATUSES or item.is_building:
            # Its quantity is not on hand: adjusting it would make the ledger disagree.
            raise ServiceError({"stock_item": [_("This stock item is not in stock.")]})
        return item
    in_stock = StockItem.objects.select_for_update().filter(
        part=part, status__in=IN_STOCK_STATUSES, is_building=False
    )
    if location is not None:
        _site_location(part.site_id, location)
        here = in_stock.filter(location=location, serial="").order_by("-quantity", "pk").first()
        if here is not None:
            return here
        if delta < 0:
            raise ServiceError({"quantity": [_("There is no stock of this part there.")]})
        return _receiving_item(part, location, "")
    candidates = list(in_stock.filter(quantity__gt=0).order_by("pk")[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and delta > 0 and part.default_location is not None:
        return _receiving_item(part, part.default_location, "")
    if not candidates and delta < 0:
        raise ServiceError({"quantity": [_("None on hand; stock cannot go below zero.")]})
    if not candidates:
        raise ServiceError({"location": [_("Choose the location the counted stock is at.")]})
    raise ServiceError({"location": [_("This part is stocked at several locations: choose one.")]})


@transaction.atomic
def part_reconcile(
    *,
    part: Part,
    by: User,
    quantity,
    note: str,
    location: Location | None = None,
    stock_item: StockItem | None = None,
) -> StockTransaction:
    """Adjust stock by a counted difference (a signed delta). A reason is required and stock
    never goes below zero, neither for the part nor for the stock item adjusted.

    The item is ``stock_item`` if given; else the stock at ``location``; else the part's only
    stocked item (or its default location when it has none and the delta is positive).
    """
    require_role(by, part.site_id, Role.MANAGER)
    if not (note or "").strip():
        raise ServiceError({"note": [_("Say why the count changed.")]})
    delta = check_quantity(quantity, signed=True)
    part = _lock_part(part)
    _require_stock_part(part)
    item = _reconcile_target(part, delta, location, stock_item)
    if item.quantity + delta < 0:
        raise ServiceError(
            {
                "quantity": [
                    _("Only %(n)s %(units)s at %(place)s; stock cannot go below zero.")
                    % {"n": _plain(item.quantity), "units": part.units, "place": item.location}
                ]
            }
        )
    if item.serial and item.quantity + delta not in (0, 1):
        raise ServiceError({"quantity": [_("A serialised item holds one unit or none.")]})
    on_hand = on_hand_of(part)
    _add_to_item(item, delta, by)
    return _post(
        part,
        type=TransactionType.RECONCILE,
        by=by,
        quantity=delta,
        item=item,
        note=note,
        on_hand_after=on_hand + delta,
    )


def _plain(number: Decimal) -> str:
    """A quantity without trailing zeros: 4, not 4.00000."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cost_update(part: Part, by: User, cost, note: str, *, field: str, type: str):
    require_role(by, part.site_id, Role.MANAGER)
    cost = check_cost(cost)
    part = _lock_part(part)
    setattr(part, field, cost)
    part.updated_by = by
    part.save(update_fields=[field, "updated_by", "updated_at"])
    return _post(part, type=type, by=by, unit_cost=cost, note=note, on_hand_after=on_hand_of(part))


@transaction.atomic
def part_unit_cost_set(*, part: Part, by: User, cost, note: str = "") -> StockTransaction:
    """Set the current unit (purchase) cost, e.g. from an invoice. Quantities are untouched."""
    return _cost_update(part, by, cost, note, field="unit_cost", type=TransactionType.UNIT_COST)


@transaction.atomic
def part_avg_cost_set(*, part: Part, by: User, cost, note: str = "") -> StockTransaction:
    """Revalue the stock on hand (e.g. after a rebate). Quantities are untouched."""
    return _cost_update(part, by, cost, note, field="avg_unit_cost", type=TransactionType.AVG_COST)


def _movable(item: StockItem, quantity, field: str = "quantity") -> tuple[StockItem, Decimal]:
    """Lock the part, then the item; check that ``quantity`` (default: all of it) can leave it."""
    _require_stock_part(_lock_part(item.part))
    # Lock the item's row only ("self"): PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to the location, and locking locations would make stock moves of different
    # parts between the same two locations wait for each other.
    item = (
        StockItem.objects.select_for_update(of=("self",))
        .select_related("part", "location")
        .get(pk=item.pk)
    )
    if item.status not in IN_STOCK_STATUSES or item.is_building:
        raise ServiceError(_("This stock item is not in stock."))
    amount = item.quantity if quantity is None else check_quantity(quantity, field)
    if amount <= 0:
        raise ServiceError({field: [_("This stock item is empty.")]})
    if amount > item.quantity:
        raise ServiceError(
            {field: [_("Only %(n)s in this stock item.") % {"n": _plain(item.quantity)}]}
        )
    if item.serial and amount != item.quantity:
        raise ServiceError({field: [_("A serialised item moves whole.")]})
    return item, amount


@transaction.atomic
def stock_transfer(
    *, item: StockItem, by: User, location: Location, quantity=None, note: str = ""
) -> list[StockTransaction]:
    """Move stock to another location: all of the item, or part of it (the item is split).

    Two ledger rows, one per stock item touched: minus at the source, plus at the destination,
    so the part's on-hand (and the ledger sum) is unchanged.
    """
    require_role(by, item.site_id, Role.MANAGER)
    location = _site_location(item.site_id, location)
    item, amount = _movable(item, quantity)
    if location.pk == item.location_id:
        raise ServiceError({"location": [_("The stock is already there.")]})
    part, source_location = item.part, item.location
    on_hand = on_hand_of(part)
    if item.serial or (amount == item.quantity and not _has_twin(item, location)):
        StockItem.objects.filter(pk=item.pk).update(location=location, updated_by=by)
        item.location, target = location, item
    else:
        target = (
            _receiving_item(part, location, item.batch)
            if item.status == StockStatus.OK
            else StockItem.objects.create(
                site_id=item.site_id,
                part=part,
                location=location,
                batch=item.batch,
                status=item.status,
                quantity=ZERO,
            )
        )
        _add_to_item(item, -amount, by)
        _add_to_item(target, amount, by)
    common = {"type": TransactionType.TRANSFER, "by": by, "note": note, "on_hand_after": on_hand}
    return [
        _post(part, quantity=-amount, item=item, location=source_location, **common),
        _post(part, quantity=amount, item=target, location=location, **common),
    ]


def _has_twin(item: StockItem, location: Location) -> bool:
    """Whether the destination already holds a plain item this one should merge into."""
    return (
        item.status == StockStatus.OK
        and StockItem.objects.filter(
            part=item.part_id,
            location=location,
            batch=item.batch,
            serial="",
            status=StockStatus.OK,
            is_building=False,
        ).exists()
    )


@transaction.atomic
def stock_scrap(*, item: StockItem, by: User, quantity=None, note: str) -> StockTransaction:
    """Write stock off (damaged, expired, lost). A reason is required."""
    require_role(by, item.site_id, Role.MANAGER)
    if not (note or "").strip():
        raise ServiceError({"note": [_("Say why the stock is scrapped.")]})
    item, amount = _movable(item, quantity)
    on_hand = on_hand_of(item.part)
    _add_to_item(item, -amount, by)
    return _post(
        item.part,
        type=TransactionType.SCRAP,
        by=by,
        quantity=-amount,
        item=item,
        note=note,
        on_hand_after=on_hand - amount,
    )


# --- Vendors and part types -----------------------------------------------------------------------

VENDOR_FIELDS = {
    "name",
    "description",
    "contact_name",
    "email",
    "phone",
    "address",
    "website",
    "is_active",
}


def _clean_vendor(site: Site, fields: dict, instance: Vendor | None = None) -> dict:
    unknown = set(fields) - VENDOR_FIELDS
    if unknown:
        raise ServiceError({f: [_("Unknown field.")] for f in sorted(unknown)})
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ServiceError({"name": [_("A vendor needs a name.")]})
        clash = Vendor.objects.for_site(site).filter(name__iexact=fields["name"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise ServiceError({"name": [_("A vendor called “%s” exists.") % fields["name"]]})
    return fields


@transaction.atomic
def vendor_create(*, site: Site, by: User, name: str, **fields) -> Vendor:
    require_role(by, site, Role.MANAGER)
    fields = _clean_vendor(site, {"name": name, **fields})
    return Vendor.objects.create(site=site, created_by=by, updated_by=by, **fields)


@transaction.atomic
def vendor_update(*, vendor: Vendor, by: User, **fields) -> Vendor:
    require_role(by, vendor.site_id, Role.MANAGER)
    # Lock the vendor's row only: FOR UPDATE on the joined site row would hold up every insert
    # at the site (each takes a key-share lock on its site) until this transaction ends.
    vendor = Vendor.objects.select_for_update(of=("self",)).select_related("site").get(pk=vendor.pk)
    fields = _clean_vendor(vendor.site, fields, instance=vendor)
    for key, value in fields.items():
        setattr(vendor, key, value)
    vendor.updated_by = by
    vendor.save()
    return vendor


@transaction.atomic
def part_type_create(*, site: Site, by: User, name: str) -> PartType:
    require_role(by, site, Role.MANAGER)
    name = (name or "").strip()
    if not name:
        raise ServiceError({"name": [_("A part type needs a name.")]})
    if PartType.objects.for_site(site).filter(name__iexact=name).exists():
        raise ServiceError({"name": [_("Part type “%s” exists.") % name]})
    return PartType.objects.create(site=site, name=name)
