"""The stock ledger actions, rule by rule: restock, reconcile, unit and average cost, transfer and
scrap (``inventory.services``).

Each action changes stock items and writes immutable ledger rows; the rows of a part always sum to
its on-hand, and each records the on-hand right after it. A refused action raises ``ServiceError``
and writes nothing.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.errors import NON_FIELD, ServiceError
from inventory import selectors, services
from inventory.models import Part, StockItem, StockStatus, StockTransaction, TransactionType
from tests.factories import LocationFactory

D = Decimal


@pytest.fixture
def shelves(site):
    return SimpleNamespace(
        a=LocationFactory(site=site, name="Shelf A"),
        b=LocationFactory(site=site, name="Shelf B"),
        c=LocationFactory(site=site, name="Shelf C"),
    )


@pytest.fixture
def part(site, manager_user, shelves):
    """10 on hand on Shelf A (its default location) at 4.00, booked as the opening restock."""
    return services.part_create(
        site=site,
        by=manager_user,
        name="Oil filter",
        on_hand_qty="10",
        unit_cost="4.00",
        location=shelves.a,
        default_location=shelves.a,
    )


@pytest.fixture
def bare_part(site, manager_user):
    """No stock, no default location, cost 0."""
    return services.part_create(site=site, by=manager_user, name="Gasket")


def fresh(part) -> Part:
    return Part.objects.get(pk=part.pk)


def rows(part) -> list[StockTransaction]:
    return list(StockTransaction.objects.filter(part=part).order_by("pk"))


def last_row(part) -> StockTransaction:
    return StockTransaction.objects.filter(part=part).order_by("-pk").first()


def stock(part) -> list[tuple]:
    """(location name, batch, serial, quantity) of every stock item, zero ones included."""
    return sorted(
        (item.location.name, item.batch, item.serial, item.quantity)
        for item in StockItem.objects.filter(part=part).select_related("location")
    )


def item_at(part, location) -> StockItem:
    return StockItem.objects.get(part=part, location=location)


def state(part) -> dict:
    """Everything a stock action could change."""
    stored = fresh(part)
    return {
        "rows": [(r.pk, r.quantity) for r in rows(part)],
        "items": sorted(
            StockItem.objects.filter(part=part).values_list("pk", "location", "quantity")
        ),
        "costs": (stored.unit_cost, stored.avg_unit_cost),
        "updated_at": stored.updated_at,
    }


def assert_ledger_matches(part) -> None:
    on_hand = services.on_hand_of(part)
    assert sum((r.quantity for r in rows(part)), D(0)) == on_hand
    assert selectors.parts_for_list(site=part.site).get(pk=part.pk).on_hand == on_hand
    assert last_row(part).on_hand_after == on_hand


def assert_refused(call, field: str = NON_FIELD) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert field in caught.value.errors, caught.value.errors
    return caught.value


def assert_refused_without_writing(part, call, field: str = NON_FIELD) -> ServiceError:
    """``call`` is refused with an error on ``field`` and changes nothing about ``part``."""
    before = state(part)
    error = assert_refused(call, field)
    assert state(part) == before
    return error


# =================================================================================================
# Restock
# =================================================================================================


def test_restock_adds_to_the_item_and_writes_one_row_with_the_balance_after(
    part, manager_user, shelves
):
    row = services.part_restock(
        part=part, by=manager_user, quantity="5", cost="7.00", location=shelves.a, note=" PO-17 "
    )
    assert stock(part) == [("Shelf A", "", "", D(15))]
    assert len(rows(part)) == 2
    assert (row.type, row.quantity, row.unit_cost, row.total_cost) == (
        TransactionType.RESTOCK,
        D(5),
        D(7),
        D(35),
    )
    assert row.on_hand_after == D(15)
    assert row.stock_item == item_at(part, shelves.a) and row.location == shelves.a
    assert row.note == "PO-17" and row.created_by == manager_user and row.site_id == part.site_id
    assert_ledger_matches(part)


@pytest.mark.parametrize("quantity", ["0", "-1", "-0.001", "0.000", "abc", "", None, "NaN", "inf"])
def test_restock_quantity_must_be_a_number_above_zero(part, manager_user, quantity):
    assert_refused_without_writing(
        part,
        lambda: services.part_restock(part=part, by=manager_user, quantity=quantity, cost="1"),
        "quantity",
    )


@pytest.mark.parametrize(
    ("quantity", "accepted"),
    [("1.234", True), ("1.2340", True), ("1.2345", False), ("0.0001", False)],
)
def test_restock_quantity_has_at_most_three_decimal_places(part, manager_user, quantity, accepted):
    call = lambda: services.part_restock(part=part, by=manager_user, quantity=quantity, cost="1")  # noqa: E731
    if accepted:
        assert call().quantity == D(quantity)
    else:
        assert_refused_without_writing(part, call, "quantity")


@pytest.mark.parametrize(
    ("cost", "accepted"),
    [
        ("0", True),
        ("0.00", True),
        ("2.5", True),
        ("2.50", True),
        ("2.500", True),
        ("2.505", False),
        ("-0.01", False),
        ("-1", False),
        ("x", False),
        ("", False),
    ],
)
def test_restock_cost_is_zero_or_more_with_at_most_two_decimal_places(
    part, manager_user, cost, accepted
):
    call = lambda: services.part_restock(part=part, by=manager_user, quantity="1", cost=cost)  # noqa: E731
    if accepted:
        assert call().unit_cost == D(cost)
    else:
        assert_refused_without_writing(part, call, "cost")


@pytest.mark.parametrize(
    ("quantity", "cost", "field"),
    [
        ("1e12", "1", "quantity"),
        ("1", "1e10", "cost"),
        ("1" * 26 + ".1234", "1", "quantity"),  # more digits than Decimal's precision: no crash
        ("1", "1" * 27 + ".123", "cost"),
    ],
)
def test_restock_refuses_numbers_too_large_for_the_columns(
    part, manager_user, quantity, cost, field
):
    assert_refused_without_writing(
        part,
        lambda: services.part_restock(part=part, by=manager_user, quantity=quantity, cost=cost),
        field,
    )


def test_restock_refuses_a_total_cost_the_ledger_column_cannot_hold(part, manager_user):
    """999,999,999,999 x 9,999,999,999.99 is ~1e22, above the total-cost column (< 1e18)."""
    assert_refused_without_writing(
        part,
        lambda: services.part_restock(
            part=part, by=manager_user, quantity="999999999999", cost="9999999999.99"
        ),
        "quantity",
    )


def test_restock_refuses_to_grow_an_item_beyond_what_the_quantity_column_holds(
    part, manager_user, shelves
):
    """An item holds less than 10**15; PostgreSQL would refuse the row with a numeric overflow."""
    StockItem.objects.filter(part=part).update(quantity=D(10) ** 15 - 10)
    assert_refused_without_writing(
        part,
        lambda: services.part_restock(part=part, by=manager_user, quantity="10", cost="0"),
        "quantity",
    )
    services.part_restock(part=part, by=manager_user, quantity="9", cost="0")
    assert item_at(part, shelves.a).quantity == D(10) ** 15 - 1


def test_restock_goes_to_the_location_given(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="2", cost="4", location=shelves.b)
    assert stock(part) == [("Shelf A", "", "", D(10)), ("Shelf B", "", "", D(2))]
    assert last_row(part).location == shelves.b
    assert_ledger_matches(part)


def test_restock_without_a_location_goes_to_the_default_location(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="2", cost="4")
    assert stock(part) == [("Shelf A", "", "", D(12))]
    assert last_row(part).location == shelves.a


def test_restock_without_a_location_or_a_default_location_is_refused(bare_part, manager_user):
    assert_refused_without_writing(
        bare_part,
        lambda: services.part_restock(part=bare_part, by=manager_user, quantity="2", cost="4"),
        "location",
    )


def test_restock_moves_the_average_to_the_weighted_moving_average(part, manager_user):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="7.00")
    stored = fresh(part)
    assert stored.avg_unit_cost == D("5.00")  # (10 x 4 + 5 x 7) / 15
    assert stored.unit_cost == D("7.00")  # the last price paid


@pytest.mark.parametrize(
    ("opening", "first_cost", "qty", "cost", "average"),
    [
        ("10", "4.00", "3", "7", "4.69"),  # 61 / 13 = 4.6923
        ("3", "1.00", "3", "1.01", "1.01"),  # 6.03 / 6 = 1.005: half up
        ("1", "0", "2", "1", "0.67"),  # 2 / 3 = 0.6667
        ("2", "1.00", "1", "0", "0.67"),  # a free restock lowers the average
    ],
)
def test_the_average_is_rounded_half_up_to_cents(
    site, manager_user, shelves, opening, first_cost, qty, cost, average
):
    part = services.part_create(
        site=site,
        by=manager_user,
        name="Bolt",
        on_hand_qty=opening,
        unit_cost=first_cost,
        location=shelves.a,
    )
    services.part_restock(part=part, by=manager_user, quantity=qty, cost=cost, location=shelves.a)
    assert fresh(part).avg_unit_cost == D(average)
    assert fresh(part).unit_cost == D(cost)


def test_restock_with_nothing_on_hand_takes_the_new_cost_as_the_average(
    part, manager_user, shelves
):
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, note="flood")
    assert services.on_hand_of(part) == 0 and fresh(part).avg_unit_cost == D("4.00")
    services.part_restock(part=part, by=manager_user, quantity="1", cost="9.99")
    assert fresh(part).avg_unit_cost == D("9.99")


def test_the_average_counts_only_stock_in_stock(part, manager_user, shelves):
    """A lost item's quantity is not on hand, so it does not weigh in the average."""
    StockItem.objects.create(
        site=part.site, part=part, location=shelves.b, quantity=D(1000), status=StockStatus.LOST
    )
    services.part_restock(part=part, by=manager_user, quantity="10", cost="6")
    assert fresh(part).avg_unit_cost == D("5.00")  # (10 x 4 + 10 x 6) / 20


