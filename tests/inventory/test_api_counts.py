"""Counting through the API: ``counted`` on ``/api/parts/{id}/reconcile/``, the counts reported for
a manager at ``/api/stock-counts/`` (list, create, confirm, reject) and the site's counting
policy at ``/api/inventory-settings/``.

The happy paths check the rows written; each bad input is a 400 on its field that changes
nothing; roles (403), other sites (404) and anonymous callers (401) are refused."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from inventory import services
from inventory.models import CountStatus, StockCount, StockItem, StockTransaction
from tests.helpers import (
    assert_field_error,
    assert_needs_auth,
    assert_needs_role,
    assert_order_served_by_an_index,
    assert_site_isolated,
    ledger,
    list_ids,
    on_hand,
    queries_for,
)
from tests.inventory.factories import reported_count

D = Decimal


def reconcile(api, part, body, method="post"):
    return getattr(api, method)(f"/api/parts/{part.pk}/reconcile/", body, format="json")


@pytest.fixture
def two_places(part, manager_user, store):
    """``part``: 10 on Shelf A and 5 in Bin 1."""
    services.part_restock(part=part, by=manager_user, quantity="5", cost="5", location=store.bin)
    return part


# --- /api/parts/{id}/reconcile/ with counted ------------------------------------------------------


def test_reconcile_with_counted_books_the_difference_at_the_stock_item(
    manager_api, two_places, store
):
    item = StockItem.objects.get(part=two_places, location=store.bin)
    response = reconcile(
        manager_api, two_places, {"counted": "7", "stock_item": item.pk, "note": "count"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["on_hand_qty"] == "17.000"
    assert ledger(two_places)[-1] == ("reconcile", D(2), D(17))
    assert StockItem.objects.get(pk=item.pk).quantity == 7


def test_reconcile_with_counted_at_a_location(manager_api, two_places, store):
    response = reconcile(
        manager_api, two_places, {"counted": "8", "location": store.shelf.pk, "note": "count"}
    )
    assert response.status_code == 200, response.content
    assert StockItem.objects.get(part=two_places, location=store.shelf).quantity == 8
    assert ledger(two_places)[-1] == ("reconcile", D(-2), D(13))


def test_reconcile_with_counted_of_the_only_stocked_item(manager_api, part):
    response = reconcile(manager_api, part, {"counted": "0", "note": "all gone"})
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "0.000"
    assert ledger(part)[-1] == ("reconcile", D(-10), D(0))


def test_reconcile_with_counted_equal_to_the_stock_books_nothing(manager_api, part):
    response = reconcile(manager_api, part, {"counted": "10", "note": "checked"})
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "10.000"
    assert ledger(part) == [("restock", D(10), D(10))]


def test_reconcile_keeps_the_signed_quantity(manager_api, part):
    response = reconcile(manager_api, part, {"quantity": "-3", "note": "count"})
    assert response.status_code == 200 and response.json()["on_hand_qty"] == "7.000"


BAD_RECONCILES = {
    "both": ({"quantity": "-1", "counted": "9", "note": "n"}, "counted"),
    "neither": ({"note": "n"}, "quantity"),
    "neither, nulls": ({"quantity": None, "counted": None, "note": "n"}, "quantity"),
    "counted below zero": ({"counted": "-1", "note": "n"}, "counted"),
    "counted not a number": ({"counted": "lots", "note": "n"}, "counted"),
    "counted too precise": ({"counted": "1.0005", "note": "n"}, "counted"),
    "counted without a reason": ({"counted": "3", "note": ""}, "note"),
    "counted in several places": ({"counted": "3", "note": "n"}, "location"),
}


@pytest.mark.parametrize("body,field", BAD_RECONCILES.values(), ids=BAD_RECONCILES.keys())
def test_a_bad_reconcile_is_a_400_on_its_field_and_changes_nothing(
    manager_api, two_places, snapshot, body, field
):
    before = snapshot(two_places)
    messages = assert_field_error(reconcile(manager_api, two_places, body), field)
    assert snapshot(two_places) == before
    if body.get("counted") == "-1":
        assert messages == ["A count cannot be below zero."]


def test_reconcile_with_counted_at_another_sites_stock_is_refused(
    manager_api, part, foreign_item, snapshot
):
    before = snapshot(part)
    body = {"counted": "1", "stock_item": foreign_item.pk, "note": "n"}
    assert_field_error(reconcile(manager_api, part, body), "stock_item")
    assert snapshot(part) == before
    assert StockItem.objects.get(pk=foreign_item.pk).quantity == 4


# --- Technicians reconcile only where the site allows it ------------------------------------------


@pytest.mark.parametrize(
    "body", [{"quantity": "-1", "note": "n"}, {"counted": "9", "note": "n"}], ids=["delta", "count"]
)
def test_a_technician_reconciles_only_when_the_site_allows_it(
    tech_api, admin_api, part, snapshot, body
):
    before = snapshot(part)
    assert_needs_role(tech_api, "post", f"/api/parts/{part.pk}/reconcile/", body)
    assert snapshot(part) == before

    allowed = admin_api.patch(
        "/api/inventory-settings/", {"technicians_may_reconcile": True}, format="json"
    )
    assert allowed.status_code == 200 and allowed.json() == {"technicians_may_reconcile": True}
    response = reconcile(tech_api, part, body)
    assert response.status_code == 200, response.content
    assert on_hand(part) == 9


def test_the_counting_policy_is_read_by_everyone_and_shown_on_the_site(tech_api, site):
    response = tech_api.get("/api/inventory-settings/")
    assert response.status_code == 200 and response.json() == {"technicians_may_reconcile": False}
    sites = tech_api.get(f"/api/sites/{site.pk}/").json()
    assert sites["technicians_may_reconcile"] is False


@pytest.mark.parametrize("actor", ["tech_api", "manager_api"])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_only_admins_change_the_counting_policy(request, site, actor, method):
    api = request.getfixturevalue(actor)
    assert_needs_role(api, method, "/api/inventory-settings/", {"technicians_may_reconcile": True})
    site.refresh_from_db()
    assert not site.technicians_may_reconcile


def test_the_counting_policy_takes_a_boolean(admin_api, site):
    response = admin_api.put("/api/inventory-settings/", {"technicians_may_reconcile": "maybe"})
    assert_field_error(response, "technicians_may_reconcile")
    assert_field_error(admin_api.put("/api/inventory-settings/", {}), "technicians_may_reconcile")
    site.refresh_from_db()
    assert not site.technicians_may_reconcile


def test_the_counting_policy_needs_authentication(db, anon_api):
    assert_needs_auth(anon_api, "get", "/api/inventory-settings/")
    assert_needs_auth(anon_api, "patch", "/api/inventory-settings/", {"x": 1})


def test_another_sites_admin_sets_only_their_own_site(other_site_api, site, other_site):
    response = other_site_api.patch(
        "/api/inventory-settings/", {"technicians_may_reconcile": True}, format="json"
    )
    assert response.status_code == 200
    other_site.refresh_from_db()
    site.refresh_from_db()
    assert other_site.technicians_may_reconcile and not site.technicians_may_reconcile


# --- /api/stock-counts/ ---------------------------------------------------------------------------


def test_a_technician_reports_a_count_that_waits_for_a_manager(tech_api, tech_user, part, store):
    item = StockItem.objects.get(part=part)
    response = tech_api.post(
        "/api/stock-counts/", {"stock_item": item.pk, "counted": "12", "note": "cycle"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["part"] == part.pk and body["part_name"] == "Oil filter"
    assert (body["stock_item"], body["location"], body["location_path"]) == (
        item.pk,
        store.shelf.pk,
        "Store > Shelf A",
    )
    assert (body["counted"], body["expected"], body["difference"]) == ("12.000", "10.000", "2.000")
    assert (body["status"], body["decided_by"], body["decided_at"], body["transaction"]) == (
        "pending",
        None,
        None,
        None,
    )
    assert body["reported_by"]["username"] == "tech" and body["note"] == "cycle"
    assert on_hand(part) == 10 and len(ledger(part)) == 1


def test_a_count_at_a_location_names_the_part(tech_api, part, store):
    response = tech_api.post(
        "/api/stock-counts/",
        {"part": part.pk, "location": store.yard.pk, "counted": "3", "note": "found"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stock_item"], body["location"], body["expected"]) == (
        None,
        store.yard.pk,
        "0.000",
    )


def test_a_managers_count_is_booked_at_once(manager_api, part):
    response = manager_api.post(
        "/api/stock-counts/", {"part": part.pk, "counted": "9", "note": "count"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed" and body["decided_by"]["username"] == "manager"
    assert body["transaction"] == StockTransaction.objects.latest("pk").pk
    assert on_hand(part) == 9


BAD_REPORTS = {
    "no part or item": ({"counted": "1", "note": "n"}, "part"),
    "below zero": ({"part": "{part}", "counted": "-1", "note": "n"}, "counted"),
    "no number": ({"part": "{part}", "counted": "", "note": "n"}, "counted"),
    "no note": ({"part": "{part}", "counted": "3", "note": ""}, "note"),
    "item of another part": (
        {"part": "{part}", "stock_item": "{other}", "counted": "1", "note": "n"},
        "stock_item",
    ),
    "another site's item": ({"stock_item": "{foreign}", "counted": "1", "note": "n"}, "stock_item"),
    "another site's part": ({"part": "{foreign_part}", "counted": "1", "note": "n"}, "part"),
    "place needed": ({"part": "{spread}", "counted": "1", "note": "n"}, "location"),
}


@pytest.mark.parametrize("body,field", BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_a_bad_report_is_a_400_on_its_field_and_writes_nothing(
    tech_api, part, site, manager_user, store, foreign_item, foreign_part, body, field
):
    other = services.part_create(
        site=site, by=manager_user, name="Belt", on_hand_qty="1", location=store.bin
    )
    spread = services.part_create(
        site=site, by=manager_user, name="Chain", on_hand_qty="1", location=store.bin
    )
    services.part_restock(part=spread, by=manager_user, quantity="1", cost="1", location=store.yard)
    ids = {
        "part": part.pk,
        "other": other.stock_items.get().pk,
        "foreign": foreign_item.pk,
        "foreign_part": foreign_part.pk,
        "spread": spread.pk,
    }
    body = {k: v.format(**ids) if isinstance(v, str) and "{" in v else v for k, v in body.items()}
    rows = StockTransaction.objects.count()
    assert_field_error(tech_api.post("/api/stock-counts/", body), field)
    assert not StockCount.objects.exists() and StockTransaction.objects.count() == rows


def test_confirming_books_counted_minus_expected(manager_api, tech_user, manager_user, part):
    count = reported_count(part, tech_user, "12")
    services.part_restock(part=part, by=manager_user, quantity="5", cost="5")  # moved since
    response = manager_api.post(f"/api/stock-counts/{count.pk}/confirm/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["decided_by"]["username"] == "manager"
    assert body["transaction"] == StockTransaction.objects.latest("pk").pk
    assert ledger(part)[-1] == ("reconcile", D(2), D(17))


def test_rejecting_records_the_reason(manager_api, tech_user, part):
    count = reported_count(part, tech_user)
    assert_field_error(manager_api.post(f"/api/stock-counts/{count.pk}/reject/", {}), "reason")
    response = manager_api.post(f"/api/stock-counts/{count.pk}/reject/", {"reason": "recount"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reason"], body["transaction"]) == ("rejected", "recount", None)
    assert on_hand(part) == 10


def test_a_decided_count_cannot_be_decided_again(manager_api, tech_user, part):
    count = reported_count(part, tech_user)
    assert manager_api.post(f"/api/stock-counts/{count.pk}/confirm/").status_code == 200
    rows = ledger(part)
    for action, body in [("confirm", {}), ("reject", {"reason": "late"})]:
        response = manager_api.post(f"/api/stock-counts/{count.pk}/{action}/", body)
        assert response.status_code == 400
        assert "already confirmed" in response.json()["non_field_errors"][0]
    assert ledger(part) == rows


@pytest.mark.parametrize("action,body", [("confirm", {}), ("reject", {"reason": "no"})])
def test_technicians_cannot_decide_counts(tech_api, tech_user, part, action, body):
    count = reported_count(part, tech_user)
    assert_needs_role(tech_api, "post", f"/api/stock-counts/{count.pk}/{action}/", body)
    count.refresh_from_db()
    assert count.status == CountStatus.PENDING and on_hand(part) == 10


def test_the_list_filters_by_status_and_part(tech_api, tech_user, manager_user, part, site, store):
    waiting = reported_count(part, tech_user)
    decided = reported_count(part, tech_user, "11")
    services.stock_count_reject(count=decided, by=manager_user, reason="no")
    other = services.part_create(
        site=site, by=manager_user, name="Belt", on_hand_qty="1", location=store.bin
    )
    elsewhere = reported_count(other, tech_user, "2")
    assert list_ids(tech_api, "/api/stock-counts/") == [elsewhere.pk, decided.pk, waiting.pk]
    assert list_ids(tech_api, "/api/stock-counts/?status=pending") == [elsewhere.pk, waiting.pk]
    assert list_ids(tech_api, f"/api/stock-counts/?status=pending&part={part.pk}") == [waiting.pk]
    both = "/api/stock-counts/?status=rejected&status=confirmed"
    assert list_ids(tech_api, both) == [decided.pk]
    assert list_ids(tech_api, "/api/stock-counts/?ordering=reported_at") == [
        waiting.pk,
        decided.pk,
        elsewhere.pk,
    ]
    assert tech_api.get(f"/api/stock-counts/{waiting.pk}/").json()["status"] == "pending"


def test_another_sites_counts_do_not_exist_here(other_site_api, tech_user, part):
    count = reported_count(part, tech_user)
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/stock-counts/{count.pk}/",
        list_url="/api/stock-counts/",
        obj_id=count.pk,
        methods=("get",),
        actions=[f"/api/stock-counts/{count.pk}/confirm/", f"/api/stock-counts/{count.pk}/reject/"],
    )
    count.refresh_from_db()
    assert count.status == CountStatus.PENDING


def test_another_sites_part_cannot_be_counted_from_here(other_site_api, part):
    response = other_site_api.post(
        "/api/stock-counts/", {"part": part.pk, "counted": "1", "note": "n"}
    )
    assert_field_error(response, "part")
    assert not StockCount.objects.exists()


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/stock-counts/"),
        ("post", "/api/stock-counts/"),
        ("post", "/api/stock-counts/1/confirm/"),
        ("post", "/api/stock-counts/1/reject/"),
    ],
)
def test_counts_need_authentication(db, anon_api, method, url):
    assert_needs_auth(anon_api, method, url, {"counted": "1"})


def test_the_list_costs_the_same_queries_at_n_and_2n_counts(tech_api, tech_user, part):
    for _ in range(3):
        reported_count(part, tech_user)
    small = queries_for(tech_api, "/api/stock-counts/")
    for _ in range(3):
        reported_count(part, tech_user)
    assert queries_for(tech_api, "/api/stock-counts/") == small


def test_the_schema_documents_counted_and_the_counts_api(db):
    """Generated as ``manage.py spectacular`` does, failing on any warning."""
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    components = schema["components"]["schemas"]
    reconcile_input = components["ReconcileInputRequest"]["properties"]
    assert {"quantity", "counted", "note", "location", "stock_item"} <= set(reconcile_input)
    assert "quantity counted" in reconcile_input["counted"]["description"]
    scrap = components["ScrapInputRequest"]["properties"]["quantity"]["description"]
    assert "ALL of the stock item" in scrap
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/stock-counts/"])
    assert "post" in paths["/api/stock-counts/{id}/confirm/"]
    assert "post" in paths["/api/stock-counts/{id}/reject/"]
    assert {"get", "put", "patch"} <= set(paths["/api/inventory-settings/"])
    assert "technicians_may_reconcile" in components["Site"]["properties"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?ordering=reported_at",
        "?ordering=-reported_at",
        "?status=pending",
        "?status=pending&ordering=reported_at",
    ],
)
def test_each_order_of_the_counts_list_is_read_from_an_index(tech_api, tech_user, part, query):
    for _ in range(3):
        reported_count(part, tech_user)
    assert_order_served_by_an_index(tech_api, f"/api/stock-counts/{query}")
