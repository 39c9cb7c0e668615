"""The ledger's building blocks, shared by every stock action (and by builds and work orders
later): lock the part, pick or create the stock item, move its quantity, write the ledger row.

A stock action locks the part's row first (one writer per part at a time, whatever the action),
validates against the quantities read under that lock, changes stock items and writes one ledger
row per stock item touched. That order keeps stock non-negative and the ledger equal to on-hand
under concurrent requests.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import User
from core.numbers import MONEY, MONEY_TOTAL, QUANTITY
from inventory.models import Part, StockItem, StockStatus, StockTransaction, TransactionType

ZERO = Decimal("0")


def lock_part(part: Part | int) -> Part:
    """The part as stored now, row-locked until the transaction ends: one stock writer per part."""
    return Part.objects.select_for_update().get(pk=part if isinstance(part, int) else part.pk)


def require_stock_part(part: Part) -> None:
    if part.is_non_stock:
        raise ServiceError(_("“%s” is a non-stock part: no stock is kept for it.") % part.name)


def post(
    part: Part,
    *,
    type: str,
    by: User,
    quantity: Decimal = ZERO,
    unit_cost: Decimal | None = None,
    item: StockItem | None = None,
    location=None,
    note: str = "",
    on_hand_after: Decimal,
) -> StockTransaction:
    """Write one ledger row; the cost defaults to the part's average cost (its valuation)."""
    unit_cost = part.avg_unit_cost if unit_cost is None else unit_cost
    total_cost = MONEY.round(quantity * unit_cost)
    # Stock levels and totals accumulate, so they can outgrow their columns even when each input
    # is within the input limits.
    if abs(total_cost) >= MONEY_TOTAL.stored_maximum or on_hand_after >= QUANTITY.stored_maximum:
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


def plain_items(part: Part | int, location, batch: str):
    """The items stock of this part, location and batch merges into: no serial number, in good
    order, not a build output."""
    return StockItem.objects.filter(
        part=part,
        location=location,
        batch=batch,
        serial="",
        status=StockStatus.OK,
        is_building=False,
    )


def receiving_item(part: Part, location, batch: str) -> StockItem:
    """The plain in-stock item of this part, location and batch to add to, created if needed."""
    item = plain_items(part, location, batch).select_for_update().order_by("pk").first()
    if item is None:
        item = StockItem.objects.create(
            site_id=part.site_id, part=part, location=location, batch=batch, quantity=ZERO
        )
    return item


def add_to_item(item: StockItem, delta: Decimal, by: User) -> None:
    if item.quantity + delta >= QUANTITY.stored_maximum:
        raise ServiceError({"quantity": [_("This number is too large.")]})
    StockItem.objects.filter(pk=item.pk).update(quantity=item.quantity + delta, updated_by=by)
    item.quantity += delta


def receive(
    part: Part,
    *,
    by: User,
    quantity: Decimal,
    cost: Decimal,
    location,
    batch: str = "",
    note: str = "",
    on_hand_before: Decimal,
) -> StockTransaction:
    """Book stock coming in (a restock, or a new part's opening stock) into the plain item of
    that location and batch, as one restock row."""
    item = receiving_item(part, location, batch)
    add_to_item(item, quantity, by)
    return post(
        part,
        type=TransactionType.RESTOCK,
        by=by,
        quantity=quantity,
        unit_cost=cost,
        item=item,
        note=note,
        on_hand_after=on_hand_before + quantity,
    )