def test_restock_merges_into_the_plain_item_of_that_location_and_batch(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="1", cost="4", batch="L-1")
    services.part_restock(part=part, by=manager_user, quantity="2", cost="4", batch=" L-1 ")
    services.part_restock(part=part, by=manager_user, quantity="3", cost="4")
    assert stock(part) == [("Shelf A", "", "", D(13)), ("Shelf A", "L-1", "", D(3))]
    assert_ledger_matches(part)


def test_restock_does_not_merge_into_serialised_or_damaged_items(part, manager_user, shelves):
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, quantity="9", note="x")
    StockItem.objects.filter(part=part).update(serial="SN-1")
    services.part_restock(part=part, by=manager_user, quantity="1", cost="4")
    damaged = StockItem.objects.filter(part=part, serial="").get()
    StockItem.objects.filter(pk=damaged.pk).update(status=StockStatus.DAMAGED)
    services.part_restock(part=part, by=manager_user, quantity="2", cost="4")
    items = StockItem.objects.filter(part=part).order_by("pk")
    assert [(i.serial, i.status, i.quantity) for i in items] == [
        ("SN-1", StockStatus.OK, D(1)),
        ("", StockStatus.DAMAGED, D(1)),
        ("", StockStatus.OK, D(2)),
    ]
    assert_ledger_matches(part)


