"""Inventory's list tables (``inventory.tables``) on their pages: what people type is shown as
text, never run as markup, and every cell carries its column's label for the phone layout."""

import pytest
from django.urls import reverse

from inventory import services
from tests.factories import LocationFactory
from tests.helpers import all_by_testid, html, text

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile(site, manager_user):
    """A part, vendor, location, batch and ledger note whose text is markup."""
    where = LocationFactory(site=site, name=f"Bin {HOSTILE}")
    vendor = services.vendor_create(
        site=site, by=manager_user, name=f"Supply {HOSTILE}", contact_name=HOSTILE
    )
    part = services.part_create(
        site=site,
        by=manager_user,
        name=f"Filter {HOSTILE}",
        number=f"N{HOSTILE}",
        units="pcs",
        min_qty="50",  # below its minimum: on the reorder list
        vendors=[
            {"vendor": vendor, "vendor_part_number": f"V{HOSTILE}", "is_preferred": True},
        ],
    )
    services.part_restock(
        part=part, by=manager_user, quantity="2", cost="1", location=where, batch=HOSTILE,
        note=f"Note {HOSTILE}",
    )  # fmt: skip
    return part, vendor


def _pages(part, vendor) -> list[str]:
    return [
        reverse("part-list"),
        reverse("reorder"),
        reverse("stock-by-location"),
        reverse("vendor-list"),
        reverse("vendor-detail", args=[vendor.pk]),
        reverse("part-detail", args=[part.pk]),
    ]


def test_what_people_typed_is_shown_as_text_on_every_list(manager_page, hostile):
    part, vendor = hostile
    for url in _pages(part, vendor):
        response = manager_page.get(url)
        assert response.status_code == 200, url
        source = response.content.decode()
        assert "<img" not in source, url
        tables = html(source).find_all("table")
        assert tables, url
        assert any(HOSTILE in text(table) for table in tables), url


def test_every_cell_is_labelled_with_its_columns_header(manager_page, hostile):
    part, vendor = hostile
    for url in _pages(part, vendor):
        for table in html(manager_page.get(url).content.decode()).find_all("table"):
            headers = [text(th) for th in table.find("thead").find_all("th")]
            for row in table.find("tbody").find_all("tr"):
                assert [td.get("data-label") for td in row.find_all("td")] == headers, url


def test_the_reorder_row_names_the_preferred_vendor_and_its_part_number(manager_page, hostile):
    part, vendor = hostile
    page = html(manager_page.get(reverse("reorder")).content.decode())
    (row,) = all_by_testid(page, "reorder-row")
    assert row["data-part-id"] == str(part.pk)
    vendor_cell = row.find(attrs={"data-testid": "reorder-vendor"})
    assert vendor_cell.find("a")["href"] == reverse("vendor-detail", args=[vendor.pk])
    assert text(vendor_cell) == f"Supply {HOSTILE} part no. V{HOSTILE}"
    assert text(row.find(attrs={"data-testid": "reorder-suggested"})) == "48 pcs"
