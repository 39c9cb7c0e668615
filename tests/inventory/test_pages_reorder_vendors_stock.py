"""The reorder list, vendor pages (list, detail, create, edit) and stock by location: what each
role sees, inline errors from the services, site isolation and constant query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import Vendor
from tests.factories import LocationFactory
from tests.pages import HTMX


@pytest.fixture
def acme(site, manager_user):
    return services.vendor_create(
        site=site, by=manager_user, name="Acme Supply", contact_name="Ada", email="ada@acme.test"
    )


@pytest.fixture
def store(site):
    return LocationFactory(site=site, name="Store")


@pytest.fixture
def make_part(site, manager_user, store):
    def make(name, **fields):
        fields.setdefault("location", store)
        return services.part_create(site=site, by=manager_user, name=name, **fields)

    return make


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


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

    html = tech_page.get("/reorder/").content.decode()
    assert html.count('data-testid="reorder-row"') == 1
    row = html[html.index(f'data-part-id="{low.pk}"') :]
    assert "BR-6204 · Bearing 6204" in row
    assert 'data-testid="reorder-suggested">18 pcs<' in row
    vendor_cell = row[row.index('data-testid="reorder-vendor"') :][:400]
    assert "Acme Supply" in vendor_cell and "AC-6204" in vendor_cell
    assert "Other Co" not in vendor_cell
    assert "7 days" in row
    assert "Gasket" not in html and "Old bearing" not in html


def test_reorder_says_so_when_nothing_is_low(tech_page, make_part):
    make_part("Gasket", on_hand_qty="9", min_qty="4")
    html = tech_page.get("/reorder/").content.decode()
    assert 'data-testid="reorder-row"' not in html and "Nothing to reorder" in html


def test_reorder_never_lists_another_sites_parts(tech_page, other_site, other_site_user):
    hall = LocationFactory(site=other_site)
    services.part_create(
        site=other_site,
        by=other_site_user,
        name="Foreign bolt",
        on_hand_qty="1",
        min_qty="9",
        location=hall,
    )
    assert "Foreign bolt" not in tech_page.get("/reorder/").content.decode()


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
    small = queries(tech_page, "/reorder/")
    grow(4)
    assert queries(tech_page, "/reorder/") == small


# --- Vendors --------------------------------------------------------------------------------------


def test_vendor_list_searches_and_filters_with_htmx(tech_page, acme, site, manager_user):
    services.vendor_create(site=site, by=manager_user, name="Bolt Bros", is_active=False)
    html = tech_page.get("/vendors/").content.decode()
    assert "Acme Supply" in html and "Bolt Bros" in html
    partial = tech_page.get("/vendors/", {"q": "ada@"}, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="vendor-table"')
    assert "Acme Supply" in partial and "Bolt Bros" not in partial
    inactive = tech_page.get("/vendors/", {"is_active": "false"}).content.decode()
    assert "Bolt Bros" in inactive and "Acme Supply" not in inactive


def test_vendor_page_lists_the_parts_they_supply(tech_page, acme, make_part):
    make_part(
        "V-belt", vendors=[{"vendor": acme, "vendor_part_number": "AC-7", "is_preferred": True}]
    )
    make_part("Unrelated")
    html = tech_page.get(f"/vendors/{acme.pk}/").content.decode()
    assert 'data-testid="vendor-name">Acme Supply' in html
    assert html.count('data-testid="vendor-part-row"') == 1
    assert "V-belt" in html and "AC-7" in html and "Preferred" in html
    assert "Unrelated" not in html
    assert 'data-testid="vendor-edit"' not in html  # technicians only read


def test_manager_creates_a_vendor(manager_page, site):
    response = manager_page.post(
        "/vendors/new/", {"name": "Carbide Co", "email": "sales@carbide.test", "is_active": "on"}
    )
    vendor = Vendor.objects.get(site=site, name="Carbide Co")
    assert response.status_code == 302 and response["Location"] == f"/vendors/{vendor.pk}/"
    assert vendor.email == "sales@carbide.test" and vendor.is_active


def test_duplicate_vendor_name_is_refused_at_the_name_field(manager_page, acme):
    response = manager_page.post("/vendors/new/", {"name": "acme supply"})
    html = response.content.decode()
    assert response.status_code == 200
    error_at = html.index('id="id_name_error"')
    assert html.index('id="id_name"') < error_at
    assert "A vendor called “acme supply” exists." in html[error_at : error_at + 200]
    assert Vendor.objects.count() == 1


def test_manager_edits_a_vendor_and_a_rename_onto_another_is_refused(
    manager_page, acme, site, manager_user
):
    other = services.vendor_create(site=site, by=manager_user, name="Other Co")
    form = manager_page.get(f"/vendors/{acme.pk}/edit/").content.decode()
    assert 'value="Acme Supply"' in form and 'value="ada@acme.test"' in form
    response = manager_page.post(
        f"/vendors/{acme.pk}/edit/", {"name": "Acme Supply Ltd", "phone": "+1 555 0100"}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Supply Ltd" and acme.phone == "+1 555 0100" and not acme.is_active
    refused = manager_page.post(f"/vendors/{other.pk}/edit/", {"name": "ACME SUPPLY LTD"})
    assert "exists" in refused.content.decode()
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
def test_another_sites_vendor_does_not_exist(
    manager_page, other_site, other_site_user, method, url
):
    vendor = services.vendor_create(site=other_site, by=other_site_user, name="Foreign Supply")
    response = getattr(manager_page, method)(url.format(pk=vendor.pk), {"name": "Mine now"})
    assert response.status_code == 404
    vendor.refresh_from_db()
    assert vendor.name == "Foreign Supply"
    assert "Foreign Supply" not in manager_page.get("/vendors/").content.decode()


def test_vendor_list_queries_do_not_grow(tech_page, site, manager_user):
    def grow(n):
        for _ in range(n):
            services.vendor_create(site=site, by=manager_user, name=f"V{Vendor.objects.count()}")

    tech_page.get("/vendors/")
    grow(4)
    small = queries(tech_page, "/vendors/")
    grow(4)
    assert queries(tech_page, "/vendors/") == small


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

    everything = tech_page.get("/stock/").content.decode()
    assert all(n in everything for n in ("Hall part", "Shelf part", "Yard part"))

    inside = tech_page.get("/stock/", {"location": hall.pk}).content.decode()
    assert "Hall part" in inside and "Shelf part" in inside and "Yard part" not in inside
    assert "Hall &gt; Shelf 1" in inside

    # The page's form sends a hidden "false" before the checkbox; unticked, only "false" arrives.
    only = tech_page.get(f"/stock/?location={hall.pk}&cascade=false", headers=HTMX).content.decode()
    assert only.lstrip().startswith('<div id="stock-table"')
    assert "Hall part" in only and "Shelf part" not in only
    ticked = tech_page.get(f"/stock/?location={hall.pk}&cascade=false&cascade=true").content
    assert "Shelf part" in ticked.decode()


def test_stock_page_of_another_sites_location_does_not_exist(tech_page, other_site):
    foreign = LocationFactory(site=other_site)
    assert tech_page.get("/stock/", {"location": foreign.pk}).status_code == 404
    assert tech_page.get("/stock/", {"location": "x"}).status_code == 404


def test_stock_page_queries_do_not_grow_with_items(tech_page, shelves, make_part):
    hall, shelf, _yard = shelves

    def grow(n):
        for i in range(n):
            make_part(f"P{i}", on_hand_qty="1", location=shelf if i % 2 else hall)

    url = f"/stock/?location={hall.pk}"
    tech_page.get(url)
    grow(4)
    small = queries(tech_page, url)
    grow(4)
    assert queries(tech_page, url) == small


def test_quantities_show_without_trailing_zeros(tech_page, make_part, shelves):
    make_part("Cable", on_hand_qty="2.5", location=shelves[2], units="m")
    html = tech_page.get("/stock/").content.decode()
    assert "2.500 m" in html or "2.5 m" in html
    assert str(Decimal("2.50000")) not in html