def test_restock_total_cost_is_quantity_times_cost_rounded_to_cents(part, manager_user):
    row = services.part_restock(part=part, by=manager_user, quantity="1.333", cost="1.50")
    assert row.total_cost == D("2.00")  # 1.9995


# =================================================================================================
# Reconcile
# =================================================================================================


@pytest.mark.parametrize("delta", ["3", "-4", "0.5", "-10"])
def test_reconcile_adds_the_signed_delta_to_the_only_item(part, manager_user, shelves, delta):
    row = services.part_reconcile(part=part, by=manager_user, quantity=delta, note="cycle count")
    assert item_at(part, shelves.a).quantity == D(10) + D(delta)
    assert (row.type, row.quantity, row.on_hand_after) == (
        TransactionType.RECONCILE,
        D(delta),
        D(10) + D(delta),
    )
    assert row.stock_item == item_at(part, shelves.a) and row.location == shelves.a
    assert row.unit_cost == D("4.00") and row.total_cost == D(delta) * D(4)  # at average cost
    assert row.note == "cycle count"
    assert_ledger_matches(part)


@pytest.mark.parametrize("note", ["", "   ", None])
def test_reconcile_needs_a_reason(part, manager_user, note):
    assert_refused_without_writing(
        part,
        lambda: services.part_reconcile(part=part, by=manager_user, quantity="1", note=note),
        "note",
    )


