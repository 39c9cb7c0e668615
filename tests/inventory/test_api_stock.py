"""/api/stock/: stock items under InvenTree's field names and filters, and the transfer and scrap
actions, which keep the ledger equal to on-hand."""

from decimal import Decimal

import pytest

from core.services import location_update
from inventory import services
from inventory.models import StockItem, StockStatus, StockTransaction
from tests.helpers import assert_field_error
from tests.inventory.factories import PartFactory, StockItemFactory, stocked_part


def pks(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["pk"] for row in response.json()["results"]]


def ledger_sum(part) -> Decimal:
    return sum(StockTransaction.objects.filter(part=part).values_list("quantity", flat=True))


@pytest.fixture
def item(part):
    """The Oil filter's one stock item: 10 on Shelf A."""
    return part.stock_items.get()


# --- Reading --------------------------------------------------------------------------------------


def test_a_stock_item_uses_inventree_field_names(tech_api, item, store):
    response = tech_api.get(f"/api/stock/{item.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "pk": item.pk,
        "part": item.part_id,
        "part_name": "Oil filter",
        "quantity": "10.000",
        "serial": "",
        "batch": "",
        "location": store.shelf.pk,
        "location_path": "Store > Shelf A",
        "status": 10,
        "status_text": "OK",
        "is_building": False,
        "in_stock": True,
        "notes": "",
        "updated": body["updated"],
    }


def test_a_build_quantity_finer_than_3_places_is_shown_in_full(tech_api, site):
    odd = StockItemFactory(part=PartFactory(site=site), quantity=Decimal("0.00125"))
    assert tech_api.get(f"/api/stock/{odd.pk}/").json()["quantity"] == "0.00125"


@pytest.fixture
def spread(site, store):
    """Stock items of two parts across the store, in several states."""
    bolt, nut = PartFactory(site=site, name="Bolt"), PartFactory(site=site, name="Nut")
    make = StockItemFactory
    return {
        "shelf": make(part=bolt, location=store.shelf, batch="B-1", quantity=5),
        "bin": make(part=bolt, location=store.bin, serial="SN-9", quantity=1),
        "shelf_b": make(part=nut, location=store.shelf_b, quantity=7),
        "yard_damaged": make(part=nut, location=store.yard, status=StockStatus.DAMAGED),
        "yard_lost": make(part=nut, location=store.yard, status=StockStatus.LOST),
        "empty": make(part=nut, location=store.yard, quantity=0),
        "building": make(part=bolt, location=store.bin, is_building=True),
    }


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"location": "building"}, ["shelf", "bin", "shelf_b", "building"]),
        ({"location": "shelf"}, ["shelf", "bin", "building"]),
        ({"location": "shelf", "cascade": "false"}, ["shelf"]),
        ({"location": "bin"}, ["bin", "building"]),
        ({"batch": "B-1"}, ["shelf"]),
        ({"serial": "SN-9"}, ["bin"]),
        ({"status": StockStatus.LOST}, ["yard_lost"]),
        ({"in_stock": "true"}, ["shelf", "bin", "shelf_b", "yard_damaged"]),
        ({"in_stock": "false"}, ["yard_lost", "empty", "building"]),
        ({"is_building": "true"}, ["building"]),
        ({"search": "sn-9"}, ["bin"]),
        ({"search": "nut"}, ["shelf_b", "yard_damaged", "yard_lost", "empty"]),
    ],
)
def test_stock_filters(tech_api, spread, store, params, expected):
    params = {k: getattr(store, v).pk if k == "location" else v for k, v in params.items()}
    assert sorted(pks(tech_api.get("/api/stock/", params))) == sorted(
        spread[name].pk for name in expected
    )


def test_filter_by_part(tech_api, spread):
    bolt = spread["shelf"].part_id
    assert sorted(pks(tech_api.get("/api/stock/", {"part": bolt}))) == sorted(
        spread[n].pk for n in ("shelf", "bin", "building")
    )


def test_filter_by_another_sites_location_finds_nothing(tech_api, spread, foreign_location):
    assert len(pks(tech_api.get("/api/stock/"))) == len(spread)
    assert pks(tech_api.get("/api/stock/", {"location": foreign_location.pk})) == []


def test_stock_ordering(tech_api, spread):
    quantities = [
        row["quantity"]
        for row in tech_api.get("/api/stock/", {"ordering": "-quantity"}).json()["results"]
    ]
    assert quantities == ["7.000", "5.000", "1.000", "1.000", "1.000", "1.000", "0.000"]
    by_location = tech_api.get("/api/stock/", {"ordering": "location"}).json()["results"]
    paths = [row["location_path"] for row in by_location]
    assert len(paths) == len(spread) and paths == sorted(paths)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_stock_items_are_not_written_directly(manager_api, item, method):
    url = "/api/stock/" if method == "post" else f"/api/stock/{item.pk}/"
    response = getattr(manager_api, method)(url, {"quantity": "99", "part": item.part_id})
    assert response.status_code == 405
    assert StockItem.objects.get(pk=item.pk).quantity == Decimal("10")


