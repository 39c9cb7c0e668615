"""Parts: the catalogue entry, its vendors and its opening stock.

Quantities and costs are set once, when the part is created (``Part.CREATE_ONLY_FIELDS``);
afterwards they move only through the stock actions in ``inventory.services.stock``.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core import qr
from core.errors import ServiceError
from core.models import Location, Role, Site, User
from core.numbers import MONEY, QUANTITY
from core.roles import require_role
from core.services import require_same_site
from core.versions import data_changed
from inventory.models import Part, PartVendor, StockTransaction
from inventory.reservations import RESERVATIONS_DATA
from inventory.services.ledger import STOCK_DATA, ZERO, lock_part, receive

# What an edit may change. Everything else of a part is either derived or create-only.
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
MAX_LEAD_TIME = 3650  # days; the column is a 32-bit integer and ten years is already absurd
# The data version (``core.versions``) of a site's catalogue: every part write changes it, and
# the parts lists' counts are cached under it (with the stock's, for the low-stock filter).
PARTS_DATA = "parts"
# What a list of parts depends on: the catalogue, the stock (on-hand, low stock) and the
# reservations of the apps above (available, low stock).
PART_LIST_DATA = (PARTS_DATA, STOCK_DATA, RESERVATIONS_DATA)


def _clean_part_fields(site: Site, fields: dict, *, instance: Part | None = None) -> dict:
    require_same_site(site, fields.get("part_type"), "part_type")
    require_same_site(site, fields.get("default_location"), "default_location")
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
                fields[field] = QUANTITY.non_negative(fields[field], field)
            except ServiceError as exc:
                errors.update(exc.errors)
    if "lead_time" in fields and (
        fields["lead_time"] is None or not 0 <= int(fields["lead_time"]) <= MAX_LEAD_TIME
    ):
        errors["lead_time"] = [
            _("Lead time is a number of days, from 0 to %(n)s.") % {"n": MAX_LEAD_TIME}
        ]
    if errors:
        raise ServiceError(errors)
    return fields


def _refuse_fields(fields: dict, *, create: bool) -> None:
    """Unknown fields, and (on an edit) the create-only ones, each with its reason."""
    if not create:
        refused = {
            f: [str(Part.CREATE_ONLY_FIELDS[f])] for f in fields if f in Part.CREATE_ONLY_FIELDS
        }
        if refused:
            raise ServiceError(refused)
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise ServiceError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _vendor_part_numbers(vendors: Iterable[dict]) -> list[str]:
    return [(link.get("vendor_part_number") or "").strip() for link in vendors]


def _set_vendors(part: Part, vendors: Iterable[dict]) -> None:
    """Replace the part's vendor links: ``[{vendor, vendor_part_number, is_preferred}]``."""
    vendors = list(vendors)
    errors = []
    seen = set()
    for link in vendors:
        vendor = link["vendor"]
        require_same_site(part.site_id, vendor, "vendors")
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


def _saved(save) -> None:
    """Run a save that may lose a race for the unique part number or QR value."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:  # a concurrent write took the number or QR value first
        raise ServiceError({"number": [_("That part number is already used.")]}) from None


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
    _refuse_fields(fields, create=True)
    fields = _clean_part_fields(site, {"name": name, **fields})
    opening = QUANTITY.non_negative(on_hand_qty, "on_hand_qty")
    cost = MONEY.non_negative(unit_cost, "unit_cost")
    if opening and is_non_stock:
        raise ServiceError({"on_hand_qty": [_("A non-stock part has no stock.")]})
    if opening:
        location = location or fields.get("default_location")
        if location is None:
            raise ServiceError({"location": [_("Choose a location.")]})
        require_same_site(site, location, "location")
    vendors = list(vendors or ())
    part = Part(
        site=site,
        is_non_stock=is_non_stock,
        unit_cost=cost,
        avg_unit_cost=cost,
        qr_code=qr.unique_value(
            site, model=Part, given=qr_code, generate=generate_qr_code, prefix="P"
        ),
        created_by=by,
        updated_by=by,
        **fields,
    )
    part.search_text = part.search_text_with(_vendor_part_numbers(vendors))
    _saved(part.save)
    data_changed(site.pk, PARTS_DATA)
    if vendors:
        _set_vendors(part, vendors)
    if opening:
        receive(
            part,
            by=by,
            quantity=opening,
            cost=cost,
            location_id=location.pk,
            note=_("Opening stock"),
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
    _refuse_fields(fields, create=False)
    part = lock_part(part)
    fields = _clean_part_fields(part.site, fields, instance=part)
    if qr_code is not None or generate_qr_code:
        part.qr_code = qr.unique_value(
            part.site,
            model=Part,
            given=qr_code or "",
            generate=generate_qr_code,
            prefix="P",
            instance=part,
        )
    for key, value in fields.items():
        setattr(part, key, value)
    part.updated_by = by
    if vendors is not None:
        vendors = list(vendors)
        part.search_text = part.search_text_with(_vendor_part_numbers(vendors))
    elif fields.keys() & set(Part.SEARCHED_FIELDS):
        numbers = part.vendor_links.values_list("vendor_part_number", flat=True)
        part.search_text = part.search_text_with(numbers)
    _saved(part.save)
    data_changed(part.site_id, PARTS_DATA)
    if vendors is not None:
        _set_vendors(part, vendors)
    return part


@transaction.atomic
def part_delete(*, part: Part, by: User) -> None:
    """Delete a part that never held stock. Once it has ledger rows or stock items it stays
    (deactivate it instead), so the stock history keeps its part."""
    require_role(by, part.site_id, Role.MANAGER)
    part = lock_part(part)
    if StockTransaction.objects.filter(part=part).exists() or part.stock_items.exists():
        raise ServiceError(
            _("“%s” has stock history, so it cannot be deleted; deactivate it instead.") % part.name
        )
    data_changed(part.site_id, PARTS_DATA)
    try:
        with transaction.atomic():
            part.delete()
    except ProtectedError:  # used elsewhere (BOMs, work orders, assets)
        raise ServiceError(
            _("“%s” is in use elsewhere, so it cannot be deleted; deactivate it instead.")
            % part.name
        ) from None