@pytest.mark.parametrize("delta", ["0", "-0", "0.0001", "x", "1e12"])
def test_reconcile_delta_is_a_non_zero_number_with_three_places(part, manager_user, delta):
    assert_refused_without_writing(
        part,
        lambda: services.part_reconcile(part=part, by=manager_user, quantity=delta, note="n"),
        "quantity",
    )


def test_reconcile_never_takes_stock_below_zero(part, manager_user):
    error = assert_refused_without_writing(
        part,
        lambda: services.part_reconcile(part=part, by=manager_user, quantity="-10.001", note="n"),
        "quantity",
    )
    assert "10" in error.errors["quantity"][0]


def test_reconcile_never_takes_an_item_below_zero_even_when_the_part_has_enough(
    part, manager_user, shelves
):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    assert_refused_without_writing(  # 15 on hand, but only 5 on Shelf B
        part,
        lambda: services.part_reconcile(
            part=part, by=manager_user, quantity="-6", note="n", location=shelves.b
        ),
        "quantity",
    )


def test_reconcile_with_nothing_on_hand_is_refused_as_below_zero(bare_part, manager_user):
    assert_refused(
        lambda: services.part_reconcile(part=bare_part, by=manager_user, quantity="-1", note="n"),
        "quantity",
    )
    assert rows(bare_part) == []