# --- Transfer -------------------------------------------------------------------------------------


def test_a_partial_transfer_splits_the_item(manager_api, item, store, part):
    response = manager_api.post(
        f"/api/stock/{item.pk}/transfer/",
        {"location": store.bin.pk, "quantity": "3", "note": "to the line"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    moved = body["stock_item"]
    assert moved["pk"] != item.pk and moved["location"] == store.bin.pk
    assert moved["quantity"] == "3.000"
    assert [(r["type"], r["quantity"], r["location"]) for r in body["transactions"]] == [
        ("transfer", "-3.000", store.shelf.pk),
        ("transfer", "3.000", store.bin.pk),
    ]
    assert body["transactions"][0]["note"] == "to the line"
    assert StockItem.objects.get(pk=item.pk).quantity == Decimal("7")
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("10")


def test_a_full_transfer_moves_the_item_itself(manager_api, item, store, part):
    response = manager_api.post(f"/api/stock/{item.pk}/transfer/", {"location": store.yard.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stock_item"]["pk"] == item.pk
    assert body["stock_item"]["location_path"] == "Yard"
    assert body["stock_item"]["quantity"] == "10.000"
    assert StockItem.objects.filter(part=part).count() == 1
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("10")


def test_a_full_transfer_merges_into_stock_already_there(
    manager_api, item, store, part, manager_user
):
    services.part_restock(part=part, by=manager_user, quantity="2", cost="5", location=store.bin)
    target = StockItem.objects.get(part=part, location=store.bin)
    body = manager_api.post(f"/api/stock/{item.pk}/transfer/", {"location": store.bin.pk}).json()
    assert body["stock_item"]["pk"] == target.pk and body["stock_item"]["quantity"] == "12.000"
    assert StockItem.objects.get(pk=item.pk).quantity == 0
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("12")


BAD_TRANSFERS = {
    "no location": ({}, "location"),
    "unknown location": ({"location": 999999}, "location"),
    "the same location": ({"location": "shelf"}, "location"),
    "more than the item holds": ({"location": "bin", "quantity": "10.001"}, "quantity"),
    "zero": ({"location": "bin", "quantity": "0"}, "quantity"),
    "negative": ({"location": "bin", "quantity": "-1"}, "quantity"),
    "4 decimals": ({"location": "bin", "quantity": "1.2345"}, "quantity"),
    "text": ({"location": "bin", "quantity": "half"}, "quantity"),
}


@pytest.mark.parametrize("body,field", BAD_TRANSFERS.values(), ids=BAD_TRANSFERS.keys())
def test_a_bad_transfer_is_refused_and_moves_nothing(
    manager_api, item, part, store, snapshot, body, field
):
    body = {
        k: getattr(store, v).pk if k == "location" and isinstance(v, str) else v
        for k, v in body.items()
    }
    before = snapshot(part)
    assert_field_error(manager_api.post(f"/api/stock/{item.pk}/transfer/", body), field)
    assert snapshot(part) == before


def test_a_transfer_to_another_sites_location_does_not_exist(
    manager_api, item, part, foreign_location, snapshot
):
    before = snapshot(part)
    response = manager_api.post(
        f"/api/stock/{item.pk}/transfer/", {"location": foreign_location.pk}
    )
    assert_field_error(response, "location")
    assert "does not exist" in response.json()["location"][0]
    assert snapshot(part) == before


def test_a_serialised_item_moves_whole(manager_api, site, manager_user, store, snapshot):
    meter = stocked_part(site, manager_user, "1", store.shelf, name="Meter")
    serial = meter.stock_items.get()
    StockItem.objects.filter(pk=serial.pk).update(serial="M-1")
    before = snapshot(meter)
    response = manager_api.post(
        f"/api/stock/{serial.pk}/transfer/", {"location": store.bin.pk, "quantity": "0.5"}
    )
    assert_field_error(response, "quantity")
    assert snapshot(meter) == before
    whole = manager_api.post(f"/api/stock/{serial.pk}/transfer/", {"location": store.bin.pk})
    assert whole.status_code == 200 and whole.json()["stock_item"]["serial"] == "M-1"
    moved = StockItem.objects.get(pk=serial.pk)
    assert (moved.location_id, moved.quantity, moved.serial) == (store.bin.pk, 1, "M-1")


# --- Scrap ----------------------------------------------------------------------------------------


def test_scrap_writes_off_part_of_an_item_with_a_reason(manager_api, item, part, manager_user):
    response = manager_api.post(
        f"/api/stock/{item.pk}/scrap/", {"quantity": "2", "note": "crushed"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stock_item"]["pk"] == item.pk and body["stock_item"]["quantity"] == "8.000"
    [row] = body["transactions"]
    assert (row["type"], row["quantity"], row["note"]) == ("scrap", "-2.000", "crushed")
    assert row["total_cost"] == "-10.00"  # valued at the average cost
    assert row["created_by"]["id"] == manager_user.pk
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("8")


def test_scrap_without_a_quantity_writes_off_the_whole_item(manager_api, item, part):
    body = manager_api.post(f"/api/stock/{item.pk}/scrap/", {"note": "expired"}).json()
    assert body["stock_item"]["quantity"] == "0.000" and body["stock_item"]["in_stock"] is False
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("0")


BAD_SCRAPS = {
    "no note": ({"quantity": "1"}, "note"),
    "blank note": ({"quantity": "1", "note": " "}, "note"),
    "more than the item holds": ({"quantity": "11", "note": "x"}, "quantity"),
    "4 decimals": ({"quantity": "0.0001", "note": "x"}, "quantity"),
    "text": ({"quantity": "some", "note": "x"}, "quantity"),
    "negative": ({"quantity": "-1", "note": "x"}, "quantity"),
}


@pytest.mark.parametrize("body,field", BAD_SCRAPS.values(), ids=BAD_SCRAPS.keys())
def test_a_bad_scrap_is_refused_and_writes_nothing(manager_api, item, part, snapshot, body, field):
    before = snapshot(part)
    assert_field_error(manager_api.post(f"/api/stock/{item.pk}/scrap/", body), field)
    assert snapshot(part) == before


def test_stock_that_is_not_in_stock_cannot_be_moved_or_scrapped(
    manager_api, item, part, store, snapshot
):
    StockItem.objects.filter(pk=item.pk).update(status=StockStatus.LOST)
    before = snapshot(part)
    for action, body in [("transfer", {"location": store.bin.pk}), ("scrap", {"note": "x"})]:
        response = manager_api.post(f"/api/stock/{item.pk}/{action}/", body)
        assert response.status_code == 400 and "non_field_errors" in response.json()
    assert snapshot(part) == before


def test_another_sites_stock_item_is_404_for_its_actions(
    manager_api, foreign_item, store, snapshot
):
    before = snapshot(foreign_item.part)
    for action, body in [("transfer", {"location": store.bin.pk}), ("scrap", {"note": "x"})]:
        assert manager_api.post(f"/api/stock/{foreign_item.pk}/{action}/", body).status_code == 404
    assert snapshot(foreign_item.part) == before


def test_the_cached_list_counts_follow_stock_actions(tech_api, site, manager_user, store):
    part = stocked_part(site, manager_user, "5", store.shelf)
    assert tech_api.get("/api/stock/").json()["count"] == 1
    assert tech_api.get("/api/part-transactions/").json()["count"] == 1

    services.part_restock(part=part, by=manager_user, quantity="2", cost="1", location=store.yard)

    assert tech_api.get("/api/stock/").json()["count"] == 2
    assert tech_api.get("/api/part-transactions/").json()["count"] == 2


def test_a_location_filters_count_follows_a_move_of_the_tree(tech_api, site, manager_user, store):
    stocked_part(site, manager_user, "5", store.bin, name="In the bin")
    url = f"/api/stock/?location={store.building.pk}"
    assert tech_api.get(url).json()["count"] == 1

    location_update(location=store.shelf, by=manager_user, parent=store.yard)

    assert tech_api.get(url).json()["count"] == 0
    assert tech_api.get(f"/api/stock/?location={store.yard.pk}").json()["count"] == 1


@pytest.mark.django_db(transaction=True)  # committed moves, as requests make them
def test_a_location_filter_follows_the_tree_as_it_changes(tech_api, spread, store, admin_user):
    """What is inside a location is cached under the site's tree version: a move shows at once."""

    def inside(location) -> list[int]:
        return sorted(pks(tech_api.get("/api/stock/", {"location": location.pk})))

    assert inside(store.yard) == sorted(
        spread[n].pk for n in ("yard_damaged", "yard_lost", "empty")
    )
    location_update(location=store.shelf_b, by=admin_user, parent=store.yard)

    assert spread["shelf_b"].pk in inside(store.yard)
    assert spread["shelf_b"].pk not in inside(store.building)
