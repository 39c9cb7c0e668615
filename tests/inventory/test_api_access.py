"""Who reaches the inventory API: technicians read, managers write (403 otherwise, nothing
written), other sites' records are 404, anonymous callers 401; and list endpoints run a fixed
number of queries however many rows they return."""

import pytest

from inventory import services
from inventory.models import Part, PartType, PartVendor, StockItem, StockTransaction, Vendor
from tests.inventory.factories import PartFactory, PartTypeFactory, VendorFactory, stocked_part
from tests.isolation import assert_needs_auth, assert_needs_role, assert_site_isolated


def everything(site) -> tuple:
    """Every inventory row of the site, to show a refused request wrote nothing."""
    return (
        list(Part.objects.for_site(site).order_by("pk").values_list()),
        list(StockItem.objects.for_site(site).order_by("pk").values_list()),
        list(StockTransaction.objects.for_site(site).order_by("pk").values_list()),
        list(Vendor.objects.for_site(site).order_by("pk").values_list()),
        list(PartType.objects.for_site(site).order_by("pk").values_list()),
        list(PartVendor.objects.filter(part__site=site).order_by("pk").values_list()),
    )


@pytest.fixture
def records(part, site, store):
    """One of everything at ``site``: a stocked part, its stock item and ledger row, a vendor,
    a part type and a part without history (deletable)."""
    return {
        "part": part.pk,
        "item": part.stock_items.get().pk,
        "row": StockTransaction.objects.get(part=part).pk,
        "vendor": VendorFactory(site=site, name="Acme").pk,
        "type": PartTypeFactory(site=site, name="Filters").pk,
        "fresh": PartFactory(site=site).pk,
        "yard": store.yard.pk,
    }


WRITES = [
    ("post", "/api/parts/", {"name": "New"}),
    ("patch", "/api/parts/{part}/", {"name": "Renamed"}),
    ("put", "/api/parts/{part}/", {"name": "Renamed"}),
    ("delete", "/api/parts/{fresh}/", None),
    ("post", "/api/parts/{part}/restock/", {"quantity": "1", "cost": "1"}),
    ("patch", "/api/parts/{part}/restock/", {"quantity": "1", "cost": "1"}),
    ("post", "/api/parts/{part}/reconcile/", {"quantity": "-1", "note": "count"}),
    ("patch", "/api/parts/{part}/reconcile/", {"quantity": "-1", "note": "count"}),
    ("post", "/api/parts/{part}/unit-cost/", {"cost": "1"}),
    ("patch", "/api/parts/{part}/unit-cost/", {"cost": "1"}),
    ("post", "/api/parts/{part}/avg-cost/", {"cost": "1"}),
    ("patch", "/api/parts/{part}/avg-cost/", {"cost": "1"}),
    ("post", "/api/stock/{item}/transfer/", {"location": "{yard}", "quantity": "1"}),
    ("post", "/api/stock/{item}/scrap/", {"quantity": "1", "note": "broken"}),
    ("post", "/api/vendors/", {"name": "New vendor"}),
    ("patch", "/api/vendors/{vendor}/", {"name": "Renamed"}),
    ("put", "/api/vendors/{vendor}/", {"name": "Renamed"}),
    ("post", "/api/part-types/", {"name": "Belts"}),
]


def fill(template, records):
    if isinstance(template, str):
        text = template.format(**records)
        return int(text) if text.isdigit() and template.startswith("{") else text
    if isinstance(template, dict):
        return {k: fill(v, records) for k, v in template.items()}
    return template


