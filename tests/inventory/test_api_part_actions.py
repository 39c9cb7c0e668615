"""The part's stock actions: restock, reconcile, unit-cost and avg-cost. Each returns the part,
writes one ledger row, and a refused one (bad input, non-stock part) writes nothing."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import Part, StockItem, StockTransaction
from tests.helpers import assert_field_error
from tests.inventory.factories import stocked_part


def act(api, part, name: str, body: dict, method: str = "post"):
    return getattr(api, method)(f"/api/parts/{part.pk}/{name}/", body)


def last_row(part) -> StockTransaction:
    return StockTransaction.objects.filter(part=part).order_by("-pk").first()


def ledger_sum(part) -> Decimal:
    return sum(StockTransaction.objects.filter(part=part).values_list("quantity", flat=True))


# --- Restock --------------------------------------------------------------------------------------


def test_restock_adds_stock_and_moves_the_average_cost(manager_api, part, manager_user):
    response = act(manager_api, part, "restock", {"quantity": "5", "cost": "8.00", "note": "PO-1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == part.pk and body["on_hand_qty"] == "15.000"
    assert body["unit_cost"] == "8.00"  # the last price paid
    assert body["avg_unit_cost"] == "6.00"  # (10 x 5.00 + 5 x 8.00) / 15
    assert [row["quantity"] for row in body["stock"]] == ["15.000"]
    row = last_row(part)
    assert (row.type, row.quantity, row.unit_cost, row.total_cost) == (
        "restock",
        Decimal("5"),
        Decimal("8"),
        Decimal("40"),
    )
    assert row.note == "PO-1" and row.created_by == manager_user
    assert row.on_hand_after == Decimal("15") == ledger_sum(part)


def test_the_average_cost_is_rounded_to_cents(manager_api, part):
    body = act(manager_api, part, "restock", {"quantity": "3", "cost": "7"}).json()
    assert body["avg_unit_cost"] == "5.46"  # 71 / 13 = 5.4615...
    assert Part.objects.get(pk=part.pk).avg_unit_cost == Decimal("5.46")


def test_restock_of_a_part_with_no_stock_takes_the_new_cost_as_average(
    manager_api, site, manager_user, store
):
    empty = stocked_part(site, manager_user, "0", None, "99.00", default_location=store.yard)
    body = act(manager_api, empty, "restock", {"quantity": "2", "cost": "4.50"}).json()
    assert body["avg_unit_cost"] == "4.50" and body["on_hand_qty"] == "2.000"


def test_restock_to_another_location_and_batch_makes_a_new_stock_item(manager_api, part, store):
    body = act(
        manager_api,
        part,
        "restock",
        {"quantity": "2.5", "cost": "5", "location": store.bin.pk, "batch": "B-7"},
    ).json()
    assert body["on_hand_qty"] == "12.500"
    assert [(r["location_path"], r["batch"], r["quantity"]) for r in body["stock"]] == [
        ("Store > Shelf A", "", "10.000"),
        ("Store > Shelf A > Bin 1", "B-7", "2.500"),
    ]
    assert last_row(part).location_id == store.bin.pk


def test_restock_accepts_patch_as_click_maint_sends_it(manager_api, part):
    response = act(manager_api, part, "restock", {"quantity": 1, "cost": 5}, method="patch")
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "11.000"
    row = last_row(part)
    assert (row.type, row.quantity, row.unit_cost) == ("restock", Decimal(1), Decimal(5))
    assert ledger_sum(part) == Decimal("11")


def test_restock_accepts_json_numbers(manager_api, part):
    response = act(manager_api, part, "restock", {"quantity": 1.5, "cost": 5.25})
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "11.500"
    row = last_row(part)
    assert (row.type, row.quantity, row.unit_cost) == ("restock", Decimal("1.5"), Decimal("5.25"))


# --- Reconcile ------------------------------------------------------------------------------------


def test_reconcile_applies_a_signed_difference_with_its_reason(manager_api, part, manager_user):
    response = act(manager_api, part, "reconcile", {"quantity": "-2", "note": "2 damaged"})
    assert response.status_code == 200, response.content
    assert response.json()["on_hand_qty"] == "8.000"
    row = last_row(part)
    assert (row.type, row.quantity, row.note) == ("reconcile", Decimal("-2"), "2 damaged")
    assert row.unit_cost == Decimal("5")  # valued at the average cost
    assert row.total_cost == Decimal("-10")
    body = act(manager_api, part, "reconcile", {"quantity": "0.5", "note": "found"}).json()
    assert body["on_hand_qty"] == "8.500" and ledger_sum(part) == Decimal("8.5")


def test_reconcile_leaves_costs_alone(manager_api, part):
    body = act(manager_api, part, "reconcile", {"quantity": "-1", "note": "count"}).json()
    assert (body["unit_cost"], body["avg_unit_cost"]) == ("5.00", "5.00")
    stored = Part.objects.get(pk=part.pk)
    assert (stored.unit_cost, stored.avg_unit_cost) == (Decimal(5), Decimal(5))
    assert last_row(part).type == "reconcile"


def test_reconcile_down_to_exactly_zero_is_allowed(manager_api, part):
    body = act(manager_api, part, "reconcile", {"quantity": "-10", "note": "empty"}).json()
    assert body["on_hand_qty"] == "0.000"
    assert StockItem.objects.get(part=part).quantity == 0 and ledger_sum(part) == 0


def test_reconcile_at_a_location_adjusts_the_stock_there(manager_api, part, store, manager_user):
    services.part_restock(part=part, by=manager_user, quantity="4", cost="5", location=store.bin)
    body = act(
        manager_api,
        part,
        "reconcile",
        {"quantity": "-3", "note": "count", "location": store.bin.pk},
    ).json()
    assert {r["location"]: r["quantity"] for r in body["stock"]} == {
        store.shelf.pk: "10.000",
        store.bin.pk: "1.000",
    }


def test_reconcile_of_a_named_stock_item(manager_api, part, store, manager_user):
    services.part_restock(part=part, by=manager_user, quantity="4", cost="5", location=store.bin)
    item = StockItem.objects.get(part=part, location=store.bin)
    body = act(
        manager_api, part, "reconcile", {"quantity": "1", "note": "count", "stock_item": item.pk}
    ).json()
    assert body["on_hand_qty"] == "15.000"
    assert StockItem.objects.get(pk=item.pk).quantity == Decimal("5")


def test_reconcile_without_a_location_needs_one_when_stock_is_in_several_places(
    manager_api, part, store, manager_user, snapshot
):
    services.part_restock(part=part, by=manager_user, quantity="4", cost="5", location=store.bin)
    before = snapshot(part)
    assert_field_error(
        act(manager_api, part, "reconcile", {"quantity": "-1", "note": "count"}), "location"
    )
    assert snapshot(part) == before


def test_reconcile_accepts_patch(manager_api, part):
    response = act(manager_api, part, "reconcile", {"quantity": -2, "note": "x"}, method="patch")
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "8.000"
    row = last_row(part)
    assert (row.type, row.quantity, row.note) == ("reconcile", Decimal(-2), "x")
    assert ledger_sum(part) == Decimal("8")


# --- Cost updates ---------------------------------------------------------------------------------


def test_unit_cost_update_sets_the_price_and_leaves_quantities_and_average(manager_api, part):
    response = act(manager_api, part, "unit-cost", {"cost": "225.50", "note": "INV-9847"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit_cost"] == "225.50" and body["avg_unit_cost"] == "5.00"
    assert body["on_hand_qty"] == "10.000"
    row = last_row(part)
    assert (row.type, row.quantity, row.unit_cost, row.note) == (
        "unit_cost",
        Decimal("0"),
        Decimal("225.5"),
        "INV-9847",
    )
    assert ledger_sum(part) == Decimal("10")


def test_avg_cost_update_revalues_stock_and_leaves_quantities_and_price(manager_api, part):
    body = act(manager_api, part, "avg-cost", {"cost": "4.10", "note": "rebate"}).json()
    assert body["avg_unit_cost"] == "4.10" and body["unit_cost"] == "5.00"
    assert body["on_hand_qty"] == "10.000"
    assert last_row(part).type == "avg_cost" and ledger_sum(part) == Decimal("10")


@pytest.mark.parametrize("name,field", [("unit-cost", "unit_cost"), ("avg-cost", "avg_unit_cost")])
def test_cost_updates_accept_patch_and_a_zero_cost(manager_api, part, name, field):
    response = act(manager_api, part, name, {"cost": 0}, method="patch")
    assert response.status_code == 200 and response.json()[field] == "0.00"
    assert getattr(Part.objects.get(pk=part.pk), field) == 0
    assert (last_row(part).type, last_row(part).unit_cost) == (name.replace("-", "_"), 0)


# --- Bad input: 400 naming the field, nothing written ------------------------------------------

BAD_ACTIONS = {
    "restock zero": ("restock", {"quantity": "0", "cost": "1"}, "quantity"),
    "restock negative": ("restock", {"quantity": "-3", "cost": "1"}, "quantity"),
    "restock negative cost": ("restock", {"quantity": "1", "cost": "-0.01"}, "cost"),
    "restock 4 decimals": ("restock", {"quantity": "1.2345", "cost": "1"}, "quantity"),
    "restock cost 3 decimals": ("restock", {"quantity": "1", "cost": "1.234"}, "cost"),
    "restock text quantity": ("restock", {"quantity": "five", "cost": "1"}, "quantity"),
    "restock text cost": ("restock", {"quantity": "1", "cost": "cheap"}, "cost"),
    "restock no quantity": ("restock", {"cost": "1"}, "quantity"),
    "restock no cost": ("restock", {"quantity": "1"}, "cost"),
    "restock huge": ("restock", {"quantity": "1e20", "cost": "1"}, "quantity"),
    "restock unknown location": (
        "restock",
        {"quantity": "1", "cost": "1", "location": 0},
        "location",
    ),
    "reconcile no note": ("reconcile", {"quantity": "-1"}, "note"),
    "reconcile blank note": ("reconcile", {"quantity": "-1", "note": "  "}, "note"),
    "reconcile below zero": ("reconcile", {"quantity": "-10.001", "note": "x"}, "quantity"),
    "reconcile zero": ("reconcile", {"quantity": "0", "note": "x"}, "quantity"),
    "reconcile 4 decimals": ("reconcile", {"quantity": "1.2345", "note": "x"}, "quantity"),
    "reconcile text": ("reconcile", {"quantity": "a few", "note": "x"}, "quantity"),
    "unit cost negative": ("unit-cost", {"cost": "-1"}, "cost"),
    "unit cost 3 decimals": ("unit-cost", {"cost": "1.234"}, "cost"),
    "unit cost text": ("unit-cost", {"cost": "n/a"}, "cost"),
    "unit cost missing": ("unit-cost", {"note": "x"}, "cost"),
    "avg cost negative": ("avg-cost", {"cost": "-1"}, "cost"),
    "avg cost 3 decimals": ("avg-cost", {"cost": "1.234"}, "cost"),
    "avg cost text": ("avg-cost", {"cost": "n/a"}, "cost"),
}


@pytest.mark.parametrize("name,body,field", BAD_ACTIONS.values(), ids=BAD_ACTIONS.keys())
def test_bad_action_input_is_refused_and_writes_nothing(
    manager_api, part, snapshot, name, body, field
):
    before = snapshot(part)
    assert_field_error(act(manager_api, part, name, body), field)
    assert snapshot(part) == before


def test_reconcile_of_a_stock_item_below_zero_is_refused(
    manager_api, part, store, manager_user, snapshot
):
    services.part_restock(part=part, by=manager_user, quantity="1", cost="5", location=store.bin)
    item = StockItem.objects.get(part=part, location=store.bin)
    before = snapshot(part)
    response = act(
        manager_api, part, "reconcile", {"quantity": "-2", "note": "x", "stock_item": item.pk}
    )
    assert_field_error(response, "quantity")  # the part has 11, but this item only 1
    assert snapshot(part) == before


def test_reconcile_of_a_stock_item_of_another_part_is_refused(
    manager_api, part, site, manager_user, store, snapshot
):
    other = stocked_part(site, manager_user, "3", store.yard, name="Other")
    before = snapshot(part), snapshot(other)
    response = act(
        manager_api,
        part,
        "reconcile",
        {"quantity": "1", "note": "x", "stock_item": other.stock_items.get().pk},
    )
    assert_field_error(response, "stock_item")
    assert (snapshot(part), snapshot(other)) == before


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("restock", {"quantity": "1", "cost": "1", "location": "LOCATION"}, "location"),
        ("reconcile", {"quantity": "1", "note": "x", "location": "LOCATION"}, "location"),
        ("reconcile", {"quantity": "-1", "note": "x", "stock_item": "ITEM"}, "stock_item"),
    ],
)
def test_another_sites_location_or_stock_item_does_not_exist_here(
    manager_api, part, foreign_location, foreign_item, snapshot, name, body, field
):
    ids = {"LOCATION": foreign_location.pk, "ITEM": foreign_item.pk}
    body = {k: ids.get(v, v) for k, v in body.items()}
    before = snapshot(part), snapshot(foreign_item.part)
    response = act(manager_api, part, name, body)
    assert_field_error(response, field)
    assert "does not exist" in response.json()[field][0]
    assert (snapshot(part), snapshot(foreign_item.part)) == before


@pytest.mark.parametrize(
    "name,body",
    [
        ("restock", {"quantity": "1", "cost": "1", "location": "LOCATION"}),
        ("reconcile", {"quantity": "1", "note": "x", "location": "LOCATION"}),
    ],
)
def test_stock_actions_on_a_non_stock_part_are_refused(
    manager_api, site, manager_user, store, snapshot, name, body
):
    rags = stocked_part(site, manager_user, "0", None, name="Rags", is_non_stock=True)
    body = {k: store.yard.pk if v == "LOCATION" else v for k, v in body.items()}
    before = snapshot(rags)
    response = act(manager_api, rags, name, body)
    assert response.status_code == 400
    assert "non-stock" in response.json()["non_field_errors"][0]
    assert snapshot(rags) == before


def test_another_sites_part_is_404_for_every_action(manager_api, foreign_part, snapshot):
    before = snapshot(foreign_part)
    for name, body in [
        ("restock", {"quantity": "1", "cost": "1"}),
        ("reconcile", {"quantity": "1", "note": "x"}),
        ("unit-cost", {"cost": "1"}),
        ("avg-cost", {"cost": "1"}),
    ]:
        for method in ("post", "patch"):
            response = act(manager_api, foreign_part, name, body, method=method)
            assert response.status_code == 404, (name, method, response.status_code)
    assert snapshot(foreign_part) == before


def test_the_ledger_always_sums_to_on_hand_after_a_mix_of_actions(manager_api, part, store):
    steps = [
        ("restock", {"quantity": "7", "cost": "6", "location": store.bin.pk}),
        ("reconcile", {"quantity": "-3", "note": "count", "location": store.shelf.pk}),
        ("unit-cost", {"cost": "9"}),
        ("reconcile", {"quantity": "1.125", "note": "found", "location": store.bin.pk}),
        ("avg-cost", {"cost": "5.5"}),
    ]
    for name, body in steps:
        response = act(manager_api, part, name, body)
        assert response.status_code == 200, (name, response.content)
    on_hand = Decimal(response.json()["on_hand_qty"])
    assert on_hand == Decimal("15.125") == ledger_sum(part) == last_row(part).on_hand_after


def test_click_maints_batch_reconcile_works_through_the_batch_endpoint(manager_api, part):
    response = manager_api.post(
        "/api/batch/",
        {
            "ops": [
                {
                    "method": "PATCH",
                    "url": f"/api/parts/{part.pk}/reconcile/",
                    "params": {"quantity": -2, "note": "2 units damaged during shipping"},
                },
                {"method": "GET", "url": f"/api/parts/{part.pk}/transactions/"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    reconciled, ledger = response.json()["results"]
    assert reconciled["status"] == 200 and reconciled["body"]["on_hand_qty"] == "8.000"
    assert ledger["body"]["results"][0]["type"] == "reconcile"
