"""The ledger's building blocks, shared by every stock action (and by builds and work orders
later): lock the part, pick or create the stock item, move its quantity, write the ledger row.

A stock action locks the part's row first (one writer per part at a time, whatever the action),
validates against the quantities read under that lock, changes stock items and writes one ledger
row per stock item touched. That order keeps stock non-negative and the ledger equal to on-hand
under concurrent requests.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import User
from core.numbers import MONEY, MONEY_TOTAL, QUANTITY
from core.services.locations import LOCATIONS_DATA
from core.statements import RowRead, insert_rows, update_row
from core.versions import data_changed
from inventory.models import Part, StockItem, StockStatus, StockTransaction, TransactionType

ZERO = Decimal("0")
# The data version (``core.versions``) of a site's stock items and ledger: every stock action
# changes it, and the counts of the stock and ledger lists are cached under it.
STOCK_DATA = "stock"
# What a list of stock items depends on: the stock, and the location tree (a location filter
# takes in what is inside the location).
STOCK_LIST_DATA = (STOCK_DATA, LOCATIONS_DATA)


# The reads every stock action makes, written out once (``core.statements``): through the ORM
# they were 60 % of a restock's Python time.
LOCK_PART = RowRead(Part, where="{id} = %s", lock=True)
# The item stock of a part, location and batch merges into: no serial number, in good order,
# not a build output; the oldest if there are several.
PLAIN_ITEM = RowRead(
    StockItem,
    where=(
        "{part_id} = %s AND {location_id} = %s AND {batch} = %s AND {serial} = %s"
        " AND {status} = %s AND {is_building} = %s"
    ),
    order_by="{id}",
    lock=True,
)


def lock_part(part: Part | int) -> Part:
    """The part as stored now (its on-hand and costs included), row-locked until the transaction
    ends: one stock writer per part, and the figures every check of the action reads."""
    locked = LOCK_PART.one(part if isinstance(part, int) else part.pk)
    if locked is None:
        raise Part.DoesNotExist("The part no longer exists.")
    return locked


def require_stock_part(part: Part) -> None:
    if part.is_non_stock:
        raise ServiceError(_("“%s” is a non-stock part: no stock is kept for it.") % part.name)


def entry(
    part: Part,
    *,
    type: str,
    by: User,
    quantity: Decimal = ZERO,
    unit_cost: Decimal | None = None,
    item: StockItem | None = None,
    location_id: int | None = None,
    note: str = "",
    on_hand_after: Decimal,
) -> StockTransaction:
    """One ledger row, not yet saved; the cost defaults to the part's average cost (its
    valuation) and the location to the stock item's."""
    unit_cost = part.avg_unit_cost if unit_cost is None else unit_cost
    total_cost = MONEY.round(quantity * unit_cost)
    _require_storable(on_hand_after)
    if abs(total_cost) >= MONEY_TOTAL.stored_maximum:
        raise ServiceError({"quantity": [_("This number is too large.")]})
    return StockTransaction(
        site_id=part.site_id,
        part=part,
        stock_item=item,
        location_id=location_id
        if location_id is not None
        else (item.location_id if item else None),
        type=type,
        quantity=quantity,
        unit_cost=unit_cost,
        total_cost=total_cost,
        on_hand_after=on_hand_after,
        note=(note or "").strip(),
        created_by=by,
    )


def record(
    part: Part, rows: list[StockTransaction], *, by: User, part_changes: dict | None = None
) -> list[StockTransaction]:
    """Write the ledger rows of one action and bring the part's stored ``on_hand`` to the last
    row's ``on_hand_after``, with ``part_changes`` (new costs) in the same update.

    This is the only place the stored on-hand changes, always under the part's row lock
    (``lock_part``) and together with the rows that explain the change.
    """
    insert_rows(rows)
    data_changed(part.site_id, STOCK_DATA)
    on_hand = rows[-1].on_hand_after
    changes = dict(part_changes or {})
    if on_hand != part.on_hand:
        changes["on_hand"] = on_hand
    if changes:
        changes.update(updated_by=by, updated_at=timezone.now())
        update_row(Part, part.pk, **changes)
        for field, value in changes.items():
            setattr(part, field, value)
    return rows


def post(part: Part, *, by: User, part_changes: dict | None = None, **row) -> StockTransaction:
    """Write one ledger row (``entry``) for an action that touches one stock item."""
    return record(part, [entry(part, by=by, **row)], by=by, part_changes=part_changes)[0]


def receiving_item(part: Part, location_id: int, batch: str, *, create: bool = True):
    """The plain in-stock item of this part, location and batch to add to (locked), created if
    needed; with ``create=False``, None when there is none."""
    item = PLAIN_ITEM.one(part.pk, location_id, batch, "", StockStatus.OK, False)
    if item is None and create:
        item = StockItem.objects.create(
            site_id=part.site_id, part=part, location_id=location_id, batch=batch, quantity=ZERO
        )
    return item


def add_to_plain_item(
    part: Part, location_id: int, batch: str, quantity: Decimal, by: User
) -> StockItem:
    """Put ``quantity`` into the plain item of this part, location and batch; one that does not
    exist yet is created holding it (one statement, not an empty insert and an update)."""
    item = receiving_item(part, location_id, batch, create=False)
    if item is not None:
        add_to_item(item, quantity, by)
        return item
    _require_storable(quantity)
    return StockItem.objects.create(
        site_id=part.site_id,
        part=part,
        location_id=location_id,
        batch=batch,
        quantity=quantity,
        created_by=by,
        updated_by=by,
    )


def _require_storable(quantity: Decimal) -> None:
    """Stock levels accumulate, so one can outgrow its column though every input was within
    the input limits."""
    if quantity >= QUANTITY.stored_maximum:
        raise ServiceError({"quantity": [_("This number is too large.")]})


def add_to_item(item: StockItem, delta: Decimal, by: User) -> None:
    _require_storable(item.quantity + delta)
    update_row(
        StockItem, item.pk, quantity=item.quantity + delta, updated_by=by, updated_at=timezone.now()
    )
    item.quantity += delta


def receive(
    part: Part,
    *,
    by: User,
    quantity: Decimal,
    cost: Decimal,
    location_id: int,
    batch: str = "",
    note: str = "",
    part_changes: dict | None = None,
) -> StockTransaction:
    """Book stock coming in (a restock, or a new part's opening stock) into the plain item of
    that location and batch, as one restock row."""
    item = add_to_plain_item(part, location_id, batch, quantity, by)
    return post(
        part,
        type=TransactionType.RESTOCK,
        by=by,
        quantity=quantity,
        unit_cost=cost,
        item=item,
        note=note,
        on_hand_after=part.on_hand + quantity,
        part_changes=part_changes,
    )
