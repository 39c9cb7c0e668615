"""Reserved stock, through the extension point work orders and builds will use.

``tests.reserving`` is a test-only app that owns a reservation table and registers a provider with
``inventory.reservations``, exactly as an upper app will. These tests prove that ``reserved``,
``available`` and low stock follow real reservations everywhere they are shown: the API (list,
detail, the low-stock list, filters and ordering), the pages, the dashboard, and a part loaded
without annotations.
"""

from decimal import Decimal

import pytest

from core.versions import data_changed
from inventory import reservations
from inventory.models import Part
from tests.helpers import by_testid
from tests.inventory.factories import stocked_part
from tests.reserving.models import Reservation, reserved_for_part

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reserving_app(monkeypatch):
    """The test app reserves stock, registered as an upper app registers its provider."""
    monkeypatch.setattr(reservations, "_providers", [])
    reservations.register(reserved_for_part)


def reserve(part, quantity: str, *, open: bool = True) -> Reservation:
    """Reserve as an upper app's service would: write its row, announce the change."""
    data_changed(part.site_id, reservations.RESERVATIONS_DATA)
    return Reservation.objects.create(
        site_id=part.site_id, part=part, quantity=Decimal(quantity), open=open
    )


@pytest.fixture
def low_part(site, manager_user, store):
    """10 on hand, minimum 6: in good supply until more than 4 are reserved."""
    return stocked_part(
        site, manager_user, "10", store.shelf, "2.00", name="V-belt", min_qty="6", desired_qty="20"
    )


def api_part(api, part) -> dict:
    response = api.get(f"/api/parts/{part.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_reserved_and_available_follow_open_reservations(tech_api, low_part):
    reserve(low_part, "3")
    reserve(low_part, "1.5")
    reserve(low_part, "100", open=False)  # closed: holds nothing

    body = api_part(tech_api, low_part)

    assert body["on_hand_qty"] == "10.000"
    assert body["reserved"] == "4.500"
    assert body["available"] == "5.500"
    assert body["low_stock"] is True
    assert body["suggested_order_qty"] == "14.500"


def test_available_at_exactly_the_minimum_is_not_low(tech_api, low_part):
    reserve(low_part, "4")

    body = api_part(tech_api, low_part)

    assert (body["available"], body["low_stock"]) == ("6.000", False)


def test_the_list_filters_low_stock_after_reservations(
    tech_api, site, manager_user, store, low_part
):
    plenty = stocked_part(site, manager_user, "8", store.shelf, name="Fuse", min_qty="1")
    reserve(low_part, "7")  # available 3, below its minimum 6

    low = tech_api.get("/api/parts/?low_stock=true").json()["results"]
    fine = tech_api.get("/api/parts/?low_stock=false").json()["results"]

    assert [p["id"] for p in low] == [low_part.pk]
    assert [p["available"] for p in low] == ["3.000"]
    assert [p["id"] for p in fine] == [plenty.pk]


def test_the_low_stock_list_counts_reservations(tech_api, low_part):
    assert tech_api.get("/api/parts/low-stock/").json()["count"] == 0

    reserve(low_part, "5")
    body = tech_api.get("/api/parts/low-stock/").json()

    assert [row["id"] for row in body["results"]] == [low_part.pk]
    assert body["results"][0]["reserved"] == "5.000"
    assert body["results"][0]["suggested_order_qty"] == "15.000"


def test_a_part_loaded_without_annotations_derives_the_same_figures(low_part):
    reserve(low_part, "5")

    plain = Part.objects.get(pk=low_part.pk)
    annotated = Part.objects.with_quantities().get(pk=low_part.pk)

    for part in (plain, annotated):
        assert part.on_hand == Decimal("10")
        assert part.reserved == Decimal("5")
        assert part.available == Decimal("5")
        assert part.low_stock is True
        assert part.suggested_order_qty == Decimal("15")


def test_an_unsaved_part_has_nothing_on_hand_or_reserved(site):
    part = Part(site=site, name="Draft", min_qty=Decimal("1"))

    assert (part.on_hand, part.reserved, part.available, part.low_stock) == (0, 0, 0, True)


def test_reservations_of_another_part_do_not_count(tech_api, site, manager_user, store, low_part):
    other = stocked_part(site, manager_user, "3", store.shelf, name="Other")
    reserve(other, "3")

    assert api_part(tech_api, low_part)["reserved"] == "0.000"
    assert api_part(tech_api, other)["available"] == "0.000"


def test_two_providers_add_up(tech_api, low_part, monkeypatch):
    """A second upper app (builds beside work orders) adds its own reservations: here the same
    provider twice, so every reservation counts double."""
    reservations._providers.append(reserved_for_part)
    reserve(low_part, "2")

    assert api_part(tech_api, low_part)["reserved"] == "4.000"


def test_the_part_page_shows_reserved_and_available(manager_page, low_part):
    reserve(low_part, "5")
    response = manager_page.get(f"/parts/{low_part.pk}/")

    assert by_testid(response, "part-reserved").get_text(strip=True) == "5"
    assert by_testid(response, "part-available").get_text(strip=True) == "5"
    assert by_testid(response, "low-stock-flag")


def test_the_reorder_page_and_dashboard_count_reserved_parts(manager_page, low_part):
    reserve(low_part, "5")

    reorder = manager_page.get("/reorder/")
    dashboard = manager_page.get("/")

    rows = by_testid(reorder, "reorder-table").select('[data-testid="reorder-row"]')
    assert [int(row["data-part-id"]) for row in rows] == [low_part.pk]
    assert by_testid(dashboard, "inventory-low-stock-count").get_text(strip=True) == "1"


def test_list_queries_do_not_grow_with_reserved_parts(
    tech_api, site, manager_user, store, query_count, django_assert_max_num_queries
):
    def make(n):
        for i in range(n):
            reserve(stocked_part(site, manager_user, "5", store.shelf, name=f"R{i}"), "1")

    make(3)
    baseline = query_count(lambda: tech_api.get("/api/parts/"))
    make(6)
    with django_assert_max_num_queries(baseline):
        response = tech_api.get("/api/parts/")
    assert {p["reserved"] for p in response.json()["results"]} == {"1.000"}
