"""The stock ledger: /api/parts/{id}/transactions/ (with ``total_used``) and the site-wide
/api/part-transactions/. Both read-only: rows are written only by the stock actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import StockTransaction, TransactionType
from tests.helpers import assert_field_error
from tests.inventory.factories import stocked_part


def ledger_url(part) -> str:
    return f"/api/parts/{part.pk}/transactions/"


def types(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["type"] for row in response.json()["results"]]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def usage_row(part, quantity: str, type=TransactionType.WO_USAGE, **fields) -> StockTransaction:
    """A work-order usage row written directly: work orders do not exist yet. Only for
    ``total_used`` tests; it does not move stock, so on-hand and ledger disagree here."""
    return StockTransaction.objects.create(
        site_id=part.site_id, part=part, type=type, quantity=Decimal(quantity), **fields
    )


@pytest.fixture
def history(part, manager_user, store):
    """Oil filter: opening 10, restock 5, reconcile -2, unit cost update."""
    services.part_restock(part=part, by=manager_user, quantity="5", cost="8", note="PO-12345")
    services.part_reconcile(part=part, by=manager_user, quantity="-2", note="damaged in transit")
    services.part_unit_cost_set(part=part, by=manager_user, cost="9", note="Invoice INV-9")
    return part


# --- The part's ledger ----------------------------------------------------------------------------


def test_the_part_ledger_lists_its_rows_newest_first(tech_api, history):
    response = tech_api.get(ledger_url(history))
    assert types(response) == ["unit_cost", "reconcile", "restock", "restock"]
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results", "total_used"}
    assert body["count"] == 4


def test_a_ledger_row_has_quantity_costs_balance_note_place_and_author(
    tech_api, history, store, manager_user
):
    restock = tech_api.get(ledger_url(history), {"type": "restock"}).json()["results"][0]
    assert restock == {
        "id": restock["id"],
        "part": history.pk,
        "part_name": "Oil filter",
        "type": "restock",
        "quantity": "5.000",
        "unit_cost": "8.00",
        "cost": "8.00",
        "total_cost": "40.00",
        "on_hand_after": "15.000",
        "note": "PO-12345",
        "stock_item": history.stock_items.get().pk,
        "location": store.shelf.pk,
        "location_path": "Store > Shelf A",
        "created_by": {
            "id": manager_user.pk,
            "username": "manager",
            "first_name": manager_user.first_name,
            "last_name": manager_user.last_name,
        },
        "created_at": restock["created_at"],
    }


def test_the_ledger_quantities_sum_to_on_hand(tech_api, history):
    rows = tech_api.get(ledger_url(history)).json()["results"]
    on_hand = tech_api.get(f"/api/parts/{history.pk}/").json()["on_hand_qty"]
    assert sum(Decimal(r["quantity"]) for r in rows) == Decimal(on_hand) == Decimal("13")


def test_the_part_ledger_holds_only_that_parts_rows(tech_api, history, site, manager_user, store):
    stocked_part(site, manager_user, "3", store.yard, name="Other")
    assert {row["part"] for row in tech_api.get(ledger_url(history)).json()["results"]} == {
        history.pk
    }


def test_a_ledger_row_can_be_read_under_its_part(tech_api, history):
    row = StockTransaction.objects.filter(part=history).first()
    response = tech_api.get(f"{ledger_url(history)}{row.pk}/")
    assert response.status_code == 200 and response.json()["id"] == row.pk


def test_a_ledger_row_under_another_part_is_404(tech_api, history, site, manager_user, store):
    other = stocked_part(site, manager_user, "3", store.yard, name="Other")
    row = StockTransaction.objects.get(part=other)
    assert tech_api.get(f"{ledger_url(history)}{row.pk}/").status_code == 404


def test_the_ledger_of_a_missing_part_is_404(tech_api, db):
    response = tech_api.get("/api/parts/999999/transactions/")
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"type": "restock"}, ["restock", "restock"]),
        ({"type": ["reconcile", "unit_cost"]}, ["unit_cost", "reconcile"]),
        ({"note": "INVOICE"}, ["unit_cost"]),
        ({"search": "transit"}, ["reconcile"]),
        ({"ordering": "created_at"}, ["restock", "restock", "reconcile", "unit_cost"]),
        # A part's ledger is its timeline: other orders are the site ledger's; newest first stays.
        ({"ordering": "quantity"}, ["unit_cost", "reconcile", "restock", "restock"]),
    ],
)
def test_ledger_filters_and_ordering(tech_api, history, params, expected):
    assert types(tech_api.get(ledger_url(history), params)) == expected


def test_the_site_ledger_orders_by_quantity(tech_api, history):
    rows = tech_api.get("/api/part-transactions/", {"ordering": "quantity"}).json()["results"]
    assert [row["type"] for row in rows] == ["reconcile", "unit_cost", "restock", "restock"]


def test_ledger_filters_by_time_and_date(tech_api, history):
    now = timezone.now()
    opening, restock, reconcile, cost = StockTransaction.objects.filter(part=history).order_by("pk")
    StockTransaction.objects.filter(pk=opening.pk).update(created_at=now - timedelta(days=10))
    StockTransaction.objects.filter(pk=restock.pk).update(created_at=now - timedelta(days=5))
    url = ledger_url(history)
    cutoff = (now - timedelta(days=7)).isoformat()
    assert ids(tech_api.get(url, {"created_after": cutoff})) == [cost.pk, reconcile.pk, restock.pk]
    assert ids(tech_api.get(url, {"created_before": cutoff})) == [opening.pk]
    day = (now - timedelta(days=5)).date().isoformat()
    assert ids(tech_api.get(url, {"date_from": day, "date_to": day})) == [restock.pk]
    assert ids(tech_api.get(url, {"date_to": day})) == [restock.pk, opening.pk]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"type": "teleport"}, "type"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"date_from": "2024-13-45"}, "date_from"),
    ],
)
def test_a_bad_ledger_filter_is_400_naming_it(tech_api, history, params, field):
    assert_field_error(tech_api.get(ledger_url(history), params), field)


def test_the_part_ledger_accepts_its_filters_without_tripping_part_filters(tech_api, history):
    # ``type`` is a part filter (a part type id) on /api/parts/, a ledger type here.
    restocks = StockTransaction.objects.filter(part=history, type="restock").order_by("-pk")
    response = tech_api.get(ledger_url(history), {"type": "restock"})
    assert ids(response) == list(restocks.values_list("pk", flat=True))
    assert response.json()["count"] == 2  # of the part's 4 rows


# --- total_used -----------------------------------------------------------------------------------


def test_total_used_sums_usage_minus_returns(tech_api, history):
    usage_row(history, "-3")
    usage_row(history, "-2.5", type=TransactionType.BUILD_CONSUME)
    usage_row(history, "1", type=TransactionType.WO_RETURN)
    body = tech_api.get(ledger_url(history)).json()
    assert body["total_used"] == "4.500"  # restock, reconcile and cost rows are not usage


def test_total_used_is_zero_without_usage(tech_api, history):
    assert tech_api.get(ledger_url(history)).json()["total_used"] == "0.000"


def test_total_used_covers_every_matching_row_not_only_the_page(tech_api, history):
    for _ in range(3):
        usage_row(history, "-1")
    body = tech_api.get(ledger_url(history), {"limit": 1}).json()
    assert len(body["results"]) == 1 and body["total_used"] == "3.000"


def test_total_used_follows_the_filters(tech_api, history):
    old = usage_row(history, "-4", note="week 1")
    StockTransaction.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    usage_row(history, "-1.25", note="week 5")
    url = ledger_url(history)
    since = (timezone.now() - timedelta(days=7)).isoformat()
    assert tech_api.get(url, {"created_after": since}).json()["total_used"] == "1.250"
    assert tech_api.get(url, {"note": "week 1"}).json()["total_used"] == "4.000"
    assert tech_api.get(url).json()["total_used"] == "5.250"


def test_total_used_ignores_other_parts(tech_api, history, site, manager_user, store):
    other = stocked_part(site, manager_user, "3", store.yard, name="Other")
    usage_row(other, "-3")
    assert tech_api.get(ledger_url(history)).json()["total_used"] == "0.000"


# --- The site-wide ledger -------------------------------------------------------------------------


def test_the_site_ledger_lists_every_parts_rows_and_filters_by_part(
    tech_api, history, site, manager_user, store
):
    other = stocked_part(site, manager_user, "3", store.yard, name="Other")
    body = tech_api.get("/api/part-transactions/").json()
    assert body["count"] == 5
    assert {row["part_name"] for row in body["results"]} == {"Oil filter", "Other"}
    by_part = tech_api.get("/api/part-transactions/", {"part": other.pk}).json()
    assert [(row["part"], row["type"]) for row in by_part["results"]] == [(other.pk, "restock")]


def test_the_site_ledger_has_the_same_filters(tech_api, history):
    assert types(tech_api.get("/api/part-transactions/", {"type": "reconcile"})) == ["reconcile"]
    assert types(tech_api.get("/api/part-transactions/", {"note": "po-123"})) == ["restock"]


def test_a_site_ledger_row_has_a_detail(tech_api, history):
    row = StockTransaction.objects.filter(part=history, type="reconcile").get()
    body = tech_api.get(f"/api/part-transactions/{row.pk}/").json()
    assert (body["id"], body["quantity"], body["note"]) == (row.pk, "-2.000", "damaged in transit")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_ledger_rows_cannot_be_changed_or_deleted(manager_api, history, method):
    row = StockTransaction.objects.filter(part=history).first()
    before = list(StockTransaction.objects.values_list("pk", "quantity", "note"))
    for url in (f"/api/part-transactions/{row.pk}/", f"{ledger_url(history)}{row.pk}/"):
        response = getattr(manager_api, method)(url, {"quantity": "100", "note": "x"})
        assert response.status_code == 405, (url, response.status_code)
    assert list(StockTransaction.objects.values_list("pk", "quantity", "note")) == before


def test_ledger_rows_cannot_be_posted(manager_api, history):
    before = StockTransaction.objects.count()
    for url in ("/api/part-transactions/", ledger_url(history)):
        body = {"part": history.pk, "type": "restock", "quantity": "100"}
        assert manager_api.post(url, body).status_code == 405
    assert StockTransaction.objects.count() == before
