"""In the browser, the page action pattern (``core.actions.ActionView``) on the part page: the
answer lands in the panel that was submitted, the success message takes focus, and the figures,
the stock table and the ledger around it refresh without a reload."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import oil_filter, sign_in
from tests.factories import LocationFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def stocked(main_plant):
    """Oil filter: 10 on Shelf A; an empty Shelf B."""
    shelf = LocationFactory(site=main_plant.site, name="Shelf A")
    LocationFactory(site=main_plant.site, name="Shelf B")
    return oil_filter(main_plant, shelf)


@pytest.fixture
def manager_on_part(page, live_server, stocked):
    sign_in(page, live_server, "mona")
    page.goto(f"/parts/{stocked.pk}/")
    page.evaluate("window.__samePage = true")  # survives only if the page is never reloaded
    return page


def test_a_success_shows_its_message_in_the_panel_focused_and_refreshes_the_figures(
    manager_on_part,
):
    page = manager_on_part
    page.locator('[data-testid="action-restock"] > summary').click()
    panel = page.get_by_test_id("restock-panel")
    panel.get_by_label("Quantity received").fill("5")
    panel.get_by_label("Unit cost").fill("2.00")
    panel.get_by_test_id("restock-submit").click()

    notice = panel.get_by_test_id("action-notice")
    expect(notice).to_have_text("Restocked 5 pcs; 15 on hand.")
    expect(notice).to_be_focused()
    expect(page.get_by_test_id("part-on-hand")).to_have_text("15")
    expect(page.get_by_test_id("ledger-row").first).to_have_attribute("data-type", "restock")
    # A fresh form for the next delivery, in the same open panel.
    expect(panel.get_by_label("Quantity received")).to_have_value("")
    assert page.evaluate("window.__samePage") is True


def test_a_refusal_keeps_what_was_typed_next_to_the_error(manager_on_part):
    page = manager_on_part
    page.locator('[data-testid="action-reconcile"] > summary').click()
    panel = page.get_by_test_id("reconcile-panel")
    panel.get_by_label("Counted at Shelf A").fill("-25")
    panel.get_by_label("Reason").fill("cycle count")
    panel.get_by_role("button", name="Book the differences").click()

    expect(panel.locator(".count-line .field-errors")).to_contain_text("cannot be below zero")
    expect(panel.get_by_label("Counted at Shelf A")).to_have_value("-25")
    expect(panel.get_by_label("Reason")).to_have_value("cycle count")
    expect(page.get_by_test_id("part-on-hand")).to_have_text("10")
    assert page.evaluate("window.__samePage") is True


def test_a_row_action_opens_above_the_table_and_the_table_refreshes(manager_on_part):
    page = manager_on_part
    page.get_by_test_id("stock-transfer").click()
    slot = page.get_by_test_id("stock-action-slot")
    slot.locator('select[name="location"]').select_option(label="Shelf B")
    slot.get_by_label("Quantity").fill("4")
    slot.get_by_role("button", name="Move stock").click()

    expect(slot.get_by_test_id("action-notice")).to_have_text("Moved 4 pcs to Shelf B.")
    expect(slot.get_by_test_id("action-notice")).to_be_focused()
    rows = page.get_by_test_id("stock-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("stock-quantity")).to_have_text(["6 pcs", "4 pcs"])
    expect(page.get_by_test_id("part-on-hand")).to_have_text("10")

    slot.get_by_role("link", name="Close").click()
    expect(slot.get_by_test_id("transfer-panel")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True
