"""The reorder list, vendor pages (list, detail, create, edit) and stock by location: what each
role sees, inline errors from the services, site isolation and constant query counts."""

import pytest

from inventory import services
from inventory.models import Vendor
from tests.factories import LocationFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    cell,
    field_error,
    html,
    queries_for,
    root,
    text,
)


@pytest.fixture
def acme(site, manager_user):
    return services.vendor_create(
        site=site, by=manager_user, name="Acme Supply", contact_name="Ada", email="ada@acme.test"
    )


@pytest.fixture
def make_part(site, manager_user, store):
    def make(name, **fields):
        fields.setdefault("location", store.building)
        return services.part_create(site=site, by=manager_user, name=name, **fields)

    return make


def reorder_rows(source) -> list[str]:
    """The parts the reorder list shows, as their link text, in order."""
    return [text(cell(row, "Part").a) for row in all_by_testid(source, "reorder-row")]


def vendor_names(source) -> list[str]:
    return [text(cell(row, "Name").a) for row in all_by_testid(source, "vendor-row")]


def stock_parts(source) -> list[str]:
    """The part of every stock row the stock page shows, in order."""
    return [text(cell(row, "Part").a) for row in all_by_testid(source, "stock-row")]


# --- Reorder --------------------------------------------------------------------------------------


def test_reorder_lists_low_parts_with_suggested_quantity_and_preferred_vendor(
    tech_page, make_part, acme, site, manager_user
):
    other = services.vendor_create(site=site, by=manager_user, name="Other Co")
    low = make_part(
        "Bearing 6204",
        number="BR-6204",
        on_hand_qty="2",
        min_qty="5",
        desired_qty="20",
        lead_time=7,
        vendors=[
            {"vendor": other, "vendor_part_number": "OC-1"},
            {"vendor": acme, "vendor_part_number": "AC-6204", "is_preferred": True},
        ],
    )
    make_part("Gasket", on_hand_qty="9", min_qty="4")  # fine
    make_part("Old bearing", on_hand_qty="0", min_qty="4", active=False)  # not in use

    response = tech_page.get("/reorder/")
    assert reorder_rows(response) == ["BR-6204 · Bearing 6204"]
    [row] = all_by_testid(response, "reorder-row")
    assert row["data-part-id"] == str(low.pk)
    assert cell(row, "Part").a["href"] == f"/parts/{low.pk}/"
    assert text(by_testid(row, "reorder-suggested")) == "18 pcs"
    vendor = by_testid(row, "reorder-vendor")
    assert text(vendor) == "Acme Supply part no. AC-6204"
    assert vendor.a["href"] == f"/vendors/{acme.pk}/"
    assert text(cell(row, "Lead time")) == "7 days"


def test_reorder_says_so_when_nothing_is_low(tech_page, make_part):
    make_part("Gasket", on_hand_qty="9", min_qty="4")
    table = by_testid(tech_page.get("/reorder/"), "reorder-table")
    assert not all_by_testid(table, "reorder-row")
    assert text(table.find("p", class_="empty")).startswith("Nothing to reorder")


def test_reorder_never_lists_another_sites_parts(
    tech_page, make_part, foreign_part, other_site_user
):
    make_part("Bearing", on_hand_qty="1", min_qty="9")
    services.part_update(part=foreign_part, by=other_site_user, min_qty="9")  # low at its site
    assert reorder_rows(tech_page.get("/reorder/")) == ["Bearing"]


def test_reorder_queries_do_not_grow_with_rows(tech_page, make_part, acme):
    def grow(n):
        for _ in range(n):
            make_part(
                "Low",
                on_hand_qty="1",
                min_qty="5",
                vendors=[{"vendor": acme, "is_preferred": True}],
            )

    tech_page.get("/reorder/")
    grow(4)
    small = queries_for(tech_page, "/reorder/")
    grow(4)
    assert queries_for(tech_page, "/reorder/") == small


# --- Vendors --------------------------------------------------------------------------------------


def test_vendor_list_searches_and_filters_with_htmx(tech_page, acme, site, manager_user):
    services.vendor_create(site=site, by=manager_user, name="Bolt Bros", is_active=False)
    assert vendor_names(tech_page.get("/vendors/")) == ["Acme Supply", "Bolt Bros"]
    partial = tech_page.get("/vendors/", {"q": "ada@"}, headers=HTMX)
    assert root(partial)["id"] == "vendor-table"
    assert vendor_names(partial) == ["Acme Supply"]
    assert vendor_names(tech_page.get("/vendors/", {"is_active": "false"})) == ["Bolt Bros"]


def test_vendor_page_lists_the_parts_they_supply(tech_page, acme, make_part):
    belt = make_part(
        "V-belt", vendors=[{"vendor": acme, "vendor_part_number": "AC-7", "is_preferred": True}]
    )
    make_part("Unrelated")
    page = html(tech_page.get(f"/vendors/{acme.pk}/"))
    assert text(by_testid(page, "vendor-name")) == "Acme Supply"
    [row] = all_by_testid(page, "vendor-part-row")
    assert cell(row, "Part").a["href"] == f"/parts/{belt.pk}/"
    assert text(cell(row, "Part")) == "V-belt"
    assert text(cell(row, "Vendor part number")) == "AC-7"
    assert text(cell(row, "Preferred")) == "Preferred"
    assert not all_by_testid(page, "vendor-edit")  # technicians only read


def test_manager_creates_a_vendor(manager_page, site):
    response = manager_page.post(
        "/vendors/new/", {"name": "Carbide Co", "email": "sales@carbide.test", "is_active": "on"}
    )
    vendor = Vendor.objects.get(site=site, name="Carbide Co")
    assert response.status_code == 302 and response["Location"] == f"/vendors/{vendor.pk}/"
    assert vendor.email == "sales@carbide.test" and vendor.is_active