@pytest.mark.parametrize("method,url,body", WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
def test_technicians_cannot_write_and_nothing_changes(tech_api, records, site, method, url, body):
    before = everything(site)
    assert_needs_role(tech_api, method, fill(url, records), fill(body, records))
    assert everything(site) == before


@pytest.mark.parametrize("method,url,body", WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
def test_managers_can_make_each_write(manager_api, records, method, url, body):
    response = getattr(manager_api, method)(fill(url, records), fill(body, records))
    assert response.status_code in (200, 201, 204), response.content


READS = [
    "/api/parts/",
    "/api/parts/{part}/",
    "/api/parts/low-stock/",
    "/api/parts/{part}/transactions/",
    "/api/parts/{part}/transactions/{row}/",
    "/api/part-transactions/",
    "/api/part-transactions/{row}/",
    "/api/stock/",
    "/api/stock/{item}/",
    "/api/vendors/",
    "/api/vendors/{vendor}/",
    "/api/part-types/",
    "/api/part-types/{type}/",
]


@pytest.mark.parametrize("url", READS)
def test_technicians_read_everything(tech_api, records, url):
    assert tech_api.get(fill(url, records)).status_code == 200


@pytest.mark.parametrize("url", READS)
def test_anonymous_callers_are_401(anon_api, records, url):
    response = assert_needs_auth(anon_api, "get", fill(url, records))
    assert response.status_code == 401 and "detail" in response.json()


# --- Other sites ----------------------------------------------------------------------------------


def test_a_part_of_another_site_is_invisible_and_untouchable(other_site_api, records, site):
    before = everything(site)
    part = records["part"]
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/parts/{part}/",
        list_url="/api/parts/",
        obj_id=part,
        actions=[
            f"/api/parts/{part}/{a}/" for a in ("restock", "reconcile", "unit-cost", "avg-cost")
        ],
    )
    for action in ("restock", "reconcile", "unit-cost", "avg-cost"):
        body = {"quantity": "1", "cost": "1", "note": "x"}
        assert other_site_api.patch(f"/api/parts/{part}/{action}/", body).status_code == 404
    assert other_site_api.get(f"/api/parts/{part}/transactions/").status_code == 404
    assert everything(site) == before


def test_another_sites_low_stock_part_is_not_listed(other_site_api, records, part, manager_user):
    services.part_update(part=part, by=manager_user, min_qty="50")
    assert other_site_api.get("/api/parts/low-stock/").json()["count"] == 0


def test_a_stock_item_of_another_site_is_invisible_and_untouchable(other_site_api, records, site):
    before = everything(site)
    item = records["item"]
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/stock/{item}/",
        list_url="/api/stock/",
        obj_id=item,
        key="pk",
        methods=("get",),
        actions=[f"/api/stock/{item}/transfer/", f"/api/stock/{item}/scrap/"],
    )
    assert everything(site) == before


def test_a_vendor_of_another_site_is_invisible_and_untouchable(other_site_api, records, site):
    before = everything(site)
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/vendors/{records['vendor']}/",
        list_url="/api/vendors/",
        obj_id=records["vendor"],
        methods=("get", "put", "patch"),
    )
    assert everything(site) == before


def test_a_ledger_row_of_another_site_is_invisible(other_site_api, records):
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/part-transactions/{records['row']}/",
        list_url="/api/part-transactions/",
        obj_id=records["row"],
        methods=("get",),
    )


def test_a_part_type_of_another_site_is_invisible(other_site_api, records):
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/part-types/{records['type']}/",
        list_url="/api/part-types/",
        obj_id=records["type"],
        methods=("get",),
    )


def test_counts_never_include_another_sites_rows(other_site_api, records, foreign_part):
    for url, expected in [
        ("/api/parts/", 1),
        ("/api/stock/", 1),
        ("/api/part-transactions/", 1),
        ("/api/vendors/", 0),
        ("/api/part-types/", 0),
    ]:
        assert other_site_api.get(url).json()["count"] == expected, url


# --- Queries do not grow with rows ----------------------------------------------------------------


def queries_for(api, url, query_count) -> int:
    def fetch():
        response = api.get(url)
        assert response.status_code == 200, response.content

    return query_count(fetch)


def add_parts(site, by, store, count: int) -> None:
    """Parts with a type, a default location, two vendors (one preferred), stock in two places
    and several ledger rows; every second one below its minimum."""
    for i in range(count):
        kind = PartTypeFactory(site=site)
        part = stocked_part(
            site, by, "4", store.shelf, "2", part_type=kind, default_location=store.bin
        )
        services.part_restock(part=part, by=by, quantity="1", cost="3", location=store.bin)
        services.part_update(
            part=part,
            by=by,
            min_qty="10" if i % 2 else "0",
            vendors=[
                {"vendor": VendorFactory(site=site), "is_preferred": True},
                {"vendor": VendorFactory(site=site)},
            ],
        )


LIST_URLS = [
    "/api/parts/",
    "/api/parts/low-stock/",
    "/api/stock/",
    "/api/vendors/",
    "/api/part-transactions/",
    "/api/part-types/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_queries_do_not_grow_with_rows(tech_api, site, manager_user, store, query_count, url):
    add_parts(site, manager_user, store, 3)
    tech_api.get(url)  # warm up: the token's last-used time is written once
    at_n = queries_for(tech_api, url, query_count)
    add_parts(site, manager_user, store, 3)
    assert queries_for(tech_api, url, query_count) == at_n


def test_part_ledger_and_detail_queries_do_not_grow_with_rows(
    tech_api, part, manager_user, store, query_count
):
    def grow(times):
        for _ in range(times):
            services.part_restock(part=part, by=manager_user, quantity="1", cost="1")
            services.part_restock(
                part=part,
                by=manager_user,
                quantity="1",
                cost="1",
                location=store.yard,
                batch=f"B{StockTransaction.objects.count()}",
            )

    urls = [f"/api/parts/{part.pk}/transactions/", f"/api/parts/{part.pk}/"]
    grow(3)
    tech_api.get(urls[0])
    at_n = [queries_for(tech_api, url, query_count) for url in urls]
    grow(3)
    assert [queries_for(tech_api, url, query_count) for url in urls] == at_n
