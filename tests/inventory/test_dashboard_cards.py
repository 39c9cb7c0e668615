"""Inventory's dashboard cards (``inventory.dashboard``) through ``core.dashboard``: what each
shows, to whom, and the live cards' own refresh URL."""

import pytest

from inventory import services
from tests.factories import LocationFactory
from tests.helpers import all_by_testid, by_testid, queries_for, text
from tests.inventory.factories import stocked_part

pytestmark = pytest.mark.django_db(transaction=True)  # cached answers follow committed writes


@pytest.fixture
def low_part(site, manager_user):
    shelf = LocationFactory(site=site, name="Shelf A")
    return stocked_part(
        site,
        manager_user,
        "3",
        shelf,
        "2.00",
        name="Oil filter",
        min_qty="10",
        default_location=shelf,
    )


def test_the_cards_offer_search_scan_low_stock_and_the_latest_movements(tech_page, low_part):
    page = tech_page.get("/")
    assert by_testid(page, "dashboard-scan")["href"] == "/scan/"
    assert by_testid(page, "dashboard-search").parent["action"] == "/parts/"
    low = by_testid(page, "low-stock-list")
    assert "Oil filter" in text(low) and "3 of 10 pcs" in text(low)
    assert by_testid(page, "dashboard-reorder-link")["href"] == "/reorder/"
    assert "+3 pcs" in text(by_testid(page, "movement-list"))


def test_a_live_card_refreshes_from_its_own_url_and_shows_new_movements(
    tech_page, low_part, manager_user
):
    slot = by_testid(tech_page.get("/"), "card-slot-stock-movements")
    assert slot["hx-get"] == "/dashboard/cards/stock-movements/" and slot.has_attr("data-no-busy")
    assert "every 30s" in slot["hx-trigger"]
    services.part_restock(
        part=low_part,
        by=manager_user,
        quantity="7",
        cost="2.00",
        location=low_part.default_location,
    )
    again = tech_page.get("/dashboard/cards/stock-movements/")
    assert again.status_code == 200
    rows = [text(li) for li in by_testid(again, "movement-list").find_all("li")]
    assert rows[0].startswith("Oil filter +7 pcs")
    assert by_testid(again, "card-slot-stock-movements")["hx-get"]  # swaps in as itself


def test_counts_to_confirm_are_for_managers(tech_page, manager_page, low_part):
    assert not all_by_testid(tech_page.get("/"), "dashboard-card-counts-to-confirm")
    assert tech_page.get("/dashboard/cards/counts-to-confirm/").status_code == 404
    card = by_testid(manager_page.get("/"), "dashboard-card-counts-to-confirm")
    assert "No counts wait" in text(card)
    assert manager_page.get("/dashboard/cards/no-such-card/").status_code == 404


def test_the_dashboard_costs_the_same_queries_with_more_parts(manager_page, site, manager_user):
    shelf = LocationFactory(site=site)

    def add(n):
        for _ in range(n):
            stocked_part(site, manager_user, "1", shelf, min_qty="5")

    add(3)
    few = queries_for(manager_page, "/")
    add(6)
    assert queries_for(manager_page, "/") == few
