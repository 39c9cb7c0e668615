"""Stock actions: restock, reconcile, cost updates, transfer and scrap.

Each one locks the part first (``ledger.lock_part``), validates against what it reads under the
lock (the part's stored on-hand among it), moves stock items and writes one ledger row per stock
item touched (``ledger.record``), which also moves the stored on-hand. Each takes at most six
queries: they run under a lock, so every query is time other writers of the part wait.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Location, Role, User
from core.numbers import MONEY, QUANTITY, format_quantity
from core.roles import require_role
from core.services import require_same_site
from inventory.models import Part, StockItem, StockStatus, StockTransaction, TransactionType
from inventory.services.counts import require_reconcile_role
from inventory.services.ledger import (
    add_to_item,
    entry,
    lock_part,
    post,
    receive,
    receiving_item,
    record,
    require_stock_part,
)


def _location_id(site_id: int, location: Location | None, default_id: int | None) -> int:
    """The location given (checked to be of the site), else the part's default location (an
    id: the part's own setting, checked when it was set)."""
    if location is not None:
        require_same_site(site_id, location, "location")
        return location.pk
    if default_id is None:
        raise ServiceError({"location": [_("Choose a location.")]})
    return default_id


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
    quantity = QUANTITY.positive(quantity, "quantity")
    cost = MONEY.non_negative(cost, "cost")
    part = lock_part(part)
    require_stock_part(part)
    location_id = _location_id(part.site_id, location, part.default_location_id)
    on_hand = part.on_hand
    if on_hand > 0:
        average = (on_hand * part.avg_unit_cost + quantity * cost) / (on_hand + quantity)
    else:
        average = cost
    return receive(
        part,
        by=by,
        quantity=quantity,
        cost=cost,
        location_id=location_id,
        batch=(batch or "").strip(),
        note=note,
        part_changes={"avg_unit_cost": MONEY.round(average), "unit_cost": cost},
    )


