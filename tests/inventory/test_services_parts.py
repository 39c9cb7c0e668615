"""Parts and their stock: opening stock on create, non-stock parts, and the fields that only stock
actions may change (``inventory.services.part_create`` / ``part_update``)."""

from decimal import Decimal

import pytest

from core.errors import NON_FIELD, ServiceError
from inventory import services
from inventory.models import Part, StockItem, StockTransaction, TransactionType
from tests.factories import LocationFactory

D = Decimal


@pytest.fixture
def shelf(site):
    return LocationFactory(site=site, name="Shelf A")


@pytest.fixture
def bench(site):
    return LocationFactory(site=site, name="Bench")


def refused(call, field: str) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert field in caught.value.errors, caught.value.errors
    return caught.value


def nothing_stored() -> bool:
    return not (
        Part.objects.exists() or StockItem.objects.exists() or StockTransaction.objects.exists()
    )


# --- Opening stock --------------------------------------------------------------------------------


def test_opening_stock_is_booked_as_a_restock_at_the_location_given(
    site, manager_user, shelf, bench
):
    part = services.part_create(
        site=site,
        by=manager_user,
        name="Filter",
        on_hand_qty="5",
        unit_cost="3.50",
        location=shelf,
        default_location=bench,
    )
    assert (part.unit_cost, part.avg_unit_cost) == (D("3.50"), D("3.50"))
    item = StockItem.objects.get(part=part)
    assert (item.location, item.quantity, item.batch, item.serial) == (shelf, D(5), "", "")
    row = StockTransaction.objects.get(part=part)
    assert (row.type, row.quantity, row.unit_cost, row.total_cost, row.on_hand_after) == (
        TransactionType.RESTOCK,
        D(5),
        D("3.50"),
        D("17.50"),
        D(5),
    )
    assert (row.note, row.stock_item, row.location, row.created_by) == (
        "Opening stock",
        item,
        shelf,
        manager_user,
    )
    assert services.on_hand_of(part) == D(5)


def test_opening_stock_goes_to_the_default_location_when_none_is_given(site, manager_user, bench):
    part = services.part_create(
        site=site, by=manager_user, name="Filter", on_hand_qty="2", default_location=bench
    )
    assert StockItem.objects.get(part=part).location == bench
    assert StockTransaction.objects.get(part=part).location == bench


def test_opening_stock_needs_a_location(site, manager_user):
    refused(
        lambda: services.part_create(site=site, by=manager_user, name="Filter", on_hand_qty="2"),
        "location",
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    ("on_hand_qty", "unit_cost", "field"),
    [
        ("-1", "1", "on_hand_qty"),
        ("1.0001", "1", "on_hand_qty"),
        ("lots", "1", "on_hand_qty"),
        ("1", "-0.01", "unit_cost"),
        ("1", "1.001", "unit_cost"),
        ("1", "1e10", "unit_cost"),
    ],
)
def test_opening_stock_and_cost_follow_the_number_rules(
    site, manager_user, shelf, on_hand_qty, unit_cost, field
):
    refused(
        lambda: services.part_create(
            site=site,
            by=manager_user,
            name="Filter",
            on_hand_qty=on_hand_qty,
            unit_cost=unit_cost,
            location=shelf,
        ),
        field,
    )
    assert nothing_stored()


def test_a_part_without_opening_stock_has_no_ledger_rows_and_costs_it_was_given(site, manager_user):
    part = services.part_create(site=site, by=manager_user, name="Filter", unit_cost="8.10")
    assert (part.unit_cost, part.avg_unit_cost) == (D("8.10"), D("8.10"))
    assert not StockItem.objects.filter(part=part).exists()
    assert not StockTransaction.objects.filter(part=part).exists()
    assert services.on_hand_of(part) == 0


# --- Non-stock parts ------------------------------------------------------------------------------


@pytest.fixture
def non_stock(site, manager_user, shelf):
    return services.part_create(
        site=site, by=manager_user, name="Shop rag", is_non_stock=True, default_location=shelf
    )


