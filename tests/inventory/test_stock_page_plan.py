"""The stock page reads its page of ids in order from an index on either database, never by
sorting the site's stock items. SQLite plans it differently from PostgreSQL: it cannot use the
partial index PostgreSQL uses, and has one of its own (migration 0003). Likewise a parts search:
PostgreSQL has a trigram index (``test_list_plans``), SQLite a covering one (migration 0005)."""

from django.db import connection

from tests.helpers import assert_order_served_by_an_index, page_ids_query
from tests.inventory.factories import StockItemFactory


def sqlite_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_stock_page_is_read_in_order_from_an_index(tech_page, part, store):
    for _ in range(3):
        StockItemFactory(part=part, location=store.bin)
    for url in ("/stock/", f"/stock/?location={store.building.pk}"):
        if connection.vendor == "postgresql":
            assert_order_served_by_an_index(tech_page, url)
        else:
            plan = sqlite_plan(page_ids_query(tech_page, url))
            assert "TEMP B-TREE" not in plan and "INDEX" in plan, plan


def test_parts_searched_or_listed_on_sqlite_are_tested_in_a_covering_index(
    tech_api, tech_page, part
):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "inventory_part")
    if connection.vendor == "postgresql":
        assert "part_search_sqlite" not in indexes  # SQLite's alone
        return
    columns = ["site_id", "name", "id", "active", "search_text"]
    assert indexes["part_search_sqlite"]["columns"] == columns
    for client, url in (
        (tech_api, "/api/parts/?search=filter&limit=50"),
        (tech_page, "/parts/?q=filter"),  # active parts only, as the page starts
        (tech_page, "/parts/?page=1"),
    ):
        plan = sqlite_plan(page_ids_query(client, url))
        assert "COVERING INDEX part_search_sqlite" in plan and "TEMP B-TREE" not in plan, plan
