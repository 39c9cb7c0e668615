"""In the browser, on a phone (390 x 844): counting stock as people count, and scrapping.

- "Reconcile count" lists the part's stock items, each with a "counted" input; as you type, each
  line shows the difference it will book, and the answer says what was booked;
- a technician's count goes to "Counts to confirm";
- scrap wants a quantity, or the explicit "Scrap all N pcs", which asks first.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.models import Role
from inventory import services
from inventory.models import StockCount, StockTransaction
from tests.e2e.conftest import answer_next_dialog, oil_filter, sign_in
from tests.factories import LocationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def stocked(main_plant):
    """Oil filter: 10 on Shelf A, 5 on Shelf B; Mona manages the site, Tom is a technician."""
    site, manager = main_plant.site, main_plant.manager
    MembershipFactory(user=UserFactory(username="tom"), site=site, role=Role.TECHNICIAN)
    shelf_a = LocationFactory(site=site, name="Shelf A")
    shelf_b = LocationFactory(site=site, name="Shelf B")
    part = oil_filter(main_plant, shelf_a)
    services.part_restock(part=part, by=manager, quantity="5", cost="2.00", location=shelf_b)
    return part


def sign_in_on_part(page, live_server, part, username):
    sign_in(page, live_server, username)
    page.goto(f"/parts/{part.pk}/")
    page.evaluate("window.__samePage = true")  # survives only if the page is never reloaded
    return page


def assert_fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def assert_tall_enough(locator):
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None and box["height"] >= 44, box


def test_reconcile_by_count_shows_each_difference_as_you_type_and_books_it(
    page, live_server, stocked
):
    page = sign_in_on_part(page, live_server, stocked, "mona")
    page.locator('[data-testid="action-reconcile"] > summary').click()
    panel = page.get_by_test_id("reconcile-panel")
    lines = panel.get_by_test_id("count-line")
    expect(lines).to_have_count(2)
    expect(panel.get_by_test_id("count-current")).to_have_text(["10", "5"])

    shelf_a = panel.get_by_label("Counted at Shelf A")
    shelf_b = panel.get_by_label("Counted at Shelf B")
    shelf_a.fill("13")
    expect(lines.nth(0).get_by_test_id("count-diff")).to_have_text("+3 pcs")
    shelf_b.fill("5")
    expect(lines.nth(1).get_by_test_id("count-diff")).to_have_text("no change")
    shelf_b.fill("3.5")
    expect(lines.nth(1).get_by_test_id("count-diff")).to_have_text("-1.5 pcs")
    shelf_b.fill("")
    expect(lines.nth(1).get_by_test_id("count-diff")).to_have_text("")  # not counted
    shelf_b.fill("3")
    expect(lines.nth(1).get_by_test_id("count-diff")).to_have_text("-2 pcs")
    panel.get_by_label("Reason").fill("cycle count")
    assert_fits_the_phone(page)
    assert_tall_enough(panel.locator("input[data-count-current], button[type='submit']"))
    panel.get_by_role("button", name="Book the differences").click()

    notice = panel.get_by_test_id("action-notice")
    expect(notice).to_have_text(
        "Counted 2 items: +3 pcs at Shelf A, -2 pcs at Shelf B; 16 on hand."
    )
    expect(notice).to_be_focused()
    expect(page.get_by_test_id("part-on-hand")).to_have_text("16")
    expect(page.get_by_test_id("stock-quantity")).to_have_text(["13 pcs", "3 pcs"])
    rows = StockTransaction.objects.filter(part=stocked, type="reconcile").order_by("pk")
    assert list(rows.values_list("quantity", flat=True)) == [Decimal("3"), Decimal("-2")]
    assert page.evaluate("window.__samePage") is True


def test_a_refused_count_keeps_the_typed_values_and_their_differences(page, live_server, stocked):
    page = sign_in_on_part(page, live_server, stocked, "mona")
    page.locator('[data-testid="action-reconcile"] > summary').click()
    panel = page.get_by_test_id("reconcile-panel")
    panel.get_by_label("Counted at Shelf A").fill("12")
    panel.get_by_label("Counted at Shelf B").fill("-1")
    expect(panel.get_by_test_id("count-diff").nth(1)).to_have_text("cannot be below zero")
    panel.get_by_label("Reason").fill("count")
    panel.get_by_role("button", name="Book the differences").click()

    error = page.locator(".count-line.has-error .field-errors")
    expect(error).to_have_text("A count cannot be below zero.")
    expect(panel.get_by_label("Counted at Shelf A")).to_have_value("12")
    expect(panel.get_by_test_id("count-diff").nth(0)).to_have_text("+2 pcs")
    expect(page.get_by_test_id("part-on-hand")).to_have_text("15")
    assert page.evaluate("window.__samePage") is True


def test_a_technicians_count_waits_in_counts_to_confirm(page, live_server, stocked):
    page = sign_in_on_part(page, live_server, stocked, "tom")
    expect(page.get_by_test_id("part-counts-none")).to_be_visible()  # loaded after the page
    page.locator('[data-testid="action-count"] > summary').click()
    panel = page.get_by_test_id("count-panel")
    panel.get_by_label("Counted at Shelf B").fill("6")
    expect(panel.get_by_test_id("count-diff").nth(1)).to_have_text("+1 pcs")
    panel.get_by_label("Reason").fill("weekly count")
    panel.get_by_role("button", name="Send for confirmation").click()

    expect(panel.get_by_test_id("action-notice")).to_have_text(
        "Sent 1 count for a manager to confirm: +1 pcs at Shelf B."
    )
    card = page.get_by_test_id("part-counts").get_by_test_id("count-card")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("count-difference")).to_have_text("+1 pcs")
    expect(page.get_by_test_id("part-on-hand")).to_have_text("15")
    assert StockCount.objects.get().status == "pending"
    assert_fits_the_phone(page)


def test_scrap_asks_for_a_quantity_or_scrap_all_and_asks_first(page, live_server, stocked):
    page = sign_in_on_part(page, live_server, stocked, "mona")
    page.get_by_test_id("stock-scrap").first.click()
    slot = page.get_by_test_id("stock-action-slot")
    slot.get_by_label("Reason").fill("water damage")
    submit = slot.get_by_test_id("scrap-submit")
    everything = slot.get_by_test_id("scrap-all")
    expect(everything).to_have_text("Scrap all 10 pcs")
    expect(submit).to_have_class("btn btn-danger")
    expect(everything).to_have_class("btn btn-danger")
    assert_tall_enough(slot.locator("button[type='submit']"))
    assert_fits_the_phone(page)

    submit.click()  # no quantity
    expect(slot.locator(".field-errors")).to_have_text("Enter a quantity, or choose Scrap all.")
    expect(page.get_by_test_id("part-on-hand")).to_have_text("15")

    page.once("dialog", lambda dialog: dialog.dismiss())  # "Scrap all 10 pcs at Shelf A?" No.
    slot.get_by_test_id("scrap-all").click()
    expect(page.get_by_test_id("part-on-hand")).to_have_text("15")
    assert not StockTransaction.objects.filter(part=stocked, type="scrap").exists()

    asked = answer_next_dialog(page, accept=True)
    slot.get_by_test_id("scrap-all").click()
    expect(slot.get_by_test_id("action-notice")).to_have_text("Scrapped 10 pcs; 5 on hand.")
    expect(page.get_by_test_id("part-on-hand")).to_have_text("5")
    assert asked == ["Scrap all 10 pcs at Shelf A? This cannot be undone."]
    assert page.evaluate("window.__samePage") is True
