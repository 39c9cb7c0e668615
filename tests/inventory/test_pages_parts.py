"""Part pages: the list with live search and filters, the part page with its figures, stock and
ledger, the stock actions posted with HTMX (refusals inline, nothing written), create and edit,
constant query counts, site isolation and roles."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from inventory import services
from inventory.models import Part, PartVendor, StockItem, StockTransaction
from tests.factories import LocationFactory, MembershipFactory, UserFactory
from tests.pages import HTMX, page_client


@pytest.fixture
def store(site):
    return LocationFactory(site=site, name="Store")


@pytest.fixture
def line(site):
    return LocationFactory(site=site, name="Line 1")


@pytest.fixture
def make_part(site, manager_user, store):
    def make(name="Air filter", **fields):
        fields.setdefault("on_hand_qty", "10")
        fields.setdefault("unit_cost", "4.50")
        fields.setdefault("location", store)
        return services.part_create(site=site, by=manager_user, name=name, **fields)

    return make


@pytest.fixture
def part(make_part, store):
    return make_part(number="FL-100", min_qty="5", desired_qty="20", default_location=store)


@pytest.fixture
def foreign(other_site, other_site_user):
    """A part with stock and a vendor at ``other_site``: never reachable from ``site``."""
    hall = LocationFactory(site=other_site, name="Foreign Hall")
    vendor = services.vendor_create(site=other_site, by=other_site_user, name="Foreign Supply")
    part = services.part_create(
        site=other_site, by=other_site_user, name="Foreign bolt", on_hand_qty="3", location=hall
    )
    return type(
        "Foreign",
        (),
        {"part": part, "vendor": vendor, "location": hall, "item": part.stock_items.get()},
    )


def on_hand(part) -> Decimal:
    return services.on_hand_of(part)


def ledger(part) -> list[tuple]:
    return list(
        StockTransaction.objects.filter(part=part)
        .order_by("pk")
        .values_list("type", "quantity", "on_hand_after")
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


# --- Parts list -----------------------------------------------------------------------------------


def test_list_shows_each_part_with_its_figures(tech_page, part):
    html = tech_page.get("/parts/").content.decode()
    assert "<html" in html
    assert f'href="/parts/{part.pk}/"' in html and "FL-100" in html
    row = html[html.index(f'data-part-id="{part.pk}"') :]
    assert ">10<" in row[:2000]  # on hand and available
    assert "4.50 / 4.50" in row[:2000]


def test_htmx_request_gets_only_the_table(tech_page, part):
    response = tech_page.get("/parts/", {"q": "air"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="part-table"')
    assert "<html" not in html and 'data-testid="part-filters"' not in html
    assert "HX-Request" in response["Vary"]


def test_search_finds_by_name_number_and_vendor_part_number(
    tech_page, make_part, site, manager_user
):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    make_part("Air filter", number="FL-1")
    make_part("V-belt", number="VB-7", vendors=[{"vendor": acme, "vendor_part_number": "AC-99"}])
    make_part("Grease")

    def names(q):
        html = tech_page.get("/parts/", {"q": q}, headers=HTMX).content.decode()
        return {n for n in ("Air filter", "V-belt", "Grease") if n in html}

    assert names("filter") == {"Air filter"}
    assert names("vb-7") == {"V-belt"}
    assert names("AC-99") == {"V-belt"}
    assert names("") == {"Air filter", "V-belt", "Grease"}


def test_low_stock_filter_lists_only_low_parts_and_flags_them(tech_page, make_part):
    low = make_part("Bearing", on_hand_qty="1", min_qty="4")
    make_part("Gasket", on_hand_qty="9", min_qty="4")
    html = tech_page.get("/parts/", {"low_stock": "on"}, headers=HTMX).content.decode()
    assert "Bearing" in html and "Gasket" not in html
    row = html[html.index(f'data-part-id="{low.pk}"') - 200 :]
    assert 'class="is-low"' in row[:400]
    assert 'data-testid="low-stock-flag"' in row and "Low stock" in row


def test_inactive_parts_are_hidden_until_asked_for(tech_page, make_part):
    make_part("Old seal", active=False)
    make_part("New seal")
    assert "Old seal" not in tech_page.get("/parts/").content.decode()
    assert "Old seal" in tech_page.get("/parts/", {"active": ""}).content.decode()
    only_inactive = tech_page.get("/parts/", {"active": "false"}).content.decode()
    assert "Old seal" in only_inactive and "New seal" not in only_inactive


def test_list_pages_by_fifty_and_htmx_pages_swap_the_table(tech_page, site, manager_user):
    for i in range(55):
        services.part_create(site=site, by=manager_user, name=f"Part {i:02d}")
    first = tech_page.get("/parts/").content.decode()
    assert first.count('data-testid="part-row"') == 50
    assert 'hx-get="?page=2"' in first and 'hx-target="#part-table"' in first
    second = tech_page.get("/parts/", {"page": "2"}, headers=HTMX).content.decode()
    assert second.lstrip().startswith('<div id="part-table"')
    assert second.count('data-testid="part-row"') == 5


def test_list_never_shows_another_sites_parts(tech_page, part, foreign):
    html = tech_page.get("/parts/", {"active": ""}).content.decode()
    assert "Foreign bolt" not in html
    assert "Foreign Supply" not in html  # not even in the vendor filter


def test_list_queries_do_not_grow_with_the_number_of_parts(
    tech_page, site, manager_user, store, line
):
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
                location=store,
                min_qty="5",
                vendors=[{"vendor": acme, "is_preferred": True}],
                default_location=line,
            )

    tech_page.get("/parts/")
    grow(5)
    small = queries(tech_page, "/parts/")
    grow(5)
    assert queries(tech_page, "/parts/") == small
    assert queries(tech_page, "/parts/?low_stock=on&q=filt") <= small + 1


def test_managers_get_a_new_part_button_technicians_do_not(tech_page, manager_page):
    assert 'data-testid="part-new"' not in tech_page.get("/parts/").content.decode()
    assert 'data-testid="part-new"' in manager_page.get("/parts/").content.decode()


# --- Part page ------------------------------------------------------------------------------------


def test_part_page_shows_figures_stock_and_ledger(tech_page, part, site, manager_user):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    services.part_update(
        part=part,
        by=manager_user,
        vendors=[{"vendor": acme, "vendor_part_number": "AC-1", "is_preferred": True}],
    )
    html = tech_page.get(f"/parts/{part.pk}/").content.decode()
    assert 'data-testid="part-number">FL-100<' in html
    assert 'data-testid="part-on-hand">10<' in html
    assert 'data-testid="part-available">10<' in html
    assert 'data-testid="part-min">5<' in html and 'data-testid="part-desired">20<' in html
    assert 'data-testid="part-avg-cost">4.50<' in html
    assert f'data-testid="part-qr"><code>{part.qr_code}<' in html
    assert "Acme" in html and "AC-1" in html
    assert html.count('data-testid="stock-row"') == 1 and "Store" in html
    assert html.count('data-testid="ledger-row"') == 1
    assert "Opening stock" in html and 'data-testid="ledger-balance">10<' in html


def test_ledger_dates_are_shown_in_the_site_time_zone(tech_page, part, site):
    site.time_zone = "Asia/Tokyo"
    site.save()
    row = StockTransaction.objects.get(part=part)
    StockTransaction.objects.filter(pk=row.pk).update(
        created_at=row.created_at.replace(
            year=2024, month=1, day=1, hour=23, minute=30, second=0, microsecond=0
        )
    )
    html = tech_page.get(f"/parts/{part.pk}/").content.decode()
    assert 'datetime="2024-01-02T08:30:00+09:00"' in html


def test_technicians_see_no_stock_actions(tech_page, part):
    html = tech_page.get(f"/parts/{part.pk}/").content.decode()
    assert 'data-testid="restock-form"' not in html
    assert 'data-testid="stock-transfer"' not in html
    assert 'data-testid="part-edit"' not in html


def test_managers_see_every_stock_action(manager_page, part):
    html = manager_page.get(f"/parts/{part.pk}/").content.decode()
    for name in ("restock", "reconcile", "unit-cost", "avg-cost"):
        assert f'data-testid="{name}-form"' in html
        assert f'hx-post="/parts/{part.pk}/{name}/"' in html
    item = part.stock_items.get()
    assert f'hx-get="/parts/{part.pk}/transfer/?item={item.pk}"' in html
    assert f'hx-get="/parts/{part.pk}/scrap/?item={item.pk}"' in html
    # The restock location starts at the part's default location.
    assert f'<option value="{part.default_location_id}" selected>' in html


def test_non_stock_parts_offer_only_the_cost_actions(manager_page, make_part):
    part = make_part("Rag", on_hand_qty="0", is_non_stock=True)
    html = manager_page.get(f"/parts/{part.pk}/").content.decode()
    assert 'data-testid="restock-form"' not in html and 'data-testid="unit-cost-form"' in html
    assert "no stock is kept" in html


def test_htmx_ledger_paging_swaps_only_the_ledger(tech_page, part, manager_user):
    for _ in range(30):
        services.part_restock(part=part, by=manager_user, quantity="1", cost="1")
    html = tech_page.get(f"/parts/{part.pk}/").content.decode()
    assert html.count('data-testid="ledger-row"') == 25
    assert 'data-testid="ledger-balance">40<' in html  # newest first
    older = tech_page.get(f"/parts/{part.pk}/", {"ledger_page": "2"}, headers=HTMX)
    body = older.content.decode()
    assert body.lstrip().startswith('<section id="part-ledger"')
    assert body.count('data-testid="ledger-row"') == 6
    assert "Opening stock" in body


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

    url = f"/parts/{part.pk}/"
    manager_page.get(url)
    grow(3)
    small = queries(manager_page, url)
    grow(3)
    assert (
        part.stock_items.count() == 7 and StockTransaction.objects.filter(part=part).count() == 13
    )
    assert queries(manager_page, url) == small


# --- Stock actions --------------------------------------------------------------------------------


def test_restock_with_htmx_updates_figures_and_adds_a_ledger_row(manager_page, part, line):
    response = manager_page.post(
        f"/parts/{part.pk}/restock/",
        {"quantity": "5", "cost": "6.00", "location": line.pk, "batch": "B7", "note": "PO 12"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#part-stock" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="part-stock"')
    assert 'data-testid="part-on-hand">15<' in html
    assert 'data-testid="part-avg-cost">5.00<' in html  # (10 x 4.50 + 5 x 6) / 15
    assert "Restocked 5 pcs; 15 on hand." in html
    newest = html[html.index('data-testid="ledger-row"') :]
    assert "+5" in newest[:1500] and 'data-testid="ledger-balance">15<' in newest[:1500]
    assert on_hand(part) == 15
    assert ledger(part)[-1] == ("restock", Decimal("5"), Decimal("15"))
    assert StockItem.objects.get(part=part, location=line).batch == "B7"


def test_restock_without_htmx_redirects_to_the_part(manager_page, part):
    response = manager_page.post(f"/parts/{part.pk}/restock/", {"quantity": "2", "cost": "1"})
    assert response.status_code == 302 and response["Location"] == f"/parts/{part.pk}/"
    assert on_hand(part) == 12
    page = manager_page.get(response["Location"]).content.decode()
    assert "Restocked 2 pcs; 12 on hand." in page


def test_reconcile_unit_and_average_cost_go_through_the_ledger(manager_page, part):
    url = f"/parts/{part.pk}/"
    r = manager_page.post(
        url + "reconcile/", {"quantity": "-3", "note": "cycle count"}, headers=HTMX
    )
    assert 'data-testid="part-on-hand">7<' in r.content.decode()
    r = manager_page.post(url + "unit-cost/", {"cost": "5.25", "note": "invoice"}, headers=HTMX)
    assert 'data-testid="part-unit-cost">5.25<' in r.content.decode()
    r = manager_page.post(url + "avg-cost/", {"cost": "4.00"}, headers=HTMX)
    assert 'data-testid="part-avg-cost">4.00<' in r.content.decode()
    assert [row[0] for row in ledger(part)] == ["restock", "reconcile", "unit_cost", "avg_cost"]
    assert ledger(part)[1] == ("reconcile", Decimal("-3"), Decimal("7"))


def test_transfer_form_opens_for_a_row_and_moves_stock(manager_page, part, line):
    item = part.stock_items.get()
    form = manager_page.get(f"/parts/{part.pk}/transfer/?item={item.pk}", headers=HTMX)
    html = form.content.decode()
    assert html.lstrip().startswith(f'<form id="transfer-form-{item.pk}"')
    assert f'<option value="{item.pk}" selected>' in html
    response = manager_page.post(
        f"/parts/{part.pk}/transfer/",
        {"stock_item": item.pk, "location": line.pk, "quantity": "4"},
        headers=HTMX,
    )
    assert "Moved 4 pcs to Line 1." in response.content.decode()
    assert StockItem.objects.get(part=part, location=line).quantity == 4
    assert on_hand(part) == 10
    assert ledger(part)[-2:] == [
        ("transfer", Decimal("-4"), Decimal("10")),
        ("transfer", Decimal("4"), Decimal("10")),
    ]


def test_scrap_needs_a_reason_and_writes_the_stock_off(manager_page, part):
    item = part.stock_items.get()
    url = f"/parts/{part.pk}/scrap/"
    refused = manager_page.post(url, {"stock_item": item.pk, "quantity": "2"}, headers=HTMX)
    assert 'id="id_scrap_' in refused.content.decode() and on_hand(part) == 10
    done = manager_page.post(
        url, {"stock_item": item.pk, "quantity": "2", "note": "cracked"}, headers=HTMX
    )
    assert 'data-testid="part-on-hand">8<' in done.content.decode()
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
    ("reconcile", {"quantity": "-99", "note": "count"}, "quantity", "cannot go below zero"),
    ("reconcile", {"quantity": "0", "note": "count"}, "quantity", "cannot be zero"),
    ("reconcile", {"quantity": "two", "note": "count"}, "quantity", "Enter a number."),
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
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="{action}-form"')
    field_id = f"id_{action.replace('-', '_')}_{field}"
    error_at = html.index(f'id="{field_id}_error"')
    assert html.index(f'id="{field_id}"') < error_at  # right under its input
    assert message in html[error_at : error_at + 300]
    assert 'aria-invalid="true"' in html
    assert ledger(part) == before_ledger
    assert list(StockItem.objects.values_list("quantity")) == before_items


def test_reconcile_at_a_location_without_stock_is_refused_at_the_field(manager_page, part, line):
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/",
        {"quantity": "-1", "note": "count", "location": line.pk},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "There is no stock of this part there." in html
    assert ledger(part)[-1][0] == "restock"


def test_bad_input_without_htmx_shows_the_form_page_with_errors(manager_page, part):
    response = manager_page.post(f"/parts/{part.pk}/restock/", {"quantity": "0", "cost": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    form = html[html.index('<form id="restock-form"') :]
    assert "greater than zero" in form and "hx-post" not in form[: form.index(">")]


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
            "location": store.pk,
            "generate_qr_code": "on",
            **vendor_rows({"vendor": acme.pk, "vendor_part_number": "AC-DB", "is_preferred": "on"}),
        },
    )
    part = Part.objects.get(site=site, number="DB-1")
    assert response.status_code == 302 and response["Location"] == f"/parts/{part.pk}/"
    assert on_hand(part) == 4 and part.avg_unit_cost == Decimal("12.50") and part.qr_code
    assert ledger(part) == [("restock", Decimal("4"), Decimal("4"))]
    link = PartVendor.objects.get(part=part)
    assert (link.vendor, link.vendor_part_number, link.is_preferred) == (acme, "AC-DB", True)


def test_create_errors_show_at_their_fields(manager_page, part):
    response = manager_page.post(
        "/parts/new/",
        {"name": "Copy", "number": "fl-100", "units": "pcs", "min_qty": "1.23456", **vendor_rows()},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "no more than 3 decimal places" in html
    assert Part.objects.count() == 1
    # Shape is fine now; the service refuses the duplicate number, at the number field.
    response = manager_page.post(
        "/parts/new/", {"name": "Copy", "number": "fl-100", "units": "pcs", **vendor_rows()}
    )
    html = response.content.decode()
    error_at = html.index('id="id_number_error"')
    assert "is already used" in html[error_at : error_at + 200]
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
    html = response.content.decode()
    assert (
        'data-testid="vendor-link-errors"' in html and "Only one vendor can be preferred." in html
    )
    assert not Part.objects.filter(name="Seal").exists()


def test_edit_changes_settings_and_vendors_but_offers_no_quantity_or_cost(
    manager_page, part, site, manager_user
):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    form = manager_page.get(f"/parts/{part.pk}/edit/").content.decode()
    assert 'name="on_hand_qty"' not in form and 'name="unit_cost"' not in form
    assert 'name="is_non_stock"' not in form and 'value="FL-100"' in form
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
def test_another_sites_part_does_not_exist(manager_page, foreign, method, url):
    part, item = foreign.part, foreign.item
    data = {"name": "X", "quantity": "1", "cost": "1", "note": "n", "stock_item": item.pk}
    url = url.format(pk=part.pk, item=item.pk)
    response = getattr(manager_page, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert ledger(part) == [("restock", Decimal("3"), Decimal("3"))]


@pytest.mark.parametrize("action", ["transfer", "scrap"])
def test_another_sites_stock_item_does_not_exist_on_my_part(
    manager_page, part, line, foreign, action
):
    data = {"stock_item": foreign.item.pk, "location": line.pk, "quantity": "1", "note": "n"}
    response = manager_page.post(f"/parts/{part.pk}/{action}/", data, headers=HTMX)
    assert response.status_code == 404
    assert manager_page.get(f"/parts/{part.pk}/{action}/?item={foreign.item.pk}").status_code == 404
    foreign.item.refresh_from_db()
    assert foreign.item.quantity == 3


def test_another_sites_location_is_not_a_restock_target(manager_page, part, foreign):
    response = manager_page.post(
        f"/parts/{part.pk}/restock/",
        {"quantity": "1", "cost": "1", "location": foreign.location.pk},
        headers=HTMX,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not StockItem.objects.filter(location=foreign.location, part=part).exists()


def test_a_member_of_both_sites_sees_only_the_current_sites_part(part, foreign, other_site):
    user = UserFactory(username="both")
    MembershipFactory(user=user, site=part.site, role=Role.MANAGER)
    MembershipFactory(user=user, site=other_site, role=Role.MANAGER)
    client = page_client(user)
    client.post("/site/switch/", {"site": other_site.pk})
    assert client.get(f"/parts/{part.pk}/").status_code == 404
    assert client.get(f"/parts/{foreign.part.pk}/").status_code == 200


def test_part_page_links_to_its_printable_label(tech_page, part):
    html = tech_page.get(f"/parts/{part.pk}/").content.decode()
    assert f'href="/parts/{part.pk}/label/" data-testid="part-label"' in html


def test_edit_removes_a_vendor_row_ticked_remove(manager_page, part, site, manager_user):
    acme = services.vendor_create(site=site, by=manager_user, name="Acme")
    services.part_update(part=part, by=manager_user, vendors=[{"vendor": acme}])
    form = manager_page.get(f"/parts/{part.pk}/edit/").content.decode()
    assert f'<option value="{acme.pk}" selected>' in form and "Remove" in form
    data = {"name": part.name, "number": part.number, "units": "pcs", "active": "on"}
    data.update(vendor_rows({"vendor": acme.pk, "DELETE": "on"}))
    data["vendors-INITIAL_FORMS"] = "1"
    assert manager_page.post(f"/parts/{part.pk}/edit/", data).status_code == 302
    assert not part.vendor_links.exists()
