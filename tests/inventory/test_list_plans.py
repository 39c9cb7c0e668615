"""Guard rails for the speed of inventory's lists, on PostgreSQL: a page of each list, in its
default order and in every order the API offers, is read from an index, never by sorting the
whole table (``bench/`` measures the time; these keep the indexes from going missing)."""

import pytest
from django.db import connection

from core.search import matching
from inventory.api.views import (
    PartLedgerViewSet,
    PartViewSet,
    StockItemViewSet,
    StockTransactionViewSet,
    VendorViewSet,
)
from inventory.models import Part
from tests.helpers import assert_order_served_by_an_index, page_ids_query, plan_without_full_sort
from tests.inventory.factories import PartFactory, StockItemFactory, VendorFactory, stocked_part

pytestmark = pytest.mark.postgres


@pytest.fixture
def stocked(site, manager_user, store):
    """A few parts with stock, ledger rows and vendors, so every list has rows to order."""
    parts = [
        stocked_part(site, manager_user, "5", store.shelf, "1.00", name=f"Part {i}", min_qty="9")
        for i in range(3)
    ]
    for part in parts:
        StockItemFactory(part=part, location=store.bin)
    VendorFactory.create_batch(2, site=site)
    PartFactory(site=site)
    return parts


def orderings(viewset) -> list[str]:
    return [f"{sign}{field}" for field in viewset.ordering_fields for sign in ("", "-")]


LISTS = {
    "/api/parts/": PartViewSet,
    "/api/stock/": StockItemViewSet,
    "/api/part-transactions/": StockTransactionViewSet,
    "/api/vendors/": VendorViewSet,
}


@pytest.mark.parametrize("url", [*LISTS, "/api/parts/low-stock/"])
def test_each_api_list_reads_its_default_order_from_an_index(tech_api, stocked, url):
    assert_order_served_by_an_index(tech_api, url)


@pytest.mark.parametrize(
    ("url", "ordering"),
    [(url, ordering) for url, viewset in LISTS.items() for ordering in orderings(viewset)],
)
def test_every_order_an_api_list_offers_is_read_from_an_index(tech_api, stocked, url, ordering):
    assert_order_served_by_an_index(tech_api, f"{url}?ordering={ordering}")


@pytest.mark.parametrize("ordering", ["", *orderings(PartLedgerViewSet)])
def test_a_parts_ledger_is_read_from_an_index_in_every_order(tech_api, stocked, ordering):
    part = stocked[0]
    query = f"?ordering={ordering}" if ordering else ""
    assert_order_served_by_an_index(tech_api, f"/api/parts/{part.pk}/transactions/{query}")


@pytest.mark.parametrize(
    "url", ["/parts/", "/reorder/", "/vendors/", "/stock/", "/parts/?q=Part&page=1"]
)
def test_each_list_page_reads_its_order_from_an_index(tech_page, stocked, url):
    assert_order_served_by_an_index(tech_page, url)


def test_a_parts_ledger_page_reads_its_order_from_an_index(tech_page, stocked):
    assert_order_served_by_an_index(tech_page, f"/parts/{stocked[0].pk}/?ledger_page=1")


def test_a_search_can_find_its_parts_through_the_trigram_index(stocked):
    """The words of a search are matched the way the trigram index on the search text answers
    (``core.search.matching``), so counting the matches of a search in a large catalogue does
    not read every part. (Here the table is tiny: scanning it is priced out to see the index.)"""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = matching(Part.objects.all(), "gear box").explain()
        cursor.execute("RESET enable_seqscan")
    assert "part_search_trgm" in plan, plan


@pytest.mark.parametrize("cascade", ["true", "false"])
def test_one_locations_stock_is_read_in_order_without_joining_locations(
    tech_page, tech_api, stocked, store, cascade
):
    """The stock of a location (and what is inside it) is looked up by its locations' ids, in the
    page's order (at scale, in the index of held stock): not every item of the site joined to its
    location and tested (the last page of one building read the other buildings' 90,000 items)."""
    query = f"location={store.shelf.pk}&cascade={cascade}"
    for client, url in ((tech_page, f"/stock/?{query}"), (tech_api, f"/api/stock/?{query}")):
        assert_order_served_by_an_index(client, url)
    plan = plan_without_full_sort(page_ids_query(tech_page, f"/stock/?{query}"))
    assert "core_location" not in plan, plan  # the subtree's ids were read first