def test_a_non_stock_part_cannot_have_opening_stock(site, manager_user, shelf):
    refused(
        lambda: services.part_create(
            site=site,
            by=manager_user,
            name="Shop rag",
            is_non_stock=True,
            on_hand_qty="3",
            location=shelf,
        ),
        "on_hand_qty",
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    "action",
    [
        lambda part, by, at: services.part_restock(
            part=part, by=by, quantity="1", cost="1", location=at
        ),
        lambda part, by, at: services.part_reconcile(part=part, by=by, quantity="1", note="n"),
        lambda part, by, at: services.part_reconcile(
            part=part, by=by, quantity="1", note="n", location=at
        ),
    ],
    ids=["restock", "reconcile", "reconcile-at-location"],
)
def test_a_non_stock_part_refuses_stock_actions(non_stock, manager_user, shelf, action):
    refused(lambda: action(non_stock, manager_user, shelf), NON_FIELD)
    assert not StockItem.objects.filter(part=non_stock).exists()
    assert not StockTransaction.objects.filter(part=non_stock).exists()


@pytest.mark.parametrize("kind", ["transfer", "scrap"])
def test_stock_of_a_non_stock_part_cannot_be_moved_or_scrapped(
    non_stock, manager_user, shelf, bench, kind
):
    """Such an item could only be written directly (no action creates one); actions refuse it."""
    item = StockItem.objects.create(site=non_stock.site, part=non_stock, location=shelf, quantity=2)
    if kind == "transfer":
        call = lambda: services.stock_transfer(item=item, by=manager_user, location=bench)  # noqa: E731
    else:
        call = lambda: services.stock_scrap(item=item, by=manager_user, note="n")  # noqa: E731
    refused(call, NON_FIELD)
    assert StockItem.objects.get(pk=item.pk).location == shelf
    assert not StockTransaction.objects.filter(part=non_stock).exists()


# --- What part_update may not change --------------------------------------------------------------


@pytest.fixture
def part(site, manager_user, shelf):
    return services.part_create(
        site=site, by=manager_user, name="Belt", on_hand_qty="4", unit_cost="2", location=shelf
    )


def part_state(part) -> tuple:
    stored = Part.objects.get(pk=part.pk)
    return (
        stored.name,
        stored.is_non_stock,
        stored.unit_cost,
        stored.avg_unit_cost,
        stored.updated_at,
        sorted(StockItem.objects.filter(part=part).values_list("pk", "location", "quantity")),
        StockTransaction.objects.filter(part=part).count(),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_non_stock", True),
        ("on_hand_qty", "99"),
        ("unit_cost", "1.00"),
        ("avg_unit_cost", "1.00"),
        ("location", None),
    ],
)
def test_part_update_refuses_quantities_costs_and_the_non_stock_flag(
    part, manager_user, field, value
):
    before = part_state(part)
    refused(
        lambda: services.part_update(part=part, by=manager_user, name="Renamed", **{field: value}),
        field,
    )
    assert part_state(part) == before


@pytest.mark.parametrize("field", ["quantity", "on_hand", "stock_items", "site"])
def test_part_update_refuses_unknown_fields(part, manager_user, field):
    before = part_state(part)
    refused(lambda: services.part_update(part=part, by=manager_user, **{field: 1}), field)
    assert part_state(part) == before


def test_part_update_changes_settings_without_touching_stock_or_costs(part, manager_user, bench):
    updated = services.part_update(
        part=part, by=manager_user, name="V-belt", min_qty="2", default_location=bench
    )
    assert (updated.name, updated.min_qty, updated.default_location) == ("V-belt", D(2), bench)
    stored = Part.objects.get(pk=part.pk)
    assert (stored.unit_cost, stored.avg_unit_cost, stored.is_non_stock) == (D(2), D(2), False)
    assert services.on_hand_of(part) == D(4)
    assert StockTransaction.objects.filter(part=part).count() == 1
