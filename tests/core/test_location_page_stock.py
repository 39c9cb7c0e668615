"""A location's page shows the stock stored there (inventory's section, plugged into core through
``core.location_panels``), the tree shows each row's stock count and folds its branches, and
deleting a location from its page asks first, with and without JavaScript."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.models import Location
from core.services import location_create
from inventory import services
from tests.factories import LocationFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    cell,
    html,
    is_full_page,
    queries_for,
    root,
    text,
    texts_by_testid,
)
from tests.inventory.factories import PartFactory, StockItemFactory, stocked_part


@pytest.fixture
def store(site):
    """``Store > Shelf A > Bin 1``, ``Store > Shelf B`` and ``Yard``."""
    building = LocationFactory(site=site, name="Store")
    shelf = LocationFactory(site=site, name="Shelf A", parent=building)
    bin_ = LocationFactory(site=site, name="Bin 1", parent=shelf, qr_code="L-BIN1")
    shelf_b = LocationFactory(site=site, name="Shelf B", parent=building)
    yard = LocationFactory(site=site, name="Yard")
    return SimpleNamespace(building=building, shelf=shelf, bin=bin_, shelf_b=shelf_b, yard=yard)


@pytest.fixture
def stock(site, manager_user, store):
    """Through the services, so the quantities are booked as they are in production:

    - Bin 1: Oil filter FL-100, 10 pcs, and 7 of it in batch B-7; Grease, 2.5 kg
    - Shelf A: Oil filter, 3 pcs
    - Shelf B: V-belt, 4 pcs
    - Store: Grease, 1 kg
    - Yard: V-belt, 9 pcs
    """
    filter_ = stocked_part(site, manager_user, "10", store.bin, name="Oil filter", number="FL-100")
    services.part_restock(
        part=filter_, by=manager_user, quantity="7", cost="1", location=store.bin, batch="B-7"
    )
    services.part_restock(
        part=filter_, by=manager_user, quantity="3", cost="1", location=store.shelf
    )
    grease = stocked_part(site, manager_user, "2.5", store.bin, name="Grease", units="kg")
    services.part_restock(
        part=grease, by=manager_user, quantity="1", cost="1", location=store.building
    )
    belt = stocked_part(site, manager_user, "4", store.shelf_b, name="V-belt")
    services.part_restock(part=belt, by=manager_user, quantity="9", cost="1", location=store.yard)
    return SimpleNamespace(filter=filter_, grease=grease, belt=belt)


def stock_rows(source) -> list[tuple[str, str, str]]:
    """The stock stored at the location itself: (part, quantity, batch) per row."""
    return [
        (text(cell(row, "Part")), text(cell(row, "Quantity")), text(cell(row, "Batch")))
        for row in all_by_testid(source, "location-stock-row")
    ]


def sub_location_totals(source) -> dict[str, tuple[str, str]]:
    """Each sub-location's (stock items, parts) on a location's page."""
    return {
        text(cell(row, "Location")): (text(cell(row, "Stock items")), text(cell(row, "Parts")))
        for row in all_by_testid(source, "sub-location-row")
    }


def tree_counts(source) -> dict[str, str]:
    """What each row of the tree (or of the search results) shows as its stock count."""
    counts = {}
    for node in html(source).select("li.tree-node"):
        name = text(node.find("a", class_="tree-name"))
        [count] = node.find("div", class_="tree-row").select('[data-testid="location-count"]')
        counts[name] = text(count)
    return counts


# --- The stock on a location's page ---------------------------------------------------------------


def test_a_bins_page_lists_the_stock_stored_in_it_with_quantities(tech_page, store, stock):
    page = tech_page.get(f"/locations/{store.bin.pk}/")

    assert page.status_code == 200
    assert sorted(stock_rows(page)) == [
        ("FL-100 · Oil filter", "10 pcs", "—"),
        ("FL-100 · Oil filter", "7 pcs", "B-7"),
        ("Grease", "2.5 kg", "—"),
    ]
    links = {
        text(cell(row, "Part")): cell(row, "Part").a["href"]
        for row in all_by_testid(page, "location-stock-row")
    }
    assert links == {
        "FL-100 · Oil filter": f"/parts/{stock.filter.pk}/",
        "Grease": f"/parts/{stock.grease.pk}/",
    }
    assert text(by_testid(page, "location-stock-count")) == "3 stock items"
    assert not all_by_testid(page, "sub-location-row")  # nothing inside a bin


def test_a_location_lists_only_what_is_stored_at_it_itself(tech_page, store, stock):
    page = tech_page.get(f"/locations/{store.shelf.pk}/")
    assert stock_rows(page) == [("FL-100 · Oil filter", "3 pcs", "—")]


def test_empty_and_unstocked_items_are_not_listed(tech_page, site, store, stock):
    StockItemFactory(part=PartFactory(site=site, name="Gone"), location=store.bin, quantity=0)
    page = tech_page.get(f"/locations/{store.bin.pk}/")
    assert "Gone" not in {row[0] for row in stock_rows(page)}
    assert len(stock_rows(page)) == 3


def test_sub_location_totals_count_items_and_distinct_parts_in_everything_inside(
    tech_page, store, stock
):
    page = tech_page.get(f"/locations/{store.building.pk}/")

    # Shelf A: the filter at the shelf, the filter twice and the grease in Bin 1 below it.
    assert sub_location_totals(page) == {"Shelf A": ("4", "2"), "Shelf B": ("1", "1")}
    assert stock_rows(page) == [("Grease", "1 kg", "—")]  # the Store itself
    [shelf_row] = html(page).select(f'[data-location-id="{store.shelf.pk}"]')
    items_link = cell(shelf_row, "Stock items").a
    assert items_link["href"] == f"/stock/?location={store.shelf.pk}&cascade=true"


def test_the_page_links_to_all_stock_here_and_below(tech_page, store, stock):
    page = tech_page.get(f"/locations/{store.building.pk}/")
    link = by_testid(page, "location-stock-all")
    assert link["href"] == f"/stock/?location={store.building.pk}&cascade=true"
    assert text(link) == "All stock here and below (6 items)"
    listed = tech_page.get(link["href"])
    assert len(all_by_testid(listed, "stock-row")) == 6


def test_a_location_without_stock_says_so(tech_page, store):
    page = tech_page.get(f"/locations/{store.yard.pk}/")
    assert text(by_testid(page, "location-stock-empty")) == "Nothing is stored at Yard itself."
    assert not all_by_testid(page, "location-stock-row")


def test_scanning_a_bins_label_opens_the_page_with_its_stock(tech_page, store, stock):
    response = tech_page.get("/qr/L-BIN1/", follow=True)
    assert response.redirect_chain[-1][0] == f"/locations/{store.bin.pk}/"
    assert len(stock_rows(response)) == 3


def test_another_sites_location_does_not_exist(tech_page, foreign_location):
    assert tech_page.get(f"/locations/{foreign_location.pk}/").status_code == 404
    headers = {**HTMX, "HX-Target": "location-section-stock"}
    assert tech_page.get(f"/locations/{foreign_location.pk}/", headers=headers).status_code == 404


def test_many_items_come_a_page_at_a_time_and_htmx_swaps_only_the_section(tech_page, site, store):
    for i in range(55):
        StockItemFactory(part=PartFactory(site=site, name=f"Item {i:02d}"), location=store.bin)

    first = tech_page.get(f"/locations/{store.bin.pk}/")
    second = tech_page.get(
        f"/locations/{store.bin.pk}/",
        {"page": "2"},
        headers={**HTMX, "HX-Target": "location-section-stock"},
    )

    assert len(all_by_testid(first, "location-stock-row")) == 50
    assert text(by_testid(first, "location-stock-count")) == "55 stock items"
    assert by_testid(first, "page-next")["hx-target"] == "#location-section-stock"
    assert not is_full_page(second) and root(second)["id"] == "location-section-stock"
    assert len(all_by_testid(second, "location-stock-row")) == 5
    assert "HX-Target" in second["Vary"]


def test_location_page_queries_do_not_grow_with_stock(tech_page, site, manager_user, store):
    def grow(n):
        # Through the service, which tells the cached "what is inside" that the tree changed.
        for _ in range(n):
            k = Location.objects.count()
            shelf = location_create(site=site, by=manager_user, name=f"S{k}", parent=store.building)
            at = location_create(site=site, by=manager_user, name=f"B{k}", parent=shelf)
            for location in (store.building, at):
                stocked_part(site, manager_user, "2", location)

    url = f"/locations/{store.building.pk}/"
    tech_page.get(url)
    grow(4)
    small = queries_for(tech_page, url)
    grow(4)
    assert len(all_by_testid(tech_page.get(url), "sub-location-row")) == 8
    assert queries_for(tech_page, url) == small


# --- The tree -------------------------------------------------------------------------------------


def test_each_row_of_the_tree_shows_the_stock_items_in_it_and_below(tech_page, store, stock):
    page = tech_page.get("/locations/")
    assert tree_counts(page) == {
        "Store": "6 stock items",
        "Shelf A": "4 stock items",
        "Bin 1": "3 stock items",
        "Shelf B": "1 stock item",
        "Yard": "1 stock item",
    }
    assert texts_by_testid(page, "tree-legend") == [
        "Each location shows the stock items held in it and everything inside it."
    ]


def test_a_location_without_stock_shows_zero(tech_page, store):
    assert tree_counts(tech_page.get("/locations/"))["Yard"] == "0 stock items"


def test_search_results_show_the_counts_too(tech_page, store, stock):
    assert tree_counts(tech_page.get("/locations/", {"q": "shelf"})) == {
        "Shelf A": "4 stock items",
        "Bin 1": "3 stock items",  # its path has "Shelf A"
        "Shelf B": "1 stock item",
    }


def test_a_level_of_a_large_tree_shows_its_counts(tech_page, store, stock, monkeypatch):
    from core import selectors

    monkeypatch.setattr(selectors, "TREE_SHOWN_WHOLE", 2)
    top = tech_page.get("/locations/")
    assert tree_counts(top) == {"Store": "6 stock items", "Yard": "1 stock item"}
    level = tech_page.get(f"/locations/?parent={store.building.pk}", headers=HTMX)
    assert tree_counts(level) == {"Shelf A": "4 stock items", "Shelf B": "1 stock item"}


def test_branches_fold_top_level_open_and_deeper_closed(tech_page, store):
    page = html(tech_page.get("/locations/"))
    branches = {
        text(b.find_parent("li").find("a", class_="tree-name")): b.has_attr("open")
        for b in page.select('[data-testid="tree-branch"]')
    }
    assert branches == {"Store": True, "Shelf A": False}  # Bin 1, Shelf B and Yard have none
    toggle = by_id(page, f"location-{store.shelf.pk}").find("summary")
    assert text(toggle) == "Inside Shelf A"


def test_rows_carry_no_actions_the_location_page_has_them(manager_page, store):
    page = html(manager_page.get("/locations/"))
    for node in page.select("li.tree-node"):
        row = node.find("div", class_="tree-row")
        assert row.find("form") is None and row.find("button") is None
        assert [a["href"] for a in row.find_all("a")] == [f"/locations/{node['id'][9:]}/"]
    detail = manager_page.get(f"/locations/{store.shelf.pk}/")
    assert by_testid(detail, "location-edit")["href"] == f"/locations/{store.shelf.pk}/edit/"
    assert by_testid(detail, "location-add-inside")["href"] == (
        f"/locations/new/?parent={store.shelf.pk}"
    )


def test_a_location_added_deep_in_the_tree_opens_the_branches_above_it(manager_page, store):
    response = manager_page.post(
        f"/locations/new/?parent={store.bin.pk}",
        {"name": "Tray", "parent": store.bin.pk},
        headers=HTMX,
    )
    tray = Location.objects.get(name="Tray")
    assert by_id(response, f"location-{tray.pk}")["class"] == ["tree-node", "is-highlighted"]
    shelf_branch = by_id(response, f"location-{store.shelf.pk}").find("details")
    assert shelf_branch.has_attr("open")


def test_tree_queries_do_not_grow_with_stocked_locations(tech_page, site, manager_user):
    def grow(n):
        for _ in range(n):
            room = LocationFactory(site=site, parent=LocationFactory(site=site))
            stocked_part(site, manager_user, "1", room)

    tech_page.get("/locations/")
    grow(5)
    small = queries_for(tech_page, "/locations/")
    grow(5)
    assert len(all_by_testid(tech_page.get("/locations/"), "location-count")) == 20
    assert queries_for(tech_page, "/locations/") == small


@pytest.mark.django_db(transaction=True)
def test_the_counts_follow_a_stock_action(tech_page, manager_user, store, stock):
    assert tree_counts(tech_page.get("/locations/"))["Yard"] == "1 stock item"
    services.part_restock(
        part=stock.grease, by=manager_user, quantity="1", cost="1", location=store.yard
    )
    assert tree_counts(tech_page.get("/locations/"))["Yard"] == "2 stock items"
    assert len(stock_rows(tech_page.get(f"/locations/{store.yard.pk}/"))) == 2


# --- Deleting from the page asks first ------------------------------------------------------------


def test_the_pages_delete_form_asks_first(manager_page, store):
    form = by_testid(manager_page.get(f"/locations/{store.yard.pk}/"), "location-delete-form")
    assert form["method"] == "post" and form["action"] == f"/locations/{store.yard.pk}/delete/"
    assert form["data-confirm"] == "Delete “Yard”? This cannot be undone."
    # Without JavaScript the form sends no confirmation: the answer is the question.
    assert form.find("input", attrs={"name": "confirm"}) is None
    assert form["hx-vals"] == '{"confirm": "yes"}'
    assert "btn-danger" in by_testid(form, "location-delete")["class"]


def test_technicians_see_no_delete(tech_page, store):
    assert not all_by_testid(tech_page.get(f"/locations/{store.yard.pk}/"), "location-delete")


def test_a_post_without_confirm_shows_the_question_and_deletes_nothing(manager_page, store):
    response = manager_page.post(f"/locations/{store.yard.pk}/delete/")
    assert response.status_code == 200
    confirm = by_testid(response, "location-delete-confirm")
    assert confirm["action"] == f"/locations/{store.yard.pk}/delete/"
    assert confirm.find("input", attrs={"name": "confirm"})["value"] == "yes"
    assert text(by_testid(response, "location-delete-confirm-submit")) == "Delete “Yard”"
    assert Location.objects.filter(pk=store.yard.pk).exists()


def test_a_get_of_the_delete_address_shows_the_question(manager_page, store, stock):
    response = manager_page.get(f"/locations/{store.yard.pk}/delete/")
    assert response.status_code == 200 and by_testid(response, "location-delete-confirm")
    assert text(by_testid(response, "location-delete-holds")).startswith("It holds 1 stock item")
    shelf = manager_page.get(f"/locations/{store.shelf.pk}/delete/")
    assert text(by_testid(shelf, "location-delete-blocked")) == (
        "It has 1 location inside it: move or delete it first."
    )


def test_a_post_with_confirm_deletes(manager_page, store):
    response = manager_page.post(f"/locations/{store.yard.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/locations/"
    assert not Location.objects.filter(pk=store.yard.pk).exists()


def test_an_htmx_post_without_confirm_deletes_nothing(manager_page, store):
    response = manager_page.post(f"/locations/{store.yard.pk}/delete/", headers=HTMX)
    assert response["HX-Redirect"] == f"/locations/{store.yard.pk}/delete/"
    assert Location.objects.filter(pk=store.yard.pk).exists()


def test_the_pages_htmx_delete_answers_in_its_form(manager_page, store):
    headers = {**HTMX, "HX-Target": "location-delete"}
    refused = manager_page.post(
        f"/locations/{store.shelf.pk}/delete/", {"confirm": "yes"}, headers=headers
    )
    assert root(refused)["id"] == "location-delete"
    assert text(by_testid(refused, "location-delete-error")) == (
        "Move or delete the locations inside “Shelf A” first."
    )
    done = manager_page.post(
        f"/locations/{store.yard.pk}/delete/", {"confirm": "yes"}, headers=headers
    )
    assert done["HX-Redirect"] == "/locations/"
    assert not Location.objects.filter(pk=store.yard.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_managers_delete(tech_page, store, method):
    response = getattr(tech_page, method)(f"/locations/{store.yard.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 403
    assert Location.objects.filter(pk=store.yard.pk).exists()


def test_another_sites_location_cannot_be_deleted(manager_page, foreign_location):
    url = f"/locations/{foreign_location.pk}/delete/"
    assert manager_page.get(url).status_code == 404
    assert manager_page.post(url, {"confirm": "yes"}).status_code == 404
    assert Location.objects.filter(pk=foreign_location.pk).exists()


def test_quantities_are_shown_as_numbers_not_decimals(tech_page, site, store):
    wire = PartFactory(site=site, name="Wire", number="")
    StockItemFactory(part=wire, location=store.yard, quantity=Decimal("12.500"))
    assert stock_rows(tech_page.get(f"/locations/{store.yard.pk}/")) == [("Wire", "12.5 pcs", "—")]
