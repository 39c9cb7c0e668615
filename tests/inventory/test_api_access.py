"""Who reaches the inventory API: technicians read, managers write (403 otherwise, nothing
written), other sites' records are 404, anonymous callers 401; and list endpoints run a fixed
number of queries however many rows they return."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import Part, PartType, PartVendor, StockItem, StockTransaction, Vendor
from tests.helpers import (
    assert_needs_auth,
    assert_needs_role,
    assert_site_isolated,
    queries_for,
)
from tests.inventory.factories import PartFactory, PartTypeFactory, VendorFactory, stocked_part


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


def part_field(name):
    return lambda r: getattr(Part.objects.get(pk=r["part"]), name)


def on_hand(r) -> Decimal:
    return services.on_hand_of(r["part"])


def last_ledger_row(r) -> tuple:
    row = StockTransaction.objects.filter(part_id=r["part"]).order_by("-pk").first()
    return row.type, row.quantity


# (method, url, body, what to read afterwards, what it must be after the write)
WRITES = [
    ("post", "/api/parts/", {"name": "New"}, lambda r: Part.objects.filter(name="New").count(), 1),
    ("patch", "/api/parts/{part}/", {"name": "Renamed"}, part_field("name"), "Renamed"),
    ("put", "/api/parts/{part}/", {"name": "Renamed"}, part_field("name"), "Renamed"),
    (
        "delete",
        "/api/parts/{fresh}/",
        None,
        lambda r: Part.objects.filter(pk=r["fresh"]).exists(),
        False,
    ),
    ("post", "/api/parts/{part}/restock/", {"quantity": "1", "cost": "1"}, on_hand, 11),
    ("patch", "/api/parts/{part}/restock/", {"quantity": "1", "cost": "1"}, on_hand, 11),
    ("post", "/api/parts/{part}/reconcile/", {"quantity": "-1", "note": "count"}, on_hand, 9),
    ("patch", "/api/parts/{part}/reconcile/", {"quantity": "-1", "note": "count"}, on_hand, 9),
    ("post", "/api/parts/{part}/unit-cost/", {"cost": "1"}, part_field("unit_cost"), 1),
    ("patch", "/api/parts/{part}/unit-cost/", {"cost": "1"}, part_field("unit_cost"), 1),
    ("post", "/api/parts/{part}/avg-cost/", {"cost": "1"}, part_field("avg_unit_cost"), 1),
    ("patch", "/api/parts/{part}/avg-cost/", {"cost": "1"}, part_field("avg_unit_cost"), 1),
    (
        "post",
        "/api/stock/{item}/transfer/",
        {"location": "{yard}", "quantity": "1"},
        lambda r: list(StockItem.objects.filter(location_id=r["yard"]).values_list("quantity")),
        [(1,)],
    ),
    (
        "post",
        "/api/stock/{item}/scrap/",
        {"quantity": "1", "note": "broken"},
        last_ledger_row,
        ("scrap", -1),
    ),
    (
        "post",
        "/api/vendors/",
        {"name": "New vendor"},
        lambda r: Vendor.objects.filter(name="New vendor").count(),
        1,
    ),
    (
        "patch",
        "/api/vendors/{vendor}/",
        {"name": "Renamed"},
        lambda r: Vendor.objects.get(pk=r["vendor"]).name,
        "Renamed",
    ),
    (
        "put",
        "/api/vendors/{vendor}/",
        {"name": "Renamed"},
        lambda r: Vendor.objects.get(pk=r["vendor"]).name,
        "Renamed",
    ),
    (
        "post",
        "/api/part-types/",
        {"name": "Belts"},
        lambda r: PartType.objects.filter(name="Belts").count(),
        1,
    ),
]
WRITE_IDS = [f"{method} {url}" for method, url, *_ in WRITES]


def fill(template, records):
    if isinstance(template, str):
        text = template.format(**records)
        return int(text) if text.isdigit() and template.startswith("{") else text
    if isinstance(template, dict):
        return {k: fill(v, records) for k, v in template.items()}
    return template


@pytest.mark.parametrize("method,url,body,read,after", WRITES, ids=WRITE_IDS)
def test_technicians_cannot_write_and_nothing_changes(
    tech_api, records, site, method, url, body, read, after
):
    before = everything(site)
    assert_needs_role(tech_api, method, fill(url, records), fill(body, records))
    assert everything(site) == before


@pytest.mark.parametrize("method,url,body,read,after", WRITES, ids=WRITE_IDS)
def test_managers_can_make_each_write(manager_api, records, method, url, body, read, after):
    assert read(records) != after
    response = getattr(manager_api, method)(fill(url, records), fill(body, records))
    assert response.status_code in (200, 201, 204), response.content
    assert read(records) == after


# (url, the field that names the record, the record: a detail shows it, a list holds it)
READS = [
    ("/api/parts/", "id", "part"),
    ("/api/parts/{part}/", "id", "part"),
    ("/api/parts/low-stock/", "id", "low"),
    ("/api/parts/{part}/transactions/", "id", "row"),
    ("/api/parts/{part}/transactions/{row}/", "id", "row"),
    ("/api/part-transactions/", "id", "row"),
    ("/api/part-transactions/{row}/", "id", "row"),
    ("/api/stock/", "pk", "item"),
    ("/api/stock/{item}/", "pk", "item"),
    ("/api/vendors/", "id", "vendor"),
    ("/api/vendors/{vendor}/", "id", "vendor"),
    ("/api/part-types/", "id", "type"),
    ("/api/part-types/{type}/", "id", "type"),
]


@pytest.mark.parametrize("url,key,record", READS, ids=[url for url, _k, _r in READS])
def test_technicians_read_everything(tech_api, records, manager_user, url, key, record):
    low = Part.objects.get(pk=records["fresh"])
    services.part_update(part=low, by=manager_user, min_qty="1")  # 0 available, so low
    records = {**records, "low": low.pk}
    response = tech_api.get(fill(url, records))
    assert response.status_code == 200, response.content
    body = response.json()
    if "results" in body:
        assert records[record] in [row[key] for row in body["results"]]
    else:
        assert body[key] == records[record]


@pytest.mark.parametrize("url,_key,_record", READS, ids=[url for url, _k, _r in READS])
def test_anonymous_callers_are_401(anon_api, records, url, _key, _record):
    response = assert_needs_auth(anon_api, "get", fill(url, records))
    assert response.status_code == 401 and "detail" in response.json()


# --- Other sites ----------------------------------------------------------------------------------

PART_ACTIONS = ("restock", "reconcile", "unit-cost", "avg-cost")
# What each kind of record answers to: its detail, its list, the field a list row names it by,
# the methods and the actions that must all be 404 for another site.
ISOLATED = {
    "part": (
        "/api/parts/{part}/",
        "/api/parts/",
        "id",
        ("get", "put", "patch", "delete"),
        [f"/api/parts/{{part}}/{action}/" for action in PART_ACTIONS],
    ),
    "item": (
        "/api/stock/{item}/",
        "/api/stock/",
        "pk",
        ("get",),
        ["/api/stock/{item}/transfer/", "/api/stock/{item}/scrap/"],
    ),
    "vendor": ("/api/vendors/{vendor}/", "/api/vendors/", "id", ("get", "put", "patch"), []),
    "row": ("/api/part-transactions/{row}/", "/api/part-transactions/", "id", ("get",), []),
    "type": ("/api/part-types/{type}/", "/api/part-types/", "id", ("get",), []),
}


@pytest.mark.parametrize("record", ISOLATED)
def test_a_record_of_another_site_is_invisible_and_untouchable(
    other_site_api, records, site, record
):
    detail_url, list_url, key, methods, actions = ISOLATED[record]
    before = everything(site)
    assert_site_isolated(
        other_site_api,
        detail_url=fill(detail_url, records),
        list_url=list_url,
        obj_id=records[record],
        key=key,
        methods=methods,
        actions=[fill(action, records) for action in actions],
    )
    assert everything(site) == before


def test_another_sites_part_actions_and_ledger_are_404(other_site_api, records, site):
    before = everything(site)
    part = records["part"]
    for action in PART_ACTIONS:
        body = {"quantity": "1", "cost": "1", "note": "x"}
        assert other_site_api.patch(f"/api/parts/{part}/{action}/", body).status_code == 404
    assert other_site_api.get(f"/api/parts/{part}/transactions/").status_code == 404
    assert everything(site) == before


def test_another_sites_low_stock_part_is_not_listed(
    other_site_api, tech_api, records, part, manager_user
):
    services.part_update(part=part, by=manager_user, min_qty="50")
    assert [row["id"] for row in tech_api.get("/api/parts/low-stock/").json()["results"]] == [
        part.pk
    ]
    assert other_site_api.get("/api/parts/low-stock/").json()["count"] == 0


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
def test_list_queries_do_not_grow_with_rows(tech_api, site, manager_user, store, url):
    add_parts(site, manager_user, store, 3)
    tech_api.get(url)  # warm up: the token's last-used time is written once
    at_n = queries_for(tech_api, url)
    add_parts(site, manager_user, store, 3)
    assert queries_for(tech_api, url) == at_n


def test_part_ledger_and_detail_queries_do_not_grow_with_rows(tech_api, part, manager_user, store):
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
    at_n = [queries_for(tech_api, url) for url in urls]
    grow(3)
    assert [queries_for(tech_api, url) for url in urls] == at_n
