"""In the browser, the shell every page shares (issue 8): feedback where the eye is, the compact
phone navigation, the live dashboard, and wide tables that scroll inside their card."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.models import Role
from inventory import services
from inventory.models import Part, Vendor
from tests.e2e.conftest import DESKTOP, PHONE, oil_filter, sign_in
from tests.factories import LocationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.e2e

TABBAR = 56


@pytest.fixture
def plant(main_plant):
    shelf = LocationFactory(site=main_plant.site, name="Shelf A")
    return oil_filter(
        main_plant,
        shelf,
        description="A filter for the hydraulic unit of the press line, with a very long name "
        "that wraps rather than widening the table",
        min_qty="20",
    )


def in_view(page, locator, *, bottom_margin=0) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"] - bottom_margin
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def open_restock(page, part):
    page.goto(f"/parts/{part.pk}/")
    page.locator('[data-testid="action-restock"] > summary').click()
    panel = page.get_by_test_id("restock-panel")
    panel.get_by_label("Quantity received").fill("5")
    panel.get_by_label("Unit cost").fill("2.00")
    return panel


def test_the_success_message_is_in_view_above_the_tab_bar_on_a_phone(page, live_server, plant):
    sign_in(page, live_server, "mona")
    panel = open_restock(page, plant)
    panel.get_by_test_id("restock-submit").click()
    notice = panel.get_by_test_id("action-notice")
    expect(notice).to_have_text("Restocked 5 pcs; 15 on hand.")
    expect(notice).to_be_focused()
    assert in_view(page, notice, bottom_margin=TABBAR)


def test_the_button_says_saving_and_is_disabled_while_the_request_is_in_flight(
    page, live_server, plant
):
    sign_in(page, live_server, "mona")
    panel = open_restock(page, plant)
    held = []
    page.route("**/restock/", lambda route: held.append(route))
    button = panel.get_by_test_id("restock-submit")
    button.click()
    expect(button).to_have_text("Saving…")
    expect(button).to_be_disabled()
    page.wait_for_timeout(50)
    assert len(held) == 1  # one request, however impatient the thumb
    held[0].fallback()  # on to the page's own routing, which lets it through
    expect(panel.get_by_test_id("action-notice")).to_have_text("Restocked 5 pcs; 15 on hand.")


def test_a_search_shows_the_list_busy_until_the_results_arrive(page, live_server, plant):
    sign_in(page, live_server, "mona")
    page.goto("/parts/")
    held = []
    page.route("**/parts/?*", lambda route: held.append(route))
    page.get_by_label("Search parts").fill("filter")
    results = page.locator("#part-table")
    expect(results).to_have_attribute("aria-busy", "true")
    for route in held:
        route.fallback()
    expect(results).not_to_have_attribute("aria-busy", "true")
    expect(results).to_contain_text("Oil filter")


def test_offline_the_error_appears_in_the_panel_and_what_was_typed_stays(page, live_server, plant):
    sign_in(page, live_server, "mona")
    panel = open_restock(page, plant)
    page.context.set_offline(True)
    panel.get_by_test_id("restock-submit").click()
    error = panel.get_by_test_id("request-error")
    expect(error).to_contain_text("No connection")
    assert in_view(page, error, bottom_margin=TABBAR)
    expect(panel.get_by_label("Quantity received")).to_have_value("5")
    expect(panel.get_by_test_id("restock-submit")).to_be_enabled()
    page.context.set_offline(False)
    panel.get_by_test_id("restock-submit").click()
    expect(panel.get_by_test_id("action-notice")).to_have_text("Restocked 5 pcs; 15 on hand.")
    expect(panel.get_by_test_id("request-error")).to_have_count(0)


def test_an_ordinary_form_offline_keeps_what_was_typed(page, live_server, plant):
    sign_in(page, live_server, "mona")
    page.goto("/parts/new/")
    form = page.get_by_test_id("part-form")
    form.get_by_label("Name").fill("Drive belt")
    page.context.set_offline(True)
    form.locator('button[type="submit"]').first.click()
    expect(form.get_by_test_id("request-error")).to_contain_text("No connection")
    expect(page).to_have_url(f"{live_server.url}/parts/new/")
    expect(form.get_by_label("Name")).to_have_value("Drive belt")


def test_phones_get_a_short_top_bar_and_a_tab_bar_whose_menu_opens_the_navigation(
    page, live_server, plant
):
    sign_in(page, live_server, "mona")
    assert page.locator(".topbar-inner").bounding_box()["height"] <= 56
    bar = page.get_by_test_id("tabbar")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
    nav = page.locator("#main-nav")
    expect(nav).to_be_hidden()
    page.get_by_test_id("tab-menu").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Stock")).to_be_visible()
    expect(nav).not_to_contain_text("soon")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    page.get_by_test_id("tab-parts").click()
    expect(page).to_have_url(f"{live_server.url}/parts/")


def test_the_dashboard_offers_search_scan_low_stock_and_refreshes_its_movements(
    page, live_server, plant
):
    sign_in(page, live_server, "mona")
    expect(page.get_by_test_id("dashboard-scan")).to_be_visible()
    expect(page.get_by_test_id("low-stock-list")).to_contain_text("Oil filter")
    movements = page.get_by_test_id("movement-list")
    expect(movements).to_contain_text("+10 pcs")
    # A movement made elsewhere appears without a reload (the card refreshes itself).
    page.evaluate("window.__samePage = true")
    slot = page.get_by_test_id("card-slot-stock-movements")
    slot.evaluate("el => el.setAttribute('hx-trigger', 'every 1s')")
    page.evaluate("htmx.process(document.getElementById('card-stock-movements'))")
    services.part_restock(
        part=plant, by=plant.created_by, quantity="7", cost="2.00", location=plant.default_location
    )
    expect(page.get_by_test_id("movement-list")).to_contain_text("+7 pcs", timeout=8000)
    assert page.evaluate("window.__samePage") is True
    page.get_by_test_id("dashboard-search").fill("oil")
    page.get_by_test_id("dashboard-search").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/parts/?q=oil")


@pytest.mark.parametrize("path", ["/parts/", "/reorder/", "/stock/", "/parts/{pk}/"])
def test_on_a_desktop_no_table_hides_a_column_without_a_visible_scroll_edge(
    page, live_server, plant, path
):
    sign_in(page, live_server, "mona", size=DESKTOP)
    page.goto(path.format(pk=plant.pk))
    boxes = page.locator(".table-scroll")
    expect(boxes.first).to_be_visible()
    for i in range(boxes.count()):
        state = boxes.nth(i).evaluate(
            """el => ({
                overflows: el.scrollWidth > el.clientWidth + 1,
                shadows: getComputedStyle(el).backgroundImage.includes("gradient"),
                focusable: el.tabIndex === 0,
                right: el.getBoundingClientRect().right,
            })"""
        )
        assert state["right"] <= DESKTOP["width"], state  # never wider than the page
        assert state["shadows"] and state["focusable"], state  # an edge shows when it scrolls


def test_a_number_field_accepts_any_valid_value_after_the_server_sent_a_precise_one(
    page, live_server, plant
):
    # A figure stored with more places than a person types (5 stored, 3 entered).
    Part.objects.filter(pk=plant.pk).update(min_qty=Decimal("1.23456"))
    sign_in(page, live_server, "mona")
    page.goto(f"/parts/{plant.pk}/edit/")
    field = page.get_by_label("Minimum quantity")
    expect(field).to_have_value("1.23456")
    field.fill("10")
    assert field.evaluate("el => el.checkValidity()") is True  # no stale step refuses it


def test_search_matches_every_word_in_any_order(page, live_server, plant):
    services.part_create(site=plant.site, by=plant.created_by, name="Ball bearing 6204-2RS")
    services.part_create(site=plant.site, by=plant.created_by, name="Ball 6204")
    sign_in(page, live_server, "mona")
    page.get_by_test_id("dashboard-search").fill("6204 bearing")
    page.get_by_test_id("dashboard-search").press("Enter")
    results = page.get_by_test_id("part-table")
    expect(results).to_contain_text("Ball bearing 6204-2RS")
    expect(results).not_to_contain_text("Ball 6204")
    expect(results).not_to_contain_text("Oil filter")


def test_every_page_fits_a_phone_for_a_technician(page, live_server, plant):
    """No page scrolls sideways at 390 px, and each has the short top bar and the tab bar."""

    tech = UserFactory(username="tom")
    MembershipFactory(user=tech, site=plant.site, role=Role.TECHNICIAN)
    vendor = Vendor.objects.create(site=plant.site, name="Acme Industrial Supply Company Ltd")
    sign_in(page, live_server, "tom")
    paths = [
        "/",
        "/parts/",
        f"/parts/{plant.pk}/",
        "/stock/",
        "/reorder/",
        "/vendors/",
        f"/vendors/{vendor.pk}/",
        "/locations/",
        f"/locations/{plant.default_location_id}/",
        "/scan/",
        "/counts/",
        "/account/",
    ]
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        assert page.locator(".topbar-inner").bounding_box()["height"] <= 56, path
        expect(page.get_by_test_id("tabbar")).to_be_visible()
        for crumb in page.locator(".breadcrumb a").all():  # tapped with a thumb
            assert crumb.bounding_box()["height"] >= 44, path
