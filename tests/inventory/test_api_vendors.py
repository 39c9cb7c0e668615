"""/api/vendors/ (no delete: deactivate) and /api/part-types/."""

import pytest

from inventory import services
from inventory.models import PartType, Vendor
from tests.helpers import assert_field_error
from tests.inventory.factories import PartTypeFactory, VendorFactory


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def vendor_rows(site) -> list[tuple]:
    return list(Vendor.objects.for_site(site).order_by("pk").values_list())


# --- Vendors --------------------------------------------------------------------------------------


def test_a_manager_adds_a_vendor(manager_api, site, manager_user):
    response = manager_api.post(
        "/api/vendors/",
        {
            "name": " Acme Supply ",
            "contact_name": "Ann",
            "email": "ann@acme.example",
            "phone": "555-0100",
            "website": "https://acme.example",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Acme Supply" and body["is_active"] is True
    assert body["parts_count"] == 0 and body["email"] == "ann@acme.example"
    vendor = Vendor.objects.get(pk=body["id"])
    assert vendor.site == site and vendor.created_by == manager_user


def test_a_vendor_shows_how_many_parts_it_supplies(tech_api, part, site, manager_user):
    acme = VendorFactory(site=site, name="Acme")
    VendorFactory(site=site, name="Idle")
    services.part_update(part=part, by=manager_user, vendors=[{"vendor": acme}])
    rows = tech_api.get("/api/vendors/").json()["results"]
    assert [(r["name"], r["parts_count"]) for r in rows] == [("Acme", 1), ("Idle", 0)]
    assert tech_api.get(f"/api/vendors/{acme.pk}/").json()["parts_count"] == 1


def test_a_vendor_is_edited_and_deactivated_not_deleted(manager_api, site):
    acme = VendorFactory(site=site, name="Acme")
    response = manager_api.patch(f"/api/vendors/{acme.pk}/", {"phone": "1", "is_active": False})
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False and response.json()["phone"] == "1"
    stored = Vendor.objects.get(pk=acme.pk)
    assert (stored.phone, stored.is_active) == ("1", False)
    assert manager_api.delete(f"/api/vendors/{acme.pk}/").status_code == 405
    assert Vendor.objects.filter(pk=acme.pk, is_active=False).exists()


def test_a_full_put_edits_the_vendor(manager_api, site):
    acme = VendorFactory(site=site, name="Acme")
    response = manager_api.put(f"/api/vendors/{acme.pk}/", {"name": "Acme Ltd"})
    assert response.status_code == 200 and response.json()["name"] == "Acme Ltd"
    assert Vendor.objects.get(pk=acme.pk).name == "Acme Ltd"


BAD_VENDORS = {
    "missing name": ({}, "name"),
    "blank name": ({"name": "  "}, "name"),
    "taken name, other case": ({"name": "ACME"}, "name"),
    "bad email": ({"name": "New", "email": "not-an-email"}, "email"),
    "name too long": ({"name": "x" * 201}, "name"),
}


@pytest.mark.parametrize("body,field", BAD_VENDORS.values(), ids=BAD_VENDORS.keys())
def test_a_bad_vendor_is_refused_and_nothing_is_written(manager_api, site, body, field):
    VendorFactory(site=site, name="Acme")
    before = vendor_rows(site)
    assert_field_error(manager_api.post("/api/vendors/", body), field)
    assert vendor_rows(site) == before


def test_renaming_a_vendor_into_a_taken_name_is_refused(manager_api, site):
    VendorFactory(site=site, name="Acme")
    bolt = VendorFactory(site=site, name="Bolt")
    before = vendor_rows(site)
    assert_field_error(manager_api.patch(f"/api/vendors/{bolt.pk}/", {"name": "acme"}), "name")
    assert vendor_rows(site) == before


def test_the_same_vendor_name_at_another_site_is_fine(manager_api, site, foreign_vendor):
    response = manager_api.post("/api/vendors/", {"name": foreign_vendor.name})
    assert response.status_code == 201
    assert Vendor.objects.get(pk=response.json()["id"]).site == site
    assert Vendor.objects.filter(name=foreign_vendor.name).count() == 2


@pytest.fixture
def vendors(site):
    VendorFactory(site=site, name="Acme", contact_name="Ann", description="bearings")
    VendorFactory(site=site, name="Bolt Co", contact_name="Bob", is_active=False)
    VendorFactory(site=site, name="Cogs", contact_name="Cy", email="cy@cogs.example")


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"is_active": "true"}, ["Acme", "Cogs"]),
        ({"is_active": "false"}, ["Bolt Co"]),
        ({"q": "bob"}, ["Bolt Co"]),
        ({"search": "bearing"}, ["Acme"]),
        ({"search": "cogs.example"}, ["Cogs"]),
        ({"ordering": "-name"}, ["Cogs", "Bolt Co", "Acme"]),
        ({}, ["Acme", "Bolt Co", "Cogs"]),
    ],
)
def test_vendor_filters_search_and_ordering(tech_api, vendors, params, expected):
    assert names(tech_api.get("/api/vendors/", params)) == expected


# --- Part types -----------------------------------------------------------------------------------


def test_part_types_are_listed_by_name(tech_api, site, other_site):
    PartTypeFactory(site=site, name="Filters")
    PartTypeFactory(site=site, name="Bearings")
    PartTypeFactory(site=other_site, name="Theirs")
    assert names(tech_api.get("/api/part-types/")) == ["Bearings", "Filters"]


def test_a_manager_adds_a_part_type(manager_api, site):
    response = manager_api.post("/api/part-types/", {"name": " Belts "})
    assert response.status_code == 201 and response.json()["name"] == "Belts"
    stored = PartType.objects.get(pk=response.json()["id"])
    assert (stored.site, stored.name) == (site, "Belts")


@pytest.mark.parametrize("name", ["", "   ", "filters"])
def test_a_bad_part_type_is_refused(manager_api, site, name):
    PartTypeFactory(site=site, name="Filters")
    assert_field_error(manager_api.post("/api/part-types/", {"name": name}), "name")
    assert list(PartType.objects.values_list("name", flat=True)) == ["Filters"]