def test_duplicate_vendor_name_is_refused_at_the_name_field(manager_page, acme):
    response = manager_page.post("/vendors/new/", {"name": "acme supply"})
    assert response.status_code == 200
    assert field_error(response, "id_name") == "A vendor called “acme supply” exists."
    assert list(Vendor.objects.values_list("name", flat=True)) == ["Acme Supply"]


def test_manager_edits_a_vendor_and_a_rename_onto_another_is_refused(
    manager_page, acme, site, manager_user
):
    other = services.vendor_create(site=site, by=manager_user, name="Other Co")
    form = by_testid(manager_page.get(f"/vendors/{acme.pk}/edit/"), "vendor-form")
    assert by_id(form, "id_name")["value"] == "Acme Supply"
    assert by_id(form, "id_email")["value"] == "ada@acme.test"
    response = manager_page.post(
        f"/vendors/{acme.pk}/edit/", {"name": "Acme Supply Ltd", "phone": "+1 555 0100"}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Supply Ltd" and acme.phone == "+1 555 0100" and not acme.is_active
    refused = manager_page.post(f"/vendors/{other.pk}/edit/", {"name": "ACME SUPPLY LTD"})
    assert "exists" in field_error(refused, "id_name")
    other.refresh_from_db()
    assert other.name == "Other Co"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/vendors/new/"),
        ("post", "/vendors/new/"),
        ("get", "/vendors/{pk}/edit/"),
        ("post", "/vendors/{pk}/edit/"),
    ],
)
def test_technicians_cannot_write_vendors(tech_page, acme, method, url):
    response = getattr(tech_page, method)(url.format(pk=acme.pk), {"name": "Changed"})
    assert response.status_code == 403
    assert list(Vendor.objects.values_list("name", flat=True)) == ["Acme Supply"]


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/vendors/{pk}/"), ("get", "/vendors/{pk}/edit/"), ("post", "/vendors/{pk}/edit/")],
)
def test_another_sites_vendor_does_not_exist(manager_page, acme, foreign_vendor, method, url):
    response = getattr(manager_page, method)(url.format(pk=foreign_vendor.pk), {"name": "Mine"})
    assert response.status_code == 404
    foreign_vendor.refresh_from_db()
    assert foreign_vendor.name == "Foreign Supply"
    assert vendor_names(manager_page.get("/vendors/")) == ["Acme Supply"]


def test_vendor_list_queries_do_not_grow(tech_page, site, manager_user):
    def grow(n):
        for _ in range(n):
            services.vendor_create(site=site, by=manager_user, name=f"V{Vendor.objects.count()}")

    tech_page.get("/vendors/")
    grow(4)
    small = queries_for(tech_page, "/vendors/")
    grow(4)
    assert queries_for(tech_page, "/vendors/") == small


# --- Stock by location ----------------------------------------------------------------------------


@pytest.fixture
def shelves(site):
    hall = LocationFactory(site=site, name="Hall")
    shelf = LocationFactory(site=site, name="Shelf 1", parent=hall)
    yard = LocationFactory(site=site, name="Yard")
    return hall, shelf, yard


def test_stock_page_lists_a_location_with_or_without_what_is_inside(tech_page, shelves, make_part):
    hall, shelf, yard = shelves
    make_part("Hall part", on_hand_qty="1", location=hall)
    make_part("Shelf part", on_hand_qty="2", location=shelf)
    make_part("Yard part", on_hand_qty="3", location=yard)

    everything = tech_page.get("/stock/")
    assert sorted(stock_parts(everything)) == ["Hall part", "Shelf part", "Yard part"]

    inside = tech_page.get("/stock/", {"location": hall.pk})
    assert sorted(stock_parts(inside)) == ["Hall part", "Shelf part"]
    locations = [text(cell(row, "Location")) for row in all_by_testid(inside, "stock-row")]
    assert sorted(locations) == ["Hall", "Hall > Shelf 1"]

    # The page's form sends a hidden "false" before the checkbox; unticked, only "false" arrives.
    only = tech_page.get(f"/stock/?location={hall.pk}&cascade=false", headers=HTMX)
    assert root(only)["id"] == "stock-table"
    assert stock_parts(only) == ["Hall part"]
    ticked = tech_page.get(f"/stock/?location={hall.pk}&cascade=false&cascade=true")
    assert sorted(stock_parts(ticked)) == ["Hall part", "Shelf part"]


def test_stock_page_of_another_sites_location_does_not_exist(tech_page, foreign_location):
    assert tech_page.get("/stock/", {"location": foreign_location.pk}).status_code == 404
    assert tech_page.get("/stock/", {"location": "x"}).status_code == 404


def test_stock_page_queries_do_not_grow_with_items(tech_page, shelves, make_part):
    hall, shelf, _yard = shelves

    def grow(n):
        for i in range(n):
            make_part(f"P{i}", on_hand_qty="1", location=shelf if i % 2 else hall)

    url = f"/stock/?location={hall.pk}"
    tech_page.get(url)
    grow(4)
    small = queries_for(tech_page, url)
    grow(4)
    assert queries_for(tech_page, url) == small


def test_quantities_show_without_trailing_zeros(tech_page, make_part, shelves):
    make_part("Cable", on_hand_qty="2.5", location=shelves[2], units="m")
    [row] = all_by_testid(tech_page.get("/stock/"), "stock-row")
    assert text(cell(row, "Quantity")) == "2.5 m"
