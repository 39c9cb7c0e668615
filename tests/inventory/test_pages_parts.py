"""Part pages: the list with live search and filters, the part page with its figures, stock and
ledger, the stock actions posted with HTMX (refusals inline, nothing written), create and edit,
constant query counts, site isolation and roles.

Elements are read by ``data-testid`` with a parser (``tests.helpers``), so that a renamed figure
or row fails a test instead of slipping past a substring check."""

from decimal import Decimal

import pytest

from core.models import Role
from inventory import services
from inventory.models import Part, PartVendor, StockItem, StockTransaction
from tests.factories import LocationFactory, MembershipFactory, UserFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    cell,
    field_error,
    html,
    is_full_page,
    ledger,
    page_client,
    queries_for,
    root,
    text,
    texts_by_testid,
)
from tests.inventory.factories import supplied_by


@pytest.fixture
def make_part(site, manager_user, store):
    def make(name="Air filter", **fields):
        fields.setdefault("on_hand_qty", "10")
        fields.setdefault("unit_cost", "4.50")
        fields.setdefault("location", store.building)
        return services.part_create(site=site, by=manager_user, name=name, **fields)

    return make


@pytest.fixture
def part(make_part, store):
    """ "Air filter" FL-100: 10 in the Store at 4.50, minimum 5, desired 20."""
    return make_part(
        number="FL-100", min_qty="5", desired_qty="20", default_location=store.building
    )


def on_hand(part) -> Decimal:
    return services.on_hand_of(part)


def listed(source) -> list[str]:
    """The names of the parts a list shows, in order."""
    return [text(cell(row, "Name").a) for row in all_by_testid(source, "part-row")]


def part_row(source, part):
    [row] = [
        row for row in all_by_testid(source, "part-row") if row["data-part-id"] == str(part.pk)
    ]
    return row


def figure(source, testid: str) -> str:
    return text(by_testid(source, testid))


# --- Parts list -----------------------------------------------------------------------------------


def test_list_shows_each_part_with_its_figures(tech_page, part):
    response = tech_page.get("/parts/")
    assert is_full_page(response)
    row = part_row(response, part)
    link = cell(row, "Name").a
    assert (link["href"], text(link)) == (f"/parts/{part.pk}/", "Air filter")
    assert text(cell(row, "Number")) == "FL-100"
    assert (text(cell(row, "On hand")), text(cell(row, "Available"))) == ("10", "10")
    assert not row.find("td", attrs={"data-label": lambda v: v and "cost" in v})  # not theirs


def test_costs_are_shown_to_managers_not_to_technicians(tech_page, manager_page, part):
    row = part_row(manager_page.get("/parts/"), part)
    assert text(cell(row, "Unit / avg cost")) == "4.50 / 4.50"
    ledger = {"ledger_page": "1"}
    for client, shown in ((manager_page, True), (tech_page, False)):
        page = client.get(f"/parts/{part.pk}/", ledger, headers=HTMX).content.decode()
        assert ("Unit cost" in page) is shown


def test_htmx_request_gets_only_the_table(tech_page, part, make_part):
    make_part("Grease")
    response = tech_page.get("/parts/", {"q": "air"}, headers=HTMX)
    assert not is_full_page(response) and root(response)["id"] == "part-table"
    assert not all_by_testid(response, "part-filters")
    assert listed(response) == ["Air filter"]
    assert "HX-Request" in response["Vary"]


def test_search_finds_by_name_number_and_vendor_part_number(
    tech_page, make_part, site, manager_user
):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    make_part("Air filter", number="FL-1")
    make_part("V-belt", number="VB-7", vendors=[{"vendor": acme, "vendor_part_number": "AC-99"}])
    make_part("Grease")

    def found(q):
        return listed(tech_page.get("/parts/", {"q": q}, headers=HTMX))

    assert found("filter") == ["Air filter"]
    assert found("vb-7") == ["V-belt"]
    assert found("AC-99") == ["V-belt"]
    assert found("") == ["Air filter", "Grease", "V-belt"]


def test_low_stock_filter_lists_only_low_parts_and_flags_them(tech_page, make_part):
    low = make_part("Bearing", on_hand_qty="1", min_qty="4")
    make_part("Gasket", on_hand_qty="9", min_qty="4")
    assert listed(tech_page.get("/parts/", headers=HTMX)) == ["Bearing", "Gasket"]
    response = tech_page.get("/parts/", {"low_stock": "on"}, headers=HTMX)
    assert listed(response) == ["Bearing"]
    row = part_row(response, low)
    assert "is-low" in row["class"]
    assert "Low stock" in text(by_testid(row, "low-stock-flag"))


