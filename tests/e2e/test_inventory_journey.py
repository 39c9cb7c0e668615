"""In the browser: a manager restocks a part and the figures and ledger update in place (HTMX, no
reload); a technician finds the low-stock part on the reorder list and gets no stock actions."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from core.models import Role
from inventory import services
from tests.e2e.conftest import DESKTOP, sign_in
from tests.factories import LocationFactory, MembershipFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.e2e

NARROW_PHONE = {"width": 360, "height": 780}  # narrower than PHONE: the layout must fit it too


@pytest.fixture
def shop(transactional_db):
    site = SiteFactory(name="Main Plant")
    manager = UserFactory(username="mona", first_name="Mona", last_name="Manager")
    tech = UserFactory(username="tom", first_name="Tom", last_name="Tech")
    MembershipFactory(user=manager, site=site, role=Role.MANAGER)
    MembershipFactory(user=tech, site=site, role=Role.TECHNICIAN)
    store = LocationFactory(site=site, name="Store")
    shelf = LocationFactory(site=site, name="Shelf A", parent=store)
    acme = services.vendor_create(site=site, by=manager, name="Acme Supply")
    part = services.part_create(
        site=site,
        by=manager,
        name="Bearing 6204",
        number="BR-6204",
        on_hand_qty="2",
        unit_cost="3.00",
        location=shelf,
        default_location=shelf,
        min_qty="5",
        desired_qty="20",
        lead_time=7,
        vendors=[{"vendor": acme, "vendor_part_number": "AC-6204", "is_preferred": True}],
    )
    return SimpleNamespace(site=site, part=part, shelf=shelf)


def by_testid(scope, testid: str):
    return scope.locator(f'[data-testid="{testid}"]')


def test_manager_restocks_and_sees_figures_and_ledger_update_in_place(page, live_server, shop):
    sign_in(page, live_server, "mona", size=DESKTOP)
    page.goto(f"/parts/{shop.part.pk}/")
    on_hand = by_testid(page, "part-on-hand")
    expect(on_hand).to_have_text("2")
    expect(by_testid(page, "part-stock").locator('[data-testid="low-stock-flag"]')).to_be_visible()
    # Anything that survives until the end proves the page was never reloaded.
    page.evaluate("window.__samePage = true")

    page.locator('[data-testid="action-restock"] > summary').click()
    form = by_testid(page, "restock-form")

    # A refusal comes back in place, next to the field, and changes nothing.
    form.get_by_label("Quantity received").fill("0")
    by_testid(form, "restock-submit").click()
    error = page.locator("#id_restock_quantity_error")
    expect(error).to_contain_text("greater than zero")
    expect(on_hand).to_have_text("2")

    form = by_testid(page, "restock-form")
    form.get_by_label("Quantity received").fill("8")
    form.get_by_label("Unit cost").fill("3.50")
    form.get_by_label("Note").fill("PO 4711")
    by_testid(form, "restock-submit").click()

    expect(by_testid(page, "action-notice")).to_have_text("Restocked 8 pcs; 10 on hand.")
    expect(on_hand).to_have_text("10")
    expect(by_testid(page, "part-available")).to_have_text("10")
    expect(by_testid(page, "part-avg-cost")).to_have_text("3.40")  # (2 x 3.00 + 8 x 3.50) / 10
    rows = by_testid(page, "ledger-row")
    expect(rows).to_have_count(2)
    newest = rows.first
    expect(by_testid(newest, "ledger-quantity")).to_have_text("+8")
    expect(by_testid(newest, "ledger-balance")).to_have_text("10")
    expect(newest).to_contain_text("PO 4711")
    expect(newest).to_contain_text("Mona Manager")
    expect(by_testid(rows.last, "ledger-balance")).to_have_text("2")
    expect(by_testid(page, "part-stock").locator('[data-testid="low-stock-flag"]')).to_have_count(0)
    assert page.evaluate("window.__samePage") is True

    # The same page on a phone and on a desktop, for a look at the layout.
    page.set_viewport_size(DESKTOP)
    page.screenshot(path="/tmp/inv-part-1280.png", full_page=True)
    page.set_viewport_size(NARROW_PHONE)
    page.screenshot(path="/tmp/inv-part-360.png", full_page=True)
    # Nothing on the phone layout is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]


def test_technician_sees_the_low_part_on_the_reorder_list_and_no_stock_actions(
    page, live_server, shop
):
    sign_in(page, live_server, "tom", size=DESKTOP)
    by_testid(page, "nav-reorder").click()
    expect(page).to_have_url(f"{live_server.url}/reorder/")
    row = by_testid(page, "reorder-row").filter(has_text="Bearing 6204")
    expect(row).to_have_count(1)
    expect(by_testid(row, "reorder-suggested")).to_have_text("18 pcs")
    expect(by_testid(row, "reorder-vendor")).to_contain_text("Acme Supply")
    expect(by_testid(row, "reorder-vendor")).to_contain_text("AC-6204")
    page.set_viewport_size(NARROW_PHONE)
    page.screenshot(path="/tmp/inv-reorder-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]

    row.get_by_role("link", name="BR-6204 · Bearing 6204").click()
    expect(page).to_have_url(f"{live_server.url}/parts/{shop.part.pk}/")
    expect(by_testid(page, "part-on-hand")).to_have_text("2")
    expect(by_testid(page, "ledger-row")).to_have_count(1)  # it loads right after the page
    expect(by_testid(page, "ledger-show")).to_have_count(0)
    expect(by_testid(page, "restock-form")).to_have_count(0)
    expect(by_testid(page, "stock-transfer")).to_have_count(0)
    expect(by_testid(page, "part-edit")).to_have_count(0)