def _reconcile_target(
    part: Part, delta: Decimal, location: Location | None, stock_item: StockItem | None
) -> StockItem:
    """Which stock item a count adjustment applies to (see ``part_reconcile``)."""
    if stock_item is not None:
        if stock_item.part_id != part.pk:
            raise ServiceError({"stock_item": [_("That stock item is not of this part.")]})
        item = StockItem.objects.select_for_update().get(pk=stock_item.pk)
        if not item.counts_on_hand:
            # Its quantity is not on hand: adjusting it would make the ledger disagree.
            raise ServiceError({"stock_item": [_("This stock item is not in stock.")]})
        return item
    in_stock = StockItem.objects.select_for_update().filter(part=part).in_stock()
    if location is not None:
        require_same_site(part.site_id, location, "location")
        here = in_stock.filter(location=location, serial="").order_by("-quantity", "pk").first()
        if here is not None:
            return here
        if delta < 0:
            raise ServiceError({"quantity": [_("There is no stock of this part there.")]})
        return receiving_item(part, location.pk, "")
    candidates = list(in_stock.order_by("pk")[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and delta > 0 and part.default_location_id is not None:
        return receiving_item(part, part.default_location_id, "")
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

    Managers reconcile, and technicians where the site allows it (``counts.may_reconcile``);
    counting by quantity is ``counts.part_counts_apply``.
    """
    require_reconcile_role(by, part.site_id)
    if not (note or "").strip():
        raise ServiceError({"note": [_("Say why the count changed.")]})
    delta = QUANTITY.non_zero(quantity, "quantity")
    part = lock_part(part)
    require_stock_part(part)
    item = _reconcile_target(part, delta, location, stock_item)
    if item.quantity + delta < 0:
        raise ServiceError(
            {
                "quantity": [
                    _("Only %(n)s %(units)s at %(place)s; stock cannot go below zero.")
                    % {
                        "n": format_quantity(item.quantity),
                        "units": part.units,
                        "place": item.location.path if item.location_id else _("no location"),
                    }
                ]
            }
        )
    if item.serial and item.quantity + delta not in (0, 1):
        raise ServiceError({"quantity": [_("A serialised item holds one unit or none.")]})
    add_to_item(item, delta, by)
    return post(
        part,
        type=TransactionType.RECONCILE,
        by=by,
        quantity=delta,
        item=item,
        note=note,
        on_hand_after=part.on_hand + delta,
    )


def _cost_update(part: Part, by: User, cost, note: str, *, field: str, type: str):
    require_role(by, part.site_id, Role.MANAGER)
    cost = MONEY.non_negative(cost, "cost")
    part = lock_part(part)
    return post(
        part,
        type=type,
        by=by,
        unit_cost=cost,
        note=note,
        on_hand_after=part.on_hand,
        part_changes={field: cost},
    )


@transaction.atomic
def part_unit_cost_set(*, part: Part, by: User, cost, note: str = "") -> StockTransaction:
    """Set the current unit (purchase) cost, e.g. from an invoice. Quantities are untouched."""
    return _cost_update(part, by, cost, note, field="unit_cost", type=TransactionType.UNIT_COST)


@transaction.atomic
def part_avg_cost_set(*, part: Part, by: User, cost, note: str = "") -> StockTransaction:
    """Revalue the stock on hand (e.g. after a rebate). Quantities are untouched."""
    return _cost_update(part, by, cost, note, field="avg_unit_cost", type=TransactionType.AVG_COST)


def _movable(item: StockItem, quantity, field: str = "quantity") -> tuple[Part, StockItem, Decimal]:
    """Lock the part, then the item; check that ``quantity`` (default: all of it) can leave it."""
    part = lock_part(item.part_id)
    require_stock_part(part)
    # The item's row only, no join: locking locations would make stock moves of different parts
    # between the same two locations wait for each other.
    item = StockItem.objects.select_for_update().get(pk=item.pk)
    if not item.in_stock:
        if item.quantity == 0:
            raise ServiceError({field: [_("This stock item is empty.")]})
        raise ServiceError(_("This stock item is not in stock."))
    amount = item.quantity if quantity is None else QUANTITY.positive(quantity, field)
    if amount > item.quantity:
        raise ServiceError(
            {field: [_("Only %(n)s in this stock item.") % {"n": format_quantity(item.quantity)}]}
        )
    if item.serial and amount != item.quantity:
        raise ServiceError({field: [_("A serialised item moves whole.")]})
    item.part = part
    return part, item, amount


@transaction.atomic
def stock_transfer(
    *, item: StockItem, by: User, location: Location, quantity=None, note: str = ""
) -> list[StockTransaction]:
    """Move stock to another location: all of the item, or part of it (the item is split).

    Two ledger rows, one per stock item touched: minus at the source, plus at the destination,
    so the part's on-hand (and the ledger sum) is unchanged.
    """
    require_role(by, item.site_id, Role.MANAGER)
    if location is None:
        raise ServiceError({"location": [_("Choose a location.")]})
    require_same_site(item.site_id, location, "location")
    part, item, amount = _movable(item, quantity)
    if location.pk == item.location_id:
        raise ServiceError({"location": [_("The stock is already there.")]})
    source_location_id = item.location_id
    twin = None
    if item.status == StockStatus.OK and not item.serial:
        twin = receiving_item(part, location.pk, item.batch, create=False)
    if item.serial or (amount == item.quantity and twin is None):
        StockItem.objects.filter(pk=item.pk).update(
            location=location, updated_by=by, updated_at=timezone.now()
        )
        item.location, target = location, item
    else:
        add_to_item(item, -amount, by)
        if twin is not None:
            add_to_item(twin, amount, by)
            target = twin
        else:  # a new item at the destination, holding what was split off, in its status
            target = StockItem.objects.create(
                site_id=item.site_id,
                part=part,
                location=location,
                batch=item.batch,
                status=item.status,
                quantity=amount,
                created_by=by,
                updated_by=by,
            )
    common = {"type": TransactionType.TRANSFER, "by": by, "note": note}
    return record(
        part,
        [
            entry(
                part,
                quantity=-amount,
                item=item,
                location_id=source_location_id,
                on_hand_after=part.on_hand,
                **common,
            ),
            entry(
                part,
                quantity=amount,
                item=target,
                location_id=location.pk,
                on_hand_after=part.on_hand,
                **common,
            ),
        ],
        by=by,
    )


@transaction.atomic
def stock_scrap(
    *, item: StockItem, by: User, quantity=None, note: str, all_seen=None
) -> StockTransaction:
    """Write stock off (damaged, expired, lost). A reason is required.

    Without ``quantity`` all of the item goes. ``all_seen`` is how much the caller saw in the
    item when it chose to scrap all of it (a page's "Scrap all 12 pcs"): if the item holds
    something else by now, the scrap is refused rather than writing off more, or less, than the
    button said.
    """
    require_role(by, item.site_id, Role.MANAGER)
    if not (note or "").strip():
        raise ServiceError({"note": [_("Say why the stock is scrapped.")]})
    if all_seen is not None:
        seen = QUANTITY.parse(all_seen, "quantity")
        quantity = None
    part, item, amount = _movable(item, quantity)
    if all_seen is not None and amount != seen:
        raise ServiceError(
            {
                "quantity": [
                    _(
                        "This stock item now holds %(n)s %(units)s, not %(seen)s: "
                        "check it and choose again."
                    )
                    % {
                        "n": format_quantity(amount),
                        "units": part.units,
                        "seen": format_quantity(seen),
                    }
                ]
            }
        )
    add_to_item(item, -amount, by)
    return post(
        part,
        type=TransactionType.SCRAP,
        by=by,
        quantity=-amount,
        item=item,
        note=note,
        on_hand_after=part.on_hand - amount,
    )
