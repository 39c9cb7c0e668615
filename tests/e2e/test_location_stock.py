"""In the browser, on a phone: scanning a bin's label opens its page with what is stored in it;
the location tree folds its branches and shows each row's stock count; deleting a location from
its page asks first, with JavaScript (a dialog) and without (a confirmation page)."""

import re

import pytest
from playwright.sync_api import expect

from core.models import Location
from core.qr import qr_path
from inventory import services
from tests.conftest import guarded_page
from tests.e2e.conftest import answer_next_dialog, sign_in
from tests.factories import LocationFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def store(main_plant):
    """``Store > Shelf A > Bin 1`` (label ``L-BIN1``) with an oil filter and grease in the bin,
    and an empty ``Yard``; Mona manages the site."""
    site = main_plant.site
    store = LocationFactory(site=site, name="Store")
    shelf = LocationFactory(site=site, name="Shelf A", parent=store)
    bin_ = LocationFactory(site=site, name="Bin 1", parent=shelf, qr_code="L-BIN1")
    yard = LocationFactory(site=site, name="Yard")
    for name, qty, fields in (("Oil filter", "10", {"number": "FL-100"}), ("Grease", "2.5", {})):
        services.part_create(
            site=site, by=main_plant.manager, name=name, on_hand_qty=qty, location=bin_, **fields
        )
    return {"store": store, "shelf": shelf, "bin": bin_, "yard": yard}


@pytest.fixture
def mona(page, live_server, store):
    return sign_in(page, live_server, "mona")


def row_of(page, location):
    return page.locator(f"#location-{location.pk} > .tree-row")


def test_scanning_a_bins_label_shows_what_is_stored_in_it(mona, live_server, store):
    page = mona
    page.goto(qr_path("L-BIN1"))

    expect(page).to_have_url(f"{live_server.url}/locations/{store['bin'].pk}/")
    rows = page.get_by_test_id("location-stock-row")
    expect(rows).to_have_count(2)
    oil = rows.filter(has_text="Oil filter")
    expect(oil.get_by_role("link", name="FL-100 · Oil filter")).to_be_visible()
    expect(oil.get_by_test_id("location-stock-quantity")).to_have_text("10 pcs")
    expect(rows.filter(has_text="Grease").get_by_test_id("location-stock-quantity")).to_have_text(
        "2.5 pcs"
    )
    # A phone shows each row as a card: the table's head is out of sight.
    expect(page.locator('[data-testid="location-stock-table"] thead')).not_to_be_in_viewport()


def test_the_tree_folds_its_branches_and_shows_the_stock_counts(mona, store):
    page = mona
    page.goto("/locations/")

    expect(row_of(page, store["store"]).get_by_test_id("location-count")).to_have_text(
        "2 stock items"
    )
    expect(row_of(page, store["yard"]).get_by_test_id("location-count")).to_have_text(
        "0 stock items"
    )
    # The top level is open, deeper levels closed: Shelf A shows, Bin 1 is folded away.
    expect(row_of(page, store["shelf"])).to_be_visible()
    expect(row_of(page, store["bin"])).to_be_hidden()

    page.locator(f"#location-{store['shelf'].pk} > details > summary").click()

    bin_row = row_of(page, store["bin"])
    expect(bin_row).to_be_visible()
    expect(bin_row.get_by_test_id("location-count")).to_have_text("2 stock items")
    name = bin_row.get_by_role("link", name="Bin 1")
    assert name.bounding_box()["height"] >= 44
    toggle = page.locator(f"#location-{store['shelf'].pk} > details > summary").bounding_box()
    assert toggle["width"] >= 44 and toggle["height"] >= 44
    # No actions on the rows: they are on the location's page.
    expect(page.locator(".tree-row button, .tree-row form")).to_have_count(0)

    name.click()
    expect(page.get_by_test_id("location-stock-row")).to_have_count(2)


def test_deleting_from_the_page_asks_first(mona, live_server, store):
    page = mona
    page.goto(f"/locations/{store['yard'].pk}/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    questions = answer_next_dialog(page, accept=False)
    page.get_by_test_id("location-delete").click()
    expect(page).to_have_url(f"{live_server.url}/locations/{store['yard'].pk}/")
    assert questions[0] == "Delete “Yard”? This cannot be undone."
    page.wait_for_timeout(300)
    assert Location.objects.filter(pk=store["yard"].pk).exists()

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("location-delete").click()

    expect(page).to_have_url(f"{live_server.url}/locations/")
    expect(page.locator("body")).to_contain_text("Location “Yard” deleted.")
    assert not Location.objects.filter(pk=store["yard"].pk).exists()


def test_without_javascript_deleting_asks_on_a_page_of_its_own(
    browser, live_server, store, request
):
    with guarded_page(browser, live_server, request, java_script_enabled=False) as page:
        sign_in(page, live_server, "mona")
        page.goto(f"/locations/{store['yard'].pk}/")

        page.get_by_test_id("location-delete").click()

        expect(page.get_by_role("heading", name="Delete “Yard”?")).to_be_visible()
        assert Location.objects.filter(pk=store["yard"].pk).exists()
        page.get_by_test_id("location-delete-confirm-submit").click()
        expect(page).to_have_url(f"{live_server.url}/locations/")
        assert not Location.objects.filter(pk=store["yard"].pk).exists()