def test_inactive_parts_are_hidden_until_asked_for(tech_page, make_part):
    make_part("Old seal", active=False)
    make_part("New seal")
    assert listed(tech_page.get("/parts/")) == ["New seal"]
    assert listed(tech_page.get("/parts/", {"active": ""})) == ["New seal", "Old seal"]
    assert listed(tech_page.get("/parts/", {"active": "false"})) == ["Old seal"]


def test_list_pages_by_fifty_and_htmx_pages_swap_the_table(tech_page, site, manager_user):
    for i in range(55):
        services.part_create(site=site, by=manager_user, name=f"Part {i:02d}")
    first = tech_page.get("/parts/")
    assert listed(first) == [f"Part {i:02d}" for i in range(50)]
    next_page = by_testid(first, "page-next")
    assert next_page["hx-get"] == "?page=2" and next_page["hx-target"] == "#part-table"
    second = tech_page.get("/parts/", {"page": "2"}, headers=HTMX)
    assert root(second)["id"] == "part-table"
    assert listed(second) == [f"Part {i:02d}" for i in range(50, 55)]


def test_list_never_shows_another_sites_parts(tech_page, part, foreign_part, foreign_vendor):
    response = tech_page.get("/parts/", {"active": ""})
    assert listed(response) == ["Air filter"]
    vendor_filter = by_testid(response, "part-filters").find("select", attrs={"name": "vendor"})
    offered = [text(option) for option in vendor_filter.find_all("option")]
    assert foreign_vendor.name not in offered  # not even in the vendor filter


def test_list_queries_do_not_grow_with_the_number_of_parts(tech_page, site, manager_user, store):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    part_type = services.part_type_create(site=site, by=manager_user, name="Filters")

    def grow(n):
        for _ in range(n):
            services.part_create(
                site=site,
                by=manager_user,
                name="Filter",
                part_type=part_type,
                on_hand_qty="2",
                location=store.building,
                min_qty="5",
                vendors=[{"vendor": acme, "is_preferred": True}],
                default_location=store.yard,
            )

    tech_page.get("/parts/")
    grow(5)
    small = queries_for(tech_page, "/parts/")
    grow(5)
    assert queries_for(tech_page, "/parts/") == small
    assert queries_for(tech_page, "/parts/?low_stock=on&q=filt") <= small + 1


def test_managers_get_a_new_part_button_technicians_do_not(tech_page, manager_page):
    assert not all_by_testid(tech_page.get("/parts/"), "part-new")
    assert by_testid(manager_page.get("/parts/"), "part-new")["href"] == "/parts/new/"


# --- Part page ------------------------------------------------------------------------------------


def test_part_page_shows_figures_stock_and_ledger(
    tech_page, manager_page, part, site, manager_user
):
    supplied_by(part, manager_user, "Acme", "AC-1")
    page = html(tech_page.get(f"/parts/{part.pk}/"))
    figures = ("part-number", "part-on-hand", "part-available", "part-min", "part-desired")
    assert [figure(page, testid) for testid in figures] == ["FL-100", "10", "10", "5", "20"]
    assert not all_by_testid(page, "part-avg-cost")  # costs are for managers
    assert figure(html(manager_page.get(f"/parts/{part.pk}/")), "part-avg-cost") == "4.50"
    assert figure(page, "part-qr") == part.qr_code
    assert figure(page, "part-preferred-vendor") == "Acme (AC-1)"
    [stock_row] = all_by_testid(page, "stock-row")
    assert text(cell(stock_row, "Location")) == "Store"
    assert text(by_testid(stock_row, "stock-quantity")) == "10 pcs"
    # The ledger loads right after the page; without JavaScript, a link opens the page with it.
    later = by_testid(page, "part-ledger")
    ledger_url = f"/parts/{part.pk}/?ledger_page=1"
    assert (later["hx-get"], later["hx-trigger"]) == (ledger_url, "load")
    assert by_testid(later, "ledger-show")["href"] == f"{ledger_url}#part-ledger"
    assert not all_by_testid(page, "ledger-row")
    for response in (tech_page.get(ledger_url, headers=HTMX), tech_page.get(ledger_url)):
        [ledger_row] = all_by_testid(response, "ledger-row")
        assert text(cell(ledger_row, "Note")) == "Opening stock"
        assert text(by_testid(ledger_row, "ledger-balance")) == "10"
    assert root(tech_page.get(ledger_url, headers=HTMX))["id"] == "part-ledger"
    assert figure(html(tech_page.get(ledger_url)), "part-on-hand") == "10"  # the whole page