def test_reconcile_adjusts_the_stock_item_given(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    item_b = item_at(part, shelves.b)
    row = services.part_reconcile(
        part=part, by=manager_user, quantity="-2", note="n", stock_item=item_b, location=shelves.a
    )
    assert row.stock_item == item_b and row.location == shelves.b
    assert stock(part) == [("Shelf A", "", "", D(10)), ("Shelf B", "", "", D(3))]
    assert_ledger_matches(part)


def test_reconcile_refuses_a_stock_item_of_another_part(part, bare_part, manager_user, shelves):
    services.part_restock(
        part=bare_part, by=manager_user, quantity="1", cost="1", location=shelves.a
    )
    other_item = item_at(bare_part, shelves.a)
    before = state(part), state(bare_part)
    assert_refused(
        lambda: services.part_reconcile(
            part=part, by=manager_user, quantity="1", note="n", stock_item=other_item
        ),
        "stock_item",
    )
    assert (state(part), state(bare_part)) == before


@pytest.mark.parametrize("status", [StockStatus.LOST, StockStatus.DESTROYED, "building"])
def test_reconcile_refuses_a_stock_item_that_is_not_in_stock(part, manager_user, shelves, status):
    """Its quantity is not on hand: adjusting it would make the ledger disagree with on-hand."""
    item = item_at(part, shelves.a)
    change = {"is_building": True} if status == "building" else {"status": status}
    StockItem.objects.filter(pk=item.pk).update(**change)
    rows_before = rows(part)
    assert_refused(
        lambda: services.part_reconcile(
            part=part, by=manager_user, quantity="-1", note="n", stock_item=item
        ),
        "stock_item",
    )
    assert rows(part) == rows_before and item_at(part, shelves.a).quantity == D(10)


def test_reconcile_at_a_location_adjusts_the_stock_there(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    row = services.part_reconcile(
        part=part, by=manager_user, quantity="1", note="found one", location=shelves.b
    )
    assert row.location == shelves.b
    assert stock(part) == [("Shelf A", "", "", D(10)), ("Shelf B", "", "", D(6))]
    assert_ledger_matches(part)


def test_a_positive_count_at_a_location_without_stock_creates_the_item_there(
    part, manager_user, shelves
):
    services.part_reconcile(part=part, by=manager_user, quantity="2", note="n", location=shelves.c)
    assert stock(part) == [("Shelf A", "", "", D(10)), ("Shelf C", "", "", D(2))]
    assert_ledger_matches(part)


def test_a_negative_count_at_a_location_without_stock_is_refused(part, manager_user, shelves):
    assert_refused_without_writing(
        part,
        lambda: services.part_reconcile(
            part=part, by=manager_user, quantity="-1", note="n", location=shelves.c
        ),
        "quantity",
    )


def test_reconcile_without_a_location_picks_the_only_stocked_item_wherever_it_is(
    part, manager_user, shelves
):
    services.stock_transfer(item=item_at(part, shelves.a), by=manager_user, location=shelves.c)
    row = services.part_reconcile(part=part, by=manager_user, quantity="-3", note="n")
    assert row.location == shelves.c
    assert stock(part) == [("Shelf C", "", "", D(7))]


def test_reconcile_without_a_location_ignores_empty_items(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, note="rust")
    row = services.part_reconcile(part=part, by=manager_user, quantity="-1", note="n")
    assert row.location == shelves.b


def test_reconcile_without_stock_goes_to_the_default_location(site, manager_user, shelves):
    part = services.part_create(site=site, by=manager_user, name="Seal", default_location=shelves.b)
    row = services.part_reconcile(part=part, by=manager_user, quantity="4", note="found")
    assert row.location == shelves.b and row.on_hand_after == D(4)
    assert stock(part) == [("Shelf B", "", "", D(4))]
    assert_ledger_matches(part)


def test_reconcile_without_stock_or_default_location_asks_for_a_location(bare_part, manager_user):
    assert_refused(
        lambda: services.part_reconcile(part=bare_part, by=manager_user, quantity="4", note="n"),
        "location",
    )
    assert rows(bare_part) == [] and stock(bare_part) == []


def test_reconcile_of_a_part_stocked_at_several_locations_asks_for_one(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    before = state(part)
    for delta in ("1", "-1"):
        assert_refused(
            lambda d=delta: services.part_reconcile(
                part=part, by=manager_user, quantity=d, note="n"
            ),
            "location",
        )
    assert state(part) == before


# =================================================================================================
# Unit cost and average cost
# =================================================================================================


@pytest.mark.parametrize(
    ("action", "changed", "kept", "kind"),
    [
        (services.part_unit_cost_set, "unit_cost", "avg_unit_cost", TransactionType.UNIT_COST),
        (services.part_avg_cost_set, "avg_unit_cost", "unit_cost", TransactionType.AVG_COST),
    ],
)
def test_cost_updates_change_one_cost_and_write_a_zero_quantity_row(
    part, manager_user, action, changed, kept, kind
):
    items_before = stock(part)
    row = action(part=part, by=manager_user, cost="6.25", note="invoice 9")
    stored = fresh(part)
    assert getattr(stored, changed) == D("6.25")
    assert getattr(stored, kept) == D("4.00")
    assert stock(part) == items_before
    assert (row.type, row.quantity, row.unit_cost, row.total_cost) == (kind, 0, D("6.25"), 0)
    assert row.on_hand_after == D(10) and row.note == "invoice 9" and row.stock_item is None
    assert len(rows(part)) == 2
    assert_ledger_matches(part)


@pytest.mark.parametrize("action", [services.part_unit_cost_set, services.part_avg_cost_set])
@pytest.mark.parametrize("cost", ["-1", "1.234", "abc", "1e10"])
def test_cost_updates_refuse_bad_costs_and_write_nothing(part, manager_user, action, cost):
    assert_refused_without_writing(
        part, lambda: action(part=part, by=manager_user, cost=cost), "cost"
    )


def test_the_next_restock_averages_from_the_revalued_cost(part, manager_user):
    services.part_avg_cost_set(part=part, by=manager_user, cost="2.00")
    services.part_restock(part=part, by=manager_user, quantity="10", cost="4.00")
    assert fresh(part).avg_unit_cost == D("3.00")


# =================================================================================================
# Transfer
# =================================================================================================


def test_a_partial_transfer_splits_the_item(part, manager_user, shelves):
    source = item_at(part, shelves.a)
    out, into = services.stock_transfer(
        item=source, by=manager_user, location=shelves.b, quantity="4", note="to line 2"
    )
    assert stock(part) == [("Shelf A", "", "", D(6)), ("Shelf B", "", "", D(4))]
    target = item_at(part, shelves.b)
    assert target.pk != source.pk
    assert (out.type, out.quantity, out.location, out.stock_item) == (
        TransactionType.TRANSFER,
        D(-4),
        shelves.a,
        source,
    )
    assert (into.type, into.quantity, into.location, into.stock_item) == (
        TransactionType.TRANSFER,
        D(4),
        shelves.b,
        target,
    )
    assert out.on_hand_after == into.on_hand_after == D(10) == services.on_hand_of(part)
    assert out.total_cost + into.total_cost == 0
    assert out.note == into.note == "to line 2"
    assert_ledger_matches(part)


@pytest.mark.parametrize("quantity", [None, "10"])
def test_a_full_transfer_moves_the_item_itself(part, manager_user, shelves, quantity):
    source = item_at(part, shelves.a)
    out, into = services.stock_transfer(
        item=source, by=manager_user, location=shelves.b, quantity=quantity
    )
    assert stock(part) == [("Shelf B", "", "", D(10))]
    assert item_at(part, shelves.b).pk == source.pk
    assert (out.quantity, out.location, into.quantity, into.location) == (
        D(-10),
        shelves.a,
        D(10),
        shelves.b,
    )
    assert_ledger_matches(part)


@pytest.mark.parametrize("quantity", [None, "3"])
def test_a_transfer_merges_into_the_twin_at_the_destination(part, manager_user, shelves, quantity):
    services.part_restock(part=part, by=manager_user, quantity="5", cost="4", location=shelves.b)
    twin = item_at(part, shelves.b)
    services.stock_transfer(
        item=item_at(part, shelves.a), by=manager_user, location=shelves.b, quantity=quantity
    )
    moved = D(10) if quantity is None else D(quantity)
    assert stock(part) == [("Shelf A", "", "", D(10) - moved), ("Shelf B", "", "", D(5) + moved)]
    assert last_row(part).stock_item == twin
    assert StockItem.objects.filter(part=part).count() == 2  # an emptied item stays, at zero
    assert_ledger_matches(part)


def test_a_transfer_keeps_the_batch_and_merges_only_into_the_same_batch(
    part, manager_user, shelves
):
    services.part_restock(part=part, by=manager_user, quantity="4", cost="4", batch="L-7")
    lot = StockItem.objects.get(part=part, batch="L-7")
    services.part_restock(part=part, by=manager_user, quantity="1", cost="4", location=shelves.b)
    services.stock_transfer(item=lot, by=manager_user, location=shelves.b, quantity="1")
    assert stock(part) == [
        ("Shelf A", "", "", D(10)),
        ("Shelf A", "L-7", "", D(3)),
        ("Shelf B", "", "", D(1)),
        ("Shelf B", "L-7", "", D(1)),
    ]
    services.stock_transfer(item=lot, by=manager_user, location=shelves.b)
    assert ("Shelf B", "L-7", "", D(4)) in stock(part)
    assert_ledger_matches(part)


def test_a_partial_transfer_of_a_damaged_item_keeps_its_status(part, manager_user, shelves):
    services.part_restock(part=part, by=manager_user, quantity="1", cost="4", location=shelves.b)
    source = item_at(part, shelves.a)
    StockItem.objects.filter(pk=source.pk).update(status=StockStatus.DAMAGED)
    services.stock_transfer(item=source, by=manager_user, location=shelves.b, quantity="2")
    at_b = StockItem.objects.filter(part=part, location=shelves.b).order_by("pk")
    assert [(i.status, i.quantity) for i in at_b] == [
        (StockStatus.OK, D(1)),
        (StockStatus.DAMAGED, D(2)),
    ]
    assert_ledger_matches(part)


def test_a_serialised_item_moves_whole(part, manager_user, shelves):
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, quantity="9", note="x")
    item = item_at(part, shelves.a)
    StockItem.objects.filter(pk=item.pk).update(serial="SN-42")
    services.part_restock(part=part, by=manager_user, quantity="1", cost="4", location=shelves.b)
    services.stock_transfer(item=item, by=manager_user, location=shelves.b)
    moved = StockItem.objects.get(pk=item.pk)
    assert (moved.location, moved.quantity, moved.serial) == (shelves.b, D(1), "SN-42")
    assert StockItem.objects.filter(part=part, location=shelves.b).count() == 2  # not merged
    assert_ledger_matches(part)


def test_a_serialised_item_cannot_be_split(part, manager_user, shelves):
    item = item_at(part, shelves.a)
    StockItem.objects.filter(pk=item.pk).update(serial="SN-42")
    assert_refused_without_writing(
        part,
        lambda: services.stock_transfer(
            item=item, by=manager_user, location=shelves.b, quantity="1"
        ),
        "quantity",
    )


def test_a_transfer_to_where_the_stock_already_is_is_refused(part, manager_user, shelves):
    assert_refused_without_writing(
        part,
        lambda: services.stock_transfer(
            item=item_at(part, shelves.a), by=manager_user, location=shelves.a
        ),
        "location",
    )


def test_a_transfer_needs_a_destination(part, manager_user, shelves):
    assert_refused_without_writing(
        part,
        lambda: services.stock_transfer(
            item=item_at(part, shelves.a), by=manager_user, location=None
        ),
        "location",
    )


@pytest.mark.parametrize("quantity", ["10.001", "0", "-1", "0.0001", "many"])
def test_a_transfer_moves_a_positive_amount_no_larger_than_the_item(
    part, manager_user, shelves, quantity
):
    assert_refused_without_writing(
        part,
        lambda: services.stock_transfer(
            item=item_at(part, shelves.a), by=manager_user, location=shelves.b, quantity=quantity
        ),
        "quantity",
    )


def test_an_empty_item_cannot_be_transferred(part, manager_user, shelves):
    item = item_at(part, shelves.a)
    services.stock_scrap(item=item, by=manager_user, note="gone")
    assert_refused_without_writing(
        part,
        lambda: services.stock_transfer(item=item, by=manager_user, location=shelves.b),
        "quantity",
    )


@pytest.mark.parametrize("status", [StockStatus.LOST, StockStatus.REJECTED, "building"])
def test_stock_that_is_not_in_stock_cannot_be_transferred_or_scrapped(
    part, manager_user, shelves, status
):
    item = item_at(part, shelves.a)
    change = {"is_building": True} if status == "building" else {"status": status}
    StockItem.objects.filter(pk=item.pk).update(**change)
    before = state(part)
    assert_refused(lambda: services.stock_transfer(item=item, by=manager_user, location=shelves.b))
    assert_refused(lambda: services.stock_scrap(item=item, by=manager_user, note="n"))
    assert state(part) == before


def test_a_transfer_acts_on_the_item_as_stored_not_as_held(part, manager_user, shelves):
    """The caller's object is stale (the item was moved meanwhile): the service uses the row."""
    held = item_at(part, shelves.a)
    services.stock_transfer(item=item_at(part, shelves.a), by=manager_user, location=shelves.b)
    out, into = services.stock_transfer(item=held, by=manager_user, location=shelves.c)
    assert out.location == shelves.b and into.location == shelves.c
    assert stock(part) == [("Shelf C", "", "", D(10))]
    assert_ledger_matches(part)


# =================================================================================================
# Scrap
# =================================================================================================


def test_scrap_reduces_the_item_and_writes_a_negative_row(part, manager_user, shelves):
    item = item_at(part, shelves.a)
    row = services.stock_scrap(item=item, by=manager_user, quantity="2.5", note=" cracked ")
    assert item_at(part, shelves.a).quantity == D("7.5")
    assert (row.type, row.quantity, row.on_hand_after) == (
        TransactionType.SCRAP,
        D("-2.5"),
        D("7.5"),
    )
    assert (row.stock_item, row.location, row.note) == (item, shelves.a, "cracked")
    assert row.unit_cost == D("4.00") and row.total_cost == D("-10.00")  # valued at average
    assert_ledger_matches(part)


def test_scrap_without_a_quantity_writes_off_the_whole_item(part, manager_user, shelves):
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, note="expired")
    assert services.on_hand_of(part) == 0
    assert stock(part) == [("Shelf A", "", "", D(0))]
    assert_ledger_matches(part)


@pytest.mark.parametrize("note", ["", "  ", None])
def test_scrap_needs_a_reason(part, manager_user, shelves, note):
    assert_refused_without_writing(
        part,
        lambda: services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, note=note),
        "note",
    )


