"""/api/parts/: the catalogue with derived quantities, create-only stock and cost, vendors, QR
values, filters, search, ordering, deletion rules and the low-stock list."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import Part, PartVendor, StockTransaction
from tests.helpers import assert_field_error, html, text
from tests.inventory.factories import (
    PartFactory,
    PartTypeFactory,
    VendorFactory,
    stocked_part,
)

D = Decimal


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def detail(api, part) -> dict:
    response = api.get(f"/api/parts/{part.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


# --- Create ---------------------------------------------------------------------------------------


def test_creating_a_part_with_opening_stock_books_one_restock_there(manager_api, store, site):
    response = manager_api.post(
        "/api/parts/",
        {
            "name": " V-belt ",
            "number": "VB-10",
            "on_hand_qty": "12.5",
            "unit_cost": "3.40",
            "location": store.bin.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "V-belt" and body["number"] == "VB-10"
    assert body["on_hand_qty"] == "12.500" and body["available"] == "12.500"
    assert body["unit_cost"] == "3.40" and body["avg_unit_cost"] == "3.40"
    assert body["stock"] == [
        {
            "stock_item": body["stock"][0]["stock_item"],
            "location": store.bin.pk,
            "location_path": "Store > Shelf A > Bin 1",
            "quantity": "12.500",
            "batch": "",
            "serial": "",
            "status": 10,
        }
    ]
    row = StockTransaction.objects.get(part_id=body["id"])
    assert (row.type, row.quantity, row.unit_cost) == ("restock", Decimal("12.5"), Decimal("3.4"))
    assert Part.objects.get(pk=body["id"]).site == site


def test_opening_stock_goes_to_the_default_location_when_none_is_given(manager_api, store):
    response = manager_api.post(
        "/api/parts/", {"name": "Belt", "on_hand_qty": "2", "default_location": store.yard.pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["default_location_path"] == "Yard"
    assert [row["location"] for row in body["stock"]] == [store.yard.pk]
    part = Part.objects.get(pk=body["id"])
    assert part.default_location == store.yard
    assert list(part.stock_items.values_list("location", "quantity")) == [(store.yard.pk, 2)]
    row = StockTransaction.objects.get(part=part)
    assert (row.type, row.location, row.quantity) == ("restock", store.yard, 2)


def test_a_part_without_opening_stock_has_no_ledger_rows(manager_api):
    response = manager_api.post("/api/parts/", {"name": "Gasket", "unit_cost": "1.25"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["on_hand_qty"] == "0.000" and body["stock"] == []
    assert body["unit_cost"] == "1.25" and body["avg_unit_cost"] == "1.25"
    part = Part.objects.get(pk=body["id"])
    assert (part.name, part.unit_cost, part.avg_unit_cost) == ("Gasket", D("1.25"), D("1.25"))
    assert not part.stock_items.exists()
    assert not StockTransaction.objects.filter(part_id=body["id"]).exists()


def test_a_new_part_records_its_creator(manager_api, manager_user):
    body = manager_api.post("/api/parts/", {"name": "Gasket"}).json()
    assert body["created_by"]["id"] == manager_user.pk
    assert body["created_by"]["username"] == "manager"
    assert body["updated_by"]["id"] == manager_user.pk
    part = Part.objects.get(pk=body["id"])
    assert part.created_by == manager_user and part.updated_by == manager_user


def test_a_form_encoded_part_is_active_by_default(manager_api):
    response = manager_api.post("/api/parts/", {"name": "Fuse"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["active"] is True and response.json()["is_non_stock"] is False
    part = Part.objects.get(pk=response.json()["id"])
    assert (part.name, part.active, part.is_non_stock) == ("Fuse", True, False)


def test_a_non_stock_part_is_created_without_stock(manager_api):
    response = manager_api.post("/api/parts/", {"name": "Shop rags", "is_non_stock": True})
    assert response.status_code == 201 and response.json()["is_non_stock"] is True
    part = Part.objects.get(pk=response.json()["id"])
    assert part.is_non_stock and not part.stock_items.exists()
    assert not StockTransaction.objects.filter(part=part).exists()


def test_a_non_stock_part_cannot_have_opening_stock(manager_api, store):
    before = Part.objects.count(), StockTransaction.objects.count()
    response = manager_api.post(
        "/api/parts/",
        {"name": "Shop rags", "is_non_stock": True, "on_hand_qty": "5", "location": store.yard.pk},
    )
    assert_field_error(response, "on_hand_qty")
    assert (Part.objects.count(), StockTransaction.objects.count()) == before


def test_create_with_vendors_links_them_with_numbers_and_a_preferred_one(manager_api, site):
    acme, bolt = VendorFactory(site=site, name="Acme"), VendorFactory(site=site, name="Bolt Co")
    response = manager_api.post(
        "/api/parts/",
        {
            "name": "Bearing",
            "vendors": [
                {"vendor": bolt.pk, "vendor_part_number": "B-1"},
                {"vendor": acme.pk, "vendor_part_number": "A-7", "is_preferred": True},
            ],
        },
    )
    assert response.status_code == 201, response.content
    links = PartVendor.objects.filter(part_id=response.json()["id"]).order_by("vendor__name")
    assert [(v.vendor, v.vendor_part_number, v.is_preferred) for v in links] == [
        (acme, "A-7", True),
        (bolt, "B-1", False),
    ]
    assert response.json()["vendors"] == [
        {
            "vendor": acme.pk,
            "vendor_name": "Acme",
            "vendor_part_number": "A-7",
            "is_preferred": True,
        },
        {
            "vendor": bolt.pk,
            "vendor_name": "Bolt Co",
            "vendor_part_number": "B-1",
            "is_preferred": False,
        },
    ]


def stored_qr_code(body) -> str:
    return Part.objects.get(pk=body["id"]).qr_code


def test_a_generated_qr_value_is_given_on_request(manager_api):
    body = manager_api.post("/api/parts/", {"name": "Pump", "generate_qr_code": True}).json()
    assert body["qr_code"].startswith("P-") and len(body["qr_code"]) > 4
    assert "generate_qr_code" not in body and "location" not in body
    assert stored_qr_code(body) == body["qr_code"]


def test_an_explicit_qr_value_is_kept(manager_api):
    body = manager_api.post("/api/parts/", {"name": "Pump", "qr_code": "PUMP-1"}).json()
    assert body["qr_code"] == "PUMP-1" == stored_qr_code(body)


def test_no_qr_value_when_generation_is_declined(manager_api):
    body = manager_api.post("/api/parts/", {"name": "Pump", "generate_qr_code": False}).json()
    assert body["qr_code"] == "" == stored_qr_code(body)


BAD_NEW_PARTS = {
    "missing name": ({}, "name"),
    "blank name": ({"name": "  "}, "name"),
    "name too long": ({"name": "x" * 201}, "name"),
    "negative minimum": ({"name": "P", "min_qty": "-1"}, "min_qty"),
    "minimum with 4 decimals": ({"name": "P", "min_qty": "1.2345"}, "min_qty"),
    "text for the desired quantity": ({"name": "P", "desired_qty": "lots"}, "desired_qty"),
    "negative lead time": ({"name": "P", "lead_time": -1}, "lead_time"),
    "negative unit cost": ({"name": "P", "unit_cost": "-1"}, "unit_cost"),
    "unit cost with 3 decimals": ({"name": "P", "unit_cost": "1.234"}, "unit_cost"),
    "text for the unit cost": ({"name": "P", "unit_cost": "cheap"}, "unit_cost"),
    "negative opening stock": ({"name": "P", "on_hand_qty": "-1"}, "on_hand_qty"),
    "opening stock with 4 decimals": ({"name": "P", "on_hand_qty": "1.2345"}, "on_hand_qty"),
    "text for the opening stock": ({"name": "P", "on_hand_qty": "ten"}, "on_hand_qty"),
    "opening stock with no location": ({"name": "P", "on_hand_qty": "3"}, "location"),
    "unknown part type": ({"name": "P", "part_type": 999999}, "part_type"),
    "unknown location": ({"name": "P", "on_hand_qty": "1", "location": 999999}, "location"),
    "duplicate number, other case": ({"name": "P", "number": "of-1"}, "number"),
    "duplicate QR value": ({"name": "P", "qr_code": "TAKEN"}, "qr_code"),
}


@pytest.mark.parametrize("body,field", BAD_NEW_PARTS.values(), ids=BAD_NEW_PARTS.keys())
def test_a_bad_new_part_is_refused_and_nothing_is_written(manager_api, part, body, field):
    Part.objects.filter(pk=part.pk).update(qr_code="TAKEN")
    before = Part.objects.count(), StockTransaction.objects.count()
    assert_field_error(manager_api.post("/api/parts/", body), field)
    assert (Part.objects.count(), StockTransaction.objects.count()) == before


def test_references_to_another_sites_records_do_not_exist(
    manager_api, part, foreign_location, other_site
):
    their_type = PartTypeFactory(site=other_site)
    their_vendor = VendorFactory(site=other_site)
    before = Part.objects.count(), StockTransaction.objects.count()
    for body, field in [
        ({"part_type": their_type.pk}, "part_type"),
        ({"default_location": foreign_location.pk}, "default_location"),
        ({"on_hand_qty": "1", "location": foreign_location.pk}, "location"),
        ({"vendors": [{"vendor": their_vendor.pk}]}, "vendors"),
    ]:
        response = manager_api.post("/api/parts/", {"name": "P", **body})
        assert_field_error(response, field)
        assert "does not exist" in str(response.json()[field])
    assert (Part.objects.count(), StockTransaction.objects.count()) == before


@pytest.mark.parametrize(
    "vendors",
    [
        "two preferred",
        "the same vendor twice",
    ],
)
def test_bad_vendor_links_are_refused(manager_api, site, vendors):
    acme, bolt = VendorFactory(site=site), VendorFactory(site=site)
    links = {
        "two preferred": [
            {"vendor": acme.pk, "is_preferred": True},
            {"vendor": bolt.pk, "is_preferred": True},
        ],
        "the same vendor twice": [{"vendor": acme.pk}, {"vendor": acme.pk}],
    }[vendors]
    before = Part.objects.count()
    assert_field_error(manager_api.post("/api/parts/", {"name": "P", "vendors": links}), "vendors")
    assert Part.objects.count() == before and not PartVendor.objects.exists()


# --- Read -----------------------------------------------------------------------------------------


def test_detail_shows_derived_quantities_and_stock_by_location(tech_api, part, store, manager_user):
    services.part_restock(part=part, by=manager_user, quantity="2", cost="5", location=store.bin)
    body = detail(tech_api, part)
    assert body["on_hand_qty"] == "12.000"
    assert body["reserved"] == "0.000" and body["available"] == "12.000"
    assert [(row["location_path"], row["quantity"]) for row in body["stock"]] == [
        ("Store > Shelf A", "10.000"),
        ("Store > Shelf A > Bin 1", "2.000"),
    ]


def test_the_list_has_the_part_fields_but_not_the_stock_breakdown(tech_api, part):
    row = tech_api.get("/api/parts/").json()["results"][0]
    assert row["id"] == part.pk and row["on_hand_qty"] == "10.000"
    assert "stock" not in row
    for field in ("unit_cost", "avg_unit_cost", "reserved", "available", "low_stock", "vendors"):
        assert field in row


def test_a_part_type_is_shown_with_its_name(manager_api, part, site):
    filters = PartTypeFactory(site=site, name="Filters")
    body = manager_api.patch(f"/api/parts/{part.pk}/", {"part_type": filters.pk}).json()
    assert body["part_type"] == filters.pk and body["part_type_name"] == "Filters"
    assert Part.objects.get(pk=part.pk).part_type == filters


def test_a_part_missing_in_this_site_is_404(tech_api, db):
    response = tech_api.get("/api/parts/999999/")
    assert response.status_code == 404 and "detail" in response.json()


# --- Update ---------------------------------------------------------------------------------------


def test_update_edits_description_and_settings(manager_api, part, store, manager_user):
    response = manager_api.patch(
        f"/api/parts/{part.pk}/",
        {
            "name": "Oil filter XL",
            "min_qty": "4",
            "desired_qty": "20",
            "lead_time": 7,
            "area": "Filters bin",
            "default_location": store.bin.pk,
            "active": False,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Oil filter XL" and body["min_qty"] == "4.000"
    assert body["desired_qty"] == "20.000" and body["lead_time"] == 7
    assert body["area"] == "Filters bin" and body["active"] is False
    assert body["default_location_path"] == "Store > Shelf A > Bin 1"
    assert body["on_hand_qty"] == "10.000"  # untouched
    stored = Part.objects.get(pk=part.pk)
    assert (stored.name, stored.min_qty, stored.desired_qty, stored.lead_time) == (
        "Oil filter XL",
        D(4),
        D(20),
        7,
    )
    assert (stored.area, stored.default_location, stored.active) == (
        "Filters bin",
        store.bin,
        False,
    )
    assert services.on_hand_of(part) == D(10)


def test_update_replaces_the_vendor_links(manager_api, part, site):
    acme, bolt = VendorFactory(site=site), VendorFactory(site=site)
    manager_api.patch(f"/api/parts/{part.pk}/", {"vendors": [{"vendor": acme.pk}]})
    body = manager_api.patch(
        f"/api/parts/{part.pk}/", {"vendors": [{"vendor": bolt.pk, "is_preferred": True}]}
    ).json()
    assert [(v["vendor"], v["is_preferred"]) for v in body["vendors"]] == [(bolt.pk, True)]
    assert list(PartVendor.objects.filter(part=part).values_list("vendor", flat=True)) == [bolt.pk]


def test_update_without_vendors_keeps_the_links(manager_api, part, site):
    acme = VendorFactory(site=site)
    manager_api.patch(f"/api/parts/{part.pk}/", {"vendors": [{"vendor": acme.pk}]})
    body = manager_api.patch(f"/api/parts/{part.pk}/", {"name": "Renamed"}).json()
    assert [v["vendor"] for v in body["vendors"]] == [acme.pk]
    assert Part.objects.get(pk=part.pk).name == "Renamed"
    assert list(PartVendor.objects.filter(part=part).values_list("vendor", flat=True)) == [acme.pk]


def test_update_can_regenerate_or_clear_the_qr_value(manager_api, part):
    old = part.qr_code
    regenerated = manager_api.patch(f"/api/parts/{part.pk}/", {"generate_qr_code": True}).json()
    assert regenerated["qr_code"].startswith("P-") and regenerated["qr_code"] != old
    assert Part.objects.get(pk=part.pk).qr_code == regenerated["qr_code"]
    cleared = manager_api.patch(f"/api/parts/{part.pk}/", {"qr_code": ""}).json()
    assert cleared["qr_code"] == "" == Part.objects.get(pk=part.pk).qr_code


def test_a_full_put_edits_the_part(manager_api, part):
    response = manager_api.put(f"/api/parts/{part.pk}/", {"name": "Filter", "number": "F-2"})
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["number"]) == ("Filter", "F-2")
    stored = Part.objects.get(pk=part.pk)
    assert (stored.name, stored.number) == ("Filter", "F-2")


REFUSED_ON_UPDATE = {
    "on_hand_qty": "99",
    "unit_cost": "1.00",
    "avg_unit_cost": "1.00",
    "is_non_stock": True,
    "location": None,
}


@pytest.mark.parametrize("field", REFUSED_ON_UPDATE)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_stock_and_cost_fields_are_refused_on_update_and_nothing_changes(
    manager_api, part, snapshot, store, field, method
):
    value = REFUSED_ON_UPDATE[field] if field != "location" else store.yard.pk
    before = snapshot(part)
    response = getattr(manager_api, method)(
        f"/api/parts/{part.pk}/", {"name": "Renamed", field: value}
    )
    assert_field_error(response, field)
    message = response.json()[field][0]
    assert "stock actions" in message or "created" in message
    assert snapshot(part) == before
    assert Part.objects.get(pk=part.pk).name == "Oil filter"


BAD_EDITS = {
    "blank name": ({"name": ""}, "name"),
    "negative minimum": ({"min_qty": "-2"}, "min_qty"),
    "minimum with 4 decimals": ({"min_qty": "0.0001"}, "min_qty"),
    "text for the lead time": ({"lead_time": "a week"}, "lead_time"),
    "number of another part": ({"number": "BOLT-1"}, "number"),
    "unknown default location": ({"default_location": 999999}, "default_location"),
}


@pytest.mark.parametrize("body,field", BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_a_bad_edit_is_refused_and_changes_nothing(
    manager_api, part, site, manager_user, snapshot, body, field
):
    stocked_part(site, manager_user, "0", None, name="Bolt", number="BOLT-1")
    before = snapshot(part), Part.objects.filter(pk=part.pk).values()[0]
    response = manager_api.patch(f"/api/parts/{part.pk}/", {**body, "area": "changed"})
    assert_field_error(response, field)
    assert (snapshot(part), Part.objects.filter(pk=part.pk).values()[0]) == before


# --- Delete ---------------------------------------------------------------------------------------


def test_a_part_without_stock_history_can_be_deleted(manager_api, site):
    fresh = PartFactory(site=site)
    assert manager_api.delete(f"/api/parts/{fresh.pk}/").status_code == 204
    assert not Part.objects.filter(pk=fresh.pk).exists()


def test_a_part_with_stock_history_cannot_be_deleted(manager_api, part, snapshot):
    before = snapshot(part)
    response = manager_api.delete(f"/api/parts/{part.pk}/")
    assert response.status_code == 400
    assert "deactivate" in response.json()["non_field_errors"][0]
    assert snapshot(part) == before


def test_a_part_whose_stock_was_used_up_still_cannot_be_deleted(
    manager_api, part, manager_user, snapshot
):
    services.part_reconcile(part=part, by=manager_user, quantity="-10", note="all gone")
    before = snapshot(part)
    response = manager_api.delete(f"/api/parts/{part.pk}/")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert snapshot(part) == before


# --- Filters, search and ordering -----------------------------------------------------------------


@pytest.fixture
def catalogue(site, manager_user, store):
    """Four parts: a low one with a vendor and type, an assembly, a trackable, a non-stock."""
    filters = PartTypeFactory(site=site, name="Filters")
    acme = VendorFactory(site=site, name="Acme")
    by = manager_user
    low = stocked_part(site, by, "1", store.bin, "2", name="Air filter", part_type=filters)
    services.part_update(part=low, by=by, min_qty="5", vendors=[{"vendor": acme}])
    stocked_part(site, by, "8", store.shelf_b, "9", name="Gearbox", assembly=True)
    stocked_part(site, by, "3", store.yard, "1", name="Sensor", trackable=True, active=False)
    stocked_part(site, by, "0", None, name="Rags", is_non_stock=True)
    return {"type": filters, "vendor": acme}


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"low_stock": "true"}, ["Air filter"]),
        ({"low_stock": "false"}, ["Gearbox", "Rags", "Sensor"]),
        ({"active": "false"}, ["Sensor"]),
        ({"assembly": "true"}, ["Gearbox"]),
        ({"trackable": "true"}, ["Sensor"]),
        ({"is_non_stock": "true"}, ["Rags"]),
        ({"q": "FILTER"}, ["Air filter"]),
        ({"search": "gear"}, ["Gearbox"]),
    ],
)
def test_part_filters(tech_api, catalogue, params, expected):
    assert names(tech_api.get("/api/parts/", params)) == expected


@pytest.mark.parametrize("param", ["part_type", "type"])
def test_filter_by_part_type_or_its_alias(tech_api, catalogue, param):
    assert names(tech_api.get("/api/parts/", {param: catalogue["type"].pk})) == ["Air filter"]


def test_filter_by_vendor(tech_api, catalogue):
    assert names(tech_api.get("/api/parts/", {"vendor": catalogue["vendor"].pk})) == ["Air filter"]


def test_search_matches_number_and_description(tech_api, site):
    PartFactory(site=site, name="A", number="XK-77")
    PartFactory(site=site, name="B", description="fits the XK press")
    PartFactory(site=site, name="C")
    assert names(tech_api.get("/api/parts/", {"search": "xk"})) == ["A", "B"]


@pytest.fixture
def bearings(site, manager_user):
    """Parts whose words are spread over name, number, description and vendor part numbers."""
    skf = services.vendor_create(site=site, by=manager_user, name="SKF")

    def make(name, **fields):
        return services.part_create(site=site, by=manager_user, name=name, **fields)

    return {
        "ball": make("Ball bearing 6204-2RS", number="BB-1"),
        "housing": make(
            "Housing",
            description="Takes a bearing",
            vendors=[{"vendor": skf, "vendor_part_number": "SKF-6204"}],
        ),
        "ball_only": make("Ball 6204"),
        "other": make("Belt"),
    }


def test_search_matches_every_word_in_any_order_in_any_field(tech_api, tech_page, bearings):
    found = names(tech_api.get("/api/parts/", {"search": "6204 BEARING"}))
    assert found == ["Ball bearing 6204-2RS", "Housing"]
    assert names(tech_api.get("/api/parts/", {"q": "bearing 6204"})) == found
    page = tech_page.get("/parts/", {"q": "  6204   bearing "}).content.decode()
    assert [text(a) for a in html(page).select('[data-testid="part-row"] a')] == found


def test_search_follows_an_edit_of_the_words_and_the_vendor_numbers(
    tech_api, manager_user, bearings
):
    housing = bearings["housing"]
    services.part_update(part=housing, by=manager_user, description="", vendors=[])
    assert names(tech_api.get("/api/parts/", {"search": "6204 bearing"})) == [
        "Ball bearing 6204-2RS"
    ]
    services.part_update(part=housing, by=manager_user, name="Bearing housing")
    assert "Bearing housing" in names(tech_api.get("/api/parts/", {"search": "housing bearing"}))


def test_default_order_is_by_name(tech_api, catalogue):
    assert names(tech_api.get("/api/parts/")) == ["Air filter", "Gearbox", "Rags", "Sensor"]


@pytest.mark.parametrize(
    "ordering,expected",
    [
        ("-on_hand", ["Gearbox", "Sensor", "Air filter", "Rags"]),
        ("on_hand_qty", ["Rags", "Air filter", "Sensor", "Gearbox"]),
        ("-name", ["Sensor", "Rags", "Gearbox", "Air filter"]),
    ],
)
def test_ordering(tech_api, catalogue, ordering, expected):
    assert names(tech_api.get("/api/parts/", {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["available", "-reserved", "parts_count", "vendor__name"])
def test_an_order_no_index_serves_is_not_offered_and_the_default_stays(
    tech_api, catalogue, ordering
):
    assert names(tech_api.get("/api/parts/", {"ordering": ordering})) == [
        "Air filter",
        "Gearbox",
        "Rags",
        "Sensor",
    ]


def test_a_bad_filter_value_is_400(tech_api, db):
    assert_field_error(tech_api.get("/api/parts/", {"vendor": "acme"}), "vendor")


# --- Low stock ------------------------------------------------------------------------------------


def test_low_stock_lists_active_stock_parts_below_their_minimum_with_what_to_order(
    tech_api, site, manager_user, store
):
    by = manager_user
    acme, bolt = VendorFactory(site=site, name="Acme"), VendorFactory(site=site, name="Bolt Co")
    belt = stocked_part(site, by, "2", store.bin, name="V-belt", lead_time=5)
    services.part_update(
        part=belt,
        by=by,
        min_qty="5",
        desired_qty="12",
        vendors=[
            {"vendor": bolt, "vendor_part_number": "B-9"},
            {"vendor": acme, "vendor_part_number": "A-1", "is_preferred": True},
        ],
    )
    axle = stocked_part(site, by, "0", None, name="Axle")
    services.part_update(part=axle, by=by, min_qty="1")
    for name, qty, extra in [
        ("Enough", "9", {}),
        ("Retired", "0", {"active": False}),
        ("Rags", "0", {"is_non_stock": True}),
    ]:
        p = stocked_part(site, by, qty, store.bin if qty != "0" else None, name=name, **extra)
        Part.objects.filter(pk=p.pk).update(min_qty=5)
    response = tech_api.get("/api/parts/low-stock/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["Axle", "V-belt"]
    axle_row, belt_row = rows
    assert belt_row["available"] == "2.000" and belt_row["suggested_order_qty"] == "10.000"
    assert belt_row["lead_time"] == 5
    assert belt_row["preferred_vendor"] == {
        "id": acme.pk,
        "name": "Acme",
        "vendor_part_number": "A-1",
    }
    assert axle_row["preferred_vendor"] is None and axle_row["suggested_order_qty"] == "1.000"


def test_low_stock_counts_available_not_on_hand(tech_api, part, manager_user):
    services.part_update(part=part, by=manager_user, min_qty="10")
    assert tech_api.get("/api/parts/low-stock/").json()["count"] == 0
    services.part_update(part=part, by=manager_user, min_qty="10.001")
    assert [r["id"] for r in tech_api.get("/api/parts/low-stock/").json()["results"]] == [part.pk]