def test_ledger_dates_are_shown_in_the_site_time_zone(tech_page, part, site):
    site.time_zone = "Asia/Tokyo"
    site.save()
    row = StockTransaction.objects.get(part=part)
    StockTransaction.objects.filter(pk=row.pk).update(
        created_at=row.created_at.replace(
            year=2024, month=1, day=1, hour=23, minute=30, second=0, microsecond=0
        )
    )
    [ledger_row] = all_by_testid(tech_page.get(f"/parts/{part.pk}/?ledger_page=1"), "ledger-row")
    assert ledger_row.find("time")["datetime"] == "2024-01-02T08:30:00+09:00"


def test_technicians_see_no_stock_actions(tech_page, part):
    page = html(tech_page.get(f"/parts/{part.pk}/"))
    assert figure(page, "part-on-hand") == "10"  # the page is there, with its stock
    assert all_by_testid(page, "stock-row")
    for testid in ("action-restock", "restock-form", "stock-transfer", "stock-scrap", "part-edit"):
        assert not all_by_testid(page, testid), testid


def test_managers_see_every_stock_action(manager_page, part):
    page = html(manager_page.get(f"/parts/{part.pk}/"))
    for name in ("restock", "reconcile", "unit-cost", "avg-cost"):
        panel = by_testid(page, f"action-{name}")
        # The form loads when the panel is first opened (and is a page of its own without JS).
        assert (panel["hx-get"], panel["hx-trigger"]) == (
            f"/parts/{part.pk}/{name}/",
            "toggle once",
        )
        assert panel.find("a")["href"] == f"/parts/{part.pk}/{name}/"
        form = by_testid(manager_page.get(panel["hx-get"], headers=HTMX), f"{name}-form")
        assert form["hx-post"] == f"/parts/{part.pk}/{name}/"
    item = part.stock_items.get()
    assert (
        by_testid(page, "stock-transfer")["hx-get"] == f"/parts/{part.pk}/transfer/?item={item.pk}"
    )
    assert by_testid(page, "stock-scrap")["hx-get"] == f"/parts/{part.pk}/scrap/?item={item.pk}"
    # The restock location starts at the part's default location.
    restock = manager_page.get(f"/parts/{part.pk}/restock/", headers=HTMX)
    location = by_id(by_testid(restock, "restock-form"), "id_restock_location")
    assert location.find("option", selected=True)["value"] == str(part.default_location_id)


def test_non_stock_parts_offer_only_the_cost_actions(manager_page, make_part):
    part = make_part("Rag", on_hand_qty="0", is_non_stock=True)
    page = html(manager_page.get(f"/parts/{part.pk}/"))
    assert not all_by_testid(page, "action-restock") and not all_by_testid(page, "action-reconcile")
    assert by_testid(page, "action-unit-cost") and by_testid(page, "action-avg-cost")
    assert figure(page, "part-on-hand") == "—"
    assert "no stock is kept" in text(by_testid(page, "part-stock"))


def test_htmx_ledger_paging_swaps_only_the_ledger(tech_page, part, manager_user):
    for _ in range(30):
        services.part_restock(part=part, by=manager_user, quantity="1", cost="1")
    page = tech_page.get(f"/parts/{part.pk}/", {"ledger_page": "1"}, headers=HTMX)
    balances = texts_by_testid(page, "ledger-balance")
    assert balances == [str(n) for n in range(40, 15, -1)]  # 25 rows, newest first
    older = tech_page.get(f"/parts/{part.pk}/", {"ledger_page": "2"}, headers=HTMX)
    assert root(older)["id"] == "part-ledger"
    assert texts_by_testid(older, "ledger-balance") == [str(n) for n in range(15, 9, -1)]
    assert text(cell(all_by_testid(older, "ledger-row")[-1], "Note")) == "Opening stock"