@pytest.mark.parametrize("quantity", ["11", "0", "-2", "1.0001"])
def test_scrap_takes_a_positive_amount_no_larger_than_the_item(
    part, manager_user, shelves, quantity
):
    assert_refused_without_writing(
        part,
        lambda: services.stock_scrap(
            item=item_at(part, shelves.a), by=manager_user, quantity=quantity, note="n"
        ),
        "quantity",
    )


def test_a_serialised_item_is_scrapped_whole(part, manager_user, shelves):
    item = item_at(part, shelves.a)
    StockItem.objects.filter(pk=item.pk).update(serial="SN-1")
    assert_refused(
        lambda: services.stock_scrap(item=item, by=manager_user, quantity="1", note="n"),
        "quantity",
    )
    services.stock_scrap(item=item, by=manager_user, note="n")
    assert services.on_hand_of(part) == 0


def test_a_count_cannot_give_a_serialised_item_more_than_one_unit(part, manager_user, shelves):
    services.stock_scrap(item=item_at(part, shelves.a), by=manager_user, quantity="9", note="x")
    item = item_at(part, shelves.a)
    StockItem.objects.filter(pk=item.pk).update(serial="SN-7")
    assert_refused_without_writing(
        part,
        lambda: services.part_reconcile(
            part=part, by=manager_user, quantity="1", note="found one", stock_item=item
        ),
        "quantity",
    )
    services.part_reconcile(part=part, by=manager_user, quantity="-1", note="lost", stock_item=item)
    assert StockItem.objects.get(pk=item.pk).quantity == 0
    assert_ledger_matches(part)