def test_part_page_queries_do_not_grow_with_ledger_rows_or_stock_items(
    manager_page, part, site, manager_user
):
    def grow(n):
        for _ in range(n):
            place = LocationFactory(site=site)
            services.part_restock(
                part=part, by=manager_user, quantity="2", cost="3", location=place
            )
            services.part_reconcile(
                part=part, by=manager_user, quantity="-1", note="count", location=place
            )

    urls = [f"/parts/{part.pk}/", f"/parts/{part.pk}/?ledger_page=1"]
    for url in urls:
        manager_page.get(url)
    grow(3)
    small = [queries_for(manager_page, url) for url in urls]
    grow(3)
    assert (
        part.stock_items.count() == 7 and StockTransaction.objects.filter(part=part).count() == 13
    )
    assert [queries_for(manager_page, url) for url in urls] == small
    assert small[0] < small[1]  # the page alone does not read the ledger


# --- Stock actions --------------------------------------------------------------------------------


def test_restock_with_htmx_answers_in_its_panel_and_refreshes_figures_and_ledger(
    manager_page, part, store
):
    response = manager_page.post(
        f"/parts/{part.pk}/restock/",
        {
            "quantity": "5",
            "cost": "6.00",
            "location": store.yard.pk,
            "batch": "B7",
            "note": "PO 12",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    panel = root(response)
    assert panel["data-testid"] == "restock-panel"
    notice = by_testid(panel, "action-notice")
    assert notice["role"] == "status" and text(notice) == "Restocked 5 pcs; 15 on hand."
    assert figure(response, "part-on-hand") == "15"
    assert figure(response, "part-avg-cost") == "5.00"  # (10 x 4.50 + 5 x 6) / 15
    newest = all_by_testid(response, "ledger-row")[0]
    assert text(by_testid(newest, "ledger-quantity")) == "+5"
    assert text(by_testid(newest, "ledger-balance")) == "15"
    assert on_hand(part) == 15
    assert ledger(part)[-1] == ("restock", Decimal("5"), Decimal("15"))
    assert StockItem.objects.get(part=part, location=store.yard).batch == "B7"


def test_restock_without_htmx_redirects_to_the_part(manager_page, part):
    response = manager_page.post(f"/parts/{part.pk}/restock/", {"quantity": "2", "cost": "1"})
    assert response.status_code == 302 and response["Location"] == f"/parts/{part.pk}/"
    assert on_hand(part) == 12
    page = html(manager_page.get(response["Location"]))
    messages = page.find("div", class_="messages", attrs={"role": "status"})
    assert text(messages) == "Restocked 2 pcs; 12 on hand."
    assert figure(page, "part-on-hand") == "12"


def test_reconcile_unit_and_average_cost_go_through_the_ledger(manager_page, part):
    url = f"/parts/{part.pk}/"
    item = part.stock_items.get()
    r = manager_page.post(
        url + "reconcile/", {f"count_{item.pk}": "7", "note": "cycle count"}, headers=HTMX
    )
    assert figure(r, "part-on-hand") == "7"
    r = manager_page.post(url + "unit-cost/", {"cost": "5.25", "note": "invoice"}, headers=HTMX)
    assert figure(r, "part-unit-cost") == "5.25"
    r = manager_page.post(url + "avg-cost/", {"cost": "4.00"}, headers=HTMX)
    assert figure(r, "part-avg-cost") == "4.00"
    assert [row[0] for row in ledger(part)] == ["restock", "reconcile", "unit_cost", "avg_cost"]
    assert ledger(part)[1] == ("reconcile", Decimal("-3"), Decimal("7"))


def test_transfer_form_opens_for_a_row_and_moves_stock(manager_page, part, store):
    item = part.stock_items.get()
    opened = manager_page.get(f"/parts/{part.pk}/transfer/?item={item.pk}", headers=HTMX)
    form = by_testid(root(opened), "transfer-form")
    assert form["hx-post"] == f"/parts/{part.pk}/transfer/"
    chosen = form.find("select", attrs={"name": "stock_item"}).find("option", selected=True)
    assert chosen["value"] == str(item.pk)
    response = manager_page.post(
        f"/parts/{part.pk}/transfer/",
        {"stock_item": item.pk, "location": store.yard.pk, "quantity": "4"},
        headers=HTMX,
    )
    assert text(by_testid(response, "action-notice")) == "Moved 4 pcs to Yard."
    assert StockItem.objects.get(part=part, location=store.yard).quantity == 4
    assert on_hand(part) == 10
    assert ledger(part)[-2:] == [
        ("transfer", Decimal("-4"), Decimal("10")),
        ("transfer", Decimal("4"), Decimal("10")),
    ]


def test_scrap_needs_a_reason_and_writes_the_stock_off(manager_page, part):
    item = part.stock_items.get()
    url = f"/parts/{part.pk}/scrap/"
    refused = manager_page.post(url, {"stock_item": item.pk, "quantity": "2"}, headers=HTMX)
    assert field_error(refused, f"id_scrap_{item.pk}_note") == "This field is required."
    assert on_hand(part) == 10 and ledger(part) == [("restock", Decimal("10"), Decimal("10"))]
    done = manager_page.post(
        url, {"stock_item": item.pk, "quantity": "2", "note": "cracked"}, headers=HTMX
    )
    assert figure(done, "part-on-hand") == "8"
    assert ledger(part)[-1] == ("scrap", Decimal("-2"), Decimal("8"))


BAD_INPUT = [
    # (action, data, field, message)
    ("restock", {"quantity": "0", "cost": "1"}, "quantity", "greater than zero"),
    ("restock", {"quantity": "-2", "cost": "1"}, "quantity", "greater than zero"),
    ("restock", {"quantity": "lots", "cost": "1"}, "quantity", "Enter a number."),
    ("restock", {"quantity": "1.2345", "cost": "1"}, "quantity", "no more than 3 decimal places"),
    ("restock", {"quantity": "1", "cost": "1.999"}, "cost", "no more than 2 decimal places"),
    ("restock", {"quantity": "1", "cost": "-1"}, "cost", "cannot be negative"),
    ("reconcile", {"quantity": "-1", "note": ""}, "note", "This field is required."),
    ("reconcile", {"quantity": "-1", "note": "   "}, "note", "This field is required."),
    # (Reconcile by count: the count lines' own errors are in tests/inventory/test_counts.py.)
    ("reconcile", {"location": "", "found": "-1", "note": "count"}, "location", "Choose where"),
    ("unit-cost", {"cost": "abc"}, "cost", "Enter a number."),
    ("avg-cost", {"cost": "1.001"}, "cost", "no more than 2 decimal places"),
]


@pytest.mark.parametrize(("action", "data", "field", "message"), BAD_INPUT)
def test_bad_input_re_renders_only_that_form_with_the_error_at_the_field(
    manager_page, part, action, data, field, message
):
    before_ledger, before_items = ledger(part), list(StockItem.objects.values_list("quantity"))
    response = manager_page.post(f"/parts/{part.pk}/{action}/", data, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert root(response)["data-testid"] == f"{action}-panel"
    assert not all_by_testid(response, "action-notice")
    assert not all_by_testid(response, "part-figures")  # nothing changed, nothing to refresh
    field_id = f"id_{action.replace('-', '_')}_{field}"
    assert message in field_error(response, field_id)  # right under its input
    assert by_id(response, field_id)["aria-invalid"] == "true"
    assert ledger(part) == before_ledger
    assert list(StockItem.objects.values_list("quantity")) == before_items


def test_a_count_below_zero_at_another_location_is_refused_at_the_field(manager_page, part, store):
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/",
        {"found": "-1", "note": "count", "location": store.yard.pk},
        headers=HTMX,
    )
    assert field_error(response, "id_reconcile_found") == "A count cannot be below zero."
    assert ledger(part) == [("restock", Decimal("10"), Decimal("10"))]


def test_bad_input_without_htmx_shows_the_form_page_with_errors(manager_page, part):
    response = manager_page.post(f"/parts/{part.pk}/restock/", {"quantity": "0", "cost": "1"})
    assert response.status_code == 200 and is_full_page(response)
    by_testid(response, "restock-form")
    assert "greater than zero" in field_error(response, "id_restock_quantity")
    assert ledger(part) == [("restock", Decimal("10"), Decimal("10"))]


# --- Create and edit ------------------------------------------------------------------------------


def vendor_rows(*rows, total=None) -> dict:
    data = {
        "vendors-TOTAL_FORMS": str(total or max(len(rows), 1)),
        "vendors-INITIAL_FORMS": "0",
        "vendors-MIN_NUM_FORMS": "0",
        "vendors-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"vendors-{i}-{key}"] = value
    return data


def test_create_a_part_with_opening_stock_and_a_vendor(manager_page, site, manager_user, store):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    response = manager_page.post(
        "/parts/new/",
        {
            "name": "Drive belt",
            "number": "DB-1",
            "units": "pcs",
            "min_qty": "2",
            "desired_qty": "6",
            "lead_time": "7",
            "active": "on",
            "on_hand_qty": "4",
            "unit_cost": "12.50",
            "location": store.building.pk,
            "generate_qr_code": "on",
            **vendor_rows({"vendor": acme.pk, "vendor_part_number": "AC-DB", "is_preferred": "on"}),
        },
    )
    part = Part.objects.get(site=site, number="DB-1")
    assert response.status_code == 302 and response["Location"] == f"/parts/{part.pk}/"
    assert (part.name, part.min_qty, part.desired_qty, part.lead_time) == ("Drive belt", 2, 6, 7)
    assert on_hand(part) == 4 and part.avg_unit_cost == Decimal("12.50") and part.qr_code
    assert ledger(part) == [("restock", Decimal("4"), Decimal("4"))]
    assert part.stock_items.get().location == store.building
    link = PartVendor.objects.get(part=part)
    assert (link.vendor, link.vendor_part_number, link.is_preferred) == (acme, "AC-DB", True)


def test_create_errors_show_at_their_fields(manager_page, part):
    response = manager_page.post(
        "/parts/new/",
        {"name": "Copy", "number": "fl-100", "units": "pcs", "min_qty": "1.23456", **vendor_rows()},
    )
    assert response.status_code == 200
    assert "no more than 3 decimal places" in field_error(response, "id_min_qty")
    assert Part.objects.count() == 1
    # Shape is fine now; the service refuses the duplicate number, at the number field.
    response = manager_page.post(
        "/parts/new/", {"name": "Copy", "number": "fl-100", "units": "pcs", **vendor_rows()}
    )
    assert "is already used" in field_error(response, "id_number")
    assert Part.objects.count() == 1


def test_two_preferred_vendors_are_refused_above_the_vendor_rows(manager_page, site, manager_user):
    a = services.vendor_create(site=site, by=manager_user, name="A")
    b = services.vendor_create(site=site, by=manager_user, name="B")
    response = manager_page.post(
        "/parts/new/",
        {
            "name": "Seal",
            "units": "pcs",
            **vendor_rows(
                {"vendor": a.pk, "is_preferred": "on"}, {"vendor": b.pk, "is_preferred": "on"}
            ),
        },
    )
    errors = by_testid(by_testid(response, "vendor-links"), "vendor-link-errors")
    assert errors["role"] == "alert" and text(errors) == "Only one vendor can be preferred."
    assert not Part.objects.filter(name="Seal").exists()


def test_edit_changes_settings_and_vendors_but_offers_no_quantity_or_cost(
    manager_page, part, site, manager_user
):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    form = by_testid(manager_page.get(f"/parts/{part.pk}/edit/"), "part-form")
    for name in ("on_hand_qty", "unit_cost", "is_non_stock"):
        assert form.find(attrs={"name": name}) is None, name
    assert form.find("input", attrs={"name": "number"})["value"] == "FL-100"
    response = manager_page.post(
        f"/parts/{part.pk}/edit/",
        {
            "name": "Air filter XL",
            "number": "FL-100",
            "units": "pcs",
            "min_qty": "8",
            "desired_qty": "30",
            "lead_time": "3",
            "active": "on",
            "qr_code": part.qr_code,
            # Posted anyway: ignored, the edit form has no such fields.
            "on_hand_qty": "999",
            "unit_cost": "0.01",
            **vendor_rows({"vendor": acme.pk, "vendor_part_number": "X1", "is_preferred": "on"}),
        },
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.name == "Air filter XL" and part.min_qty == 8 and part.lead_time == 3
    assert on_hand(part) == 10 and part.unit_cost == Decimal("4.50")
    assert part.vendor_links.get().vendor == acme


def test_edit_removes_a_vendor_row_ticked_remove(manager_page, part, site, manager_user):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    services.part_update(part=part, by=manager_user, vendors=[{"vendor": acme}])
    row = all_by_testid(manager_page.get(f"/parts/{part.pk}/edit/"), "vendor-link-row")[0]
    vendor = row.find("select", attrs={"name": "vendors-0-vendor"})
    assert vendor.find("option", selected=True)["value"] == str(acme.pk)
    assert row.find("input", attrs={"name": "vendors-0-DELETE", "type": "checkbox"})
    data = {"name": part.name, "number": part.number, "units": "pcs", "active": "on"}
    data.update(vendor_rows({"vendor": acme.pk, "DELETE": "on"}))
    data["vendors-INITIAL_FORMS"] = "1"
    assert manager_page.post(f"/parts/{part.pk}/edit/", data).status_code == 302
    assert not part.vendor_links.exists()


def test_part_page_links_to_its_printable_label(tech_page, part):
    link = by_testid(tech_page.get(f"/parts/{part.pk}/"), "part-label")
    assert link.name == "a" and link["href"] == f"/parts/{part.pk}/label/"


# --- Roles and site isolation ---------------------------------------------------------------------

WRITE_URLS = [
    ("get", "/parts/new/"),
    ("post", "/parts/new/"),
    ("get", "/parts/{pk}/edit/"),
    ("post", "/parts/{pk}/edit/"),
    *[("post", f"/parts/{{pk}}/{a}/") for a in ("restock", "reconcile", "unit-cost", "avg-cost")],
    *[("post", f"/parts/{{pk}}/{a}/") for a in ("transfer", "scrap")],
    ("get", "/parts/{pk}/restock/"),
    ("get", "/parts/{pk}/transfer/?item={item}"),
]


@pytest.mark.parametrize(("method", "url"), WRITE_URLS)
def test_technicians_cannot_write(tech_page, part, method, url):
    item = part.stock_items.get()
    before = (ledger(part), Part.objects.values_list("name", "min_qty").get(pk=part.pk))
    data = {"name": "X", "quantity": "1", "cost": "1", "note": "n", "stock_item": item.pk}
    url = url.format(pk=part.pk, item=item.pk)
    response = getattr(tech_page, method)(url, data if method == "post" else None)
    assert response.status_code == 403
    assert (ledger(part), Part.objects.values_list("name", "min_qty").get(pk=part.pk)) == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/parts/{pk}/"),
        ("get", "/parts/{pk}/?ledger_page=1"),
        *[u for u in WRITE_URLS if "{pk}" in u[1]],
        ("get", "/parts/{pk}/scrap/?item={item}"),
    ],
)
def test_another_sites_part_does_not_exist(manager_page, foreign_part, foreign_item, method, url):
    before = ledger(foreign_part)
    data = {"name": "X", "quantity": "1", "cost": "1", "note": "n", "stock_item": foreign_item.pk}
    url = url.format(pk=foreign_part.pk, item=foreign_item.pk)
    response = getattr(manager_page, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert ledger(foreign_part) == before
    assert Part.objects.get(pk=foreign_part.pk).name == "Their filter"


@pytest.mark.parametrize("action", ["transfer", "scrap"])
def test_another_sites_stock_item_does_not_exist_on_my_part(
    manager_page, part, store, foreign_item, action
):
    data = {"stock_item": foreign_item.pk, "location": store.yard.pk, "quantity": "1", "note": "n"}
    response = manager_page.post(f"/parts/{part.pk}/{action}/", data, headers=HTMX)
    assert response.status_code == 404
    assert manager_page.get(f"/parts/{part.pk}/{action}/?item={foreign_item.pk}").status_code == 404
    foreign_item.refresh_from_db()
    assert foreign_item.quantity == 4


def test_another_sites_location_is_not_a_restock_target(manager_page, part, foreign_location):
    response = manager_page.post(
        f"/parts/{part.pk}/restock/",
        {"quantity": "1", "cost": "1", "location": foreign_location.pk},
        headers=HTMX,
    )
    assert "Select a valid choice" in field_error(response, "id_restock_location")
    assert not StockItem.objects.filter(location=foreign_location, part=part).exists()
    assert ledger(part) == [("restock", Decimal("10"), Decimal("10"))]


def test_a_member_of_both_sites_sees_only_the_current_sites_part(part, foreign_part, other_site):
    user = UserFactory(username="both")
    MembershipFactory(user=user, site=part.site, role=Role.MANAGER)
    MembershipFactory(user=user, site=other_site, role=Role.MANAGER)
    client = page_client(user)
    client.post("/site/switch/", {"site": other_site.pk})
    assert client.get(f"/parts/{part.pk}/").status_code == 404
    theirs = client.get(f"/parts/{foreign_part.pk}/")
    assert theirs.status_code == 200 and figure(theirs, "part-name") == "Their filter"
