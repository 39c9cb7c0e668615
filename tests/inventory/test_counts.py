"""Counting stock as people count (``inventory.services.counts`` and its pages).

- booking counts: each counted stock item moves to the counted quantity with one ``reconcile``
  row per item that changed; a count equal to the stock books nothing; counts below zero, bad
  numbers, stock counted twice and a missing reason are refused on their own fields and write
  nothing; the ledger sums to on-hand whatever is counted (hypothesis);
- counts reported for a manager: pending with what the system held; confirming books
  ``counted - expected`` (also after other movements), rejecting needs a reason; each count is
  decided once, by a manager;
- the site's counting policy: technicians reconcile only where the site's admin allows it;
- the pages: the count panel with one "counted" input per stock item, the success message that
  states what was booked, the technician's "Report a count", the counts to confirm, the
  counting settings, and scrap's explicit quantity or "Scrap all N pcs";
- PostgreSQL: a count is confirmed once under concurrent confirmations, and a count waits for
  the part's lock and books against what the other writer committed.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import NON_FIELD, ServiceError
from core.models import Site
from inventory import services
from inventory.models import (
    CountStatus,
    StockCount,
    StockItem,
    StockTransaction,
    TransactionType,
)
from inventory.services import Counted
from tests.factories import LocationFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    field_error,
    html,
    in_parallel,
    is_full_page,
    item_at,
    ledger,
    on_hand,
    race,
    root,
    split,
    text,
    texts_by_testid,
)
from tests.inventory.factories import StockItemFactory, reported_count, stocked_part

D = Decimal


# --- Helpers and fixtures -------------------------------------------------------------------------


@pytest.fixture
def spread(part, manager_user, store):
    """``part`` (10 on Shelf A) also stocked in Bin 1 (5) and the Yard (3): three items."""
    services.part_restock(part=part, by=manager_user, quantity="5", cost="5", location=store.bin)
    services.part_restock(part=part, by=manager_user, quantity="3", cost="5", location=store.yard)
    return part


def assert_ledger_is_on_hand(part) -> None:
    total = sum(StockTransaction.objects.filter(part=part).values_list("quantity", flat=True), D(0))
    assert total == services.on_hand_of(part) == on_hand(part)


def allow_technicians(site, admin_user, value=True) -> None:
    services.site_counting_set(site=site, by=admin_user, technicians_may_reconcile=value)


# --- Booking counts -------------------------------------------------------------------------------


def test_counts_book_each_items_difference_as_one_row_per_changed_item(spread, manager_user, store):
    shelf, bin_, yard = (item_at(spread, loc) for loc in (store.shelf, store.bin, store.yard))
    outcome = services.part_counts_apply(
        part=spread,
        by=manager_user,
        counts=[
            Counted("12", stock_item=shelf),
            Counted("3", stock_item=bin_),
            Counted("3", stock_item=yard),
        ],
        note="cycle count",
    )
    assert [(line.before, line.counted, line.delta) for line in outcome.lines] == [
        (D(10), D(12), D(2)),
        (D(5), D(3), D(-2)),
        (D(3), D(3), D(0)),
    ]
    assert outcome.on_hand == D(18)
    assert ledger(spread)[-2:] == [("reconcile", D(2), D(20)), ("reconcile", D(-2), D(18))]
    assert [r.stock_item_id for r in outcome.rows] == [shelf.pk, bin_.pk]
    assert {r.note for r in outcome.rows} == {"cycle count"}
    assert (item_at(spread, store.shelf).quantity, item_at(spread, store.bin).quantity) == (12, 3)
    assert_ledger_is_on_hand(spread)


def test_a_count_equal_to_the_stock_books_nothing(part, manager_user, snapshot):
    before = snapshot(part)
    outcome = services.part_counts_apply(
        part=part, by=manager_user, counts=[Counted("10")], note="all good"
    )
    assert outcome.changed == [] and outcome.rows == [] and outcome.on_hand == 10
    assert snapshot(part) == before


@pytest.mark.parametrize(
    ("counted", "message"),
    [
        ("-1", "A count cannot be below zero."),
        ("-0.001", "A count cannot be below zero."),
        ("many", "Enter a number."),
        ("1.2345", "Ensure that there are no more than 3 decimal places."),
        ("1e15", "This number is too large."),
    ],
)
def test_a_bad_count_is_refused_on_its_own_field_and_writes_nothing(
    spread, manager_user, store, snapshot, counted, message
):
    before = snapshot(spread)
    shelf, bin_ = item_at(spread, store.shelf), item_at(spread, store.bin)
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(
            part=spread,
            by=manager_user,
            counts=[
                Counted("11", stock_item=shelf, field="count_a"),
                Counted(counted, stock_item=bin_, field="count_b"),
            ],
            note="count",
        )
    assert refused.value.errors == {"count_b": [message]}
    assert snapshot(spread) == before


def test_every_bad_line_is_reported_at_once(spread, manager_user, store):
    shelf, bin_ = item_at(spread, store.shelf), item_at(spread, store.bin)
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(
            part=spread,
            by=manager_user,
            counts=[Counted("-2", shelf, field="a"), Counted("x", bin_, field="b")],
            note="count",
        )
    assert set(refused.value.errors) == {"a", "b"}


def test_the_same_stock_counted_twice_is_refused(part, manager_user, store, snapshot):
    before = snapshot(part)
    shelf = item_at(part, store.shelf)
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(
            part=part,
            by=manager_user,
            counts=[Counted("4", stock_item=shelf, field="a"), Counted("5", location=store.shelf)],
            note="count",
        )
    assert refused.value.errors == {"counted": ["This stock is counted twice."]}
    assert snapshot(part) == before


@pytest.mark.parametrize("note", ["", "   "])
def test_a_count_needs_a_reason(part, manager_user, snapshot, note):
    before = snapshot(part)
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(part=part, by=manager_user, counts=[Counted("3")], note=note)
    assert "note" in refused.value.errors
    assert snapshot(part) == before


def test_a_count_without_lines_is_refused(part, manager_user):
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(part=part, by=manager_user, counts=[], note="count")
    assert refused.value.errors == {NON_FIELD: ["Enter at least one counted quantity."]}


def test_a_count_at_a_location_without_the_part_books_a_new_item(part, manager_user, store):
    outcome = services.part_counts_apply(
        part=part, by=manager_user, counts=[Counted("4", location=store.yard)], note="found"
    )
    item = item_at(part, store.yard)
    assert (item.quantity, item.batch, item.serial) == (4, "", "")
    assert outcome.rows[0].stock_item_id == item.pk and outcome.rows[0].location_id == store.yard.pk
    assert ledger(part)[-1] == ("reconcile", D(4), D(14))
    assert_ledger_is_on_hand(part)


def test_counting_zero_where_there_is_nothing_books_nothing(part, manager_user, store, snapshot):
    before = snapshot(part)
    services.part_counts_apply(
        part=part, by=manager_user, counts=[Counted("0", location=store.yard)], note="empty"
    )
    assert snapshot(part) == before
    assert not StockItem.objects.filter(part=part, location=store.yard).exists()


def test_without_a_place_a_count_needs_one_when_the_part_is_in_several(spread, manager_user):
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(part=spread, by=manager_user, counts=[Counted("1")], note="n")
    assert "location" in refused.value.errors


def test_a_serialised_item_counts_one_or_none(site, manager_user, store):
    part = services.part_create(site=site, by=manager_user, name="Pump", trackable=True)
    item = StockItemFactory(part=part, location=store.shelf, serial="SN-1", quantity=D(1))
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(
            part=part, by=manager_user, counts=[Counted("2", stock_item=item)], note="n"
        )
    assert refused.value.errors == {"counted": ["A serialised item holds one unit or none."]}


def test_a_non_stock_part_cannot_be_counted(site, manager_user, store):
    part = services.part_create(site=site, by=manager_user, name="Rags", is_non_stock=True)
    with pytest.raises(ServiceError):
        services.part_counts_apply(
            part=part, by=manager_user, counts=[Counted("2", location=store.shelf)], note="n"
        )
    assert not StockTransaction.objects.filter(part=part).exists()


def test_another_sites_stock_and_locations_cannot_be_counted_here(
    part, manager_user, foreign_item, foreign_location, snapshot
):
    before = snapshot(part)
    for line, field in [
        (Counted("1", stock_item=foreign_item), "stock_item"),
        (Counted("1", location=foreign_location), "location"),
    ]:
        with pytest.raises(ServiceError) as refused:
            services.part_counts_apply(part=part, by=manager_user, counts=[line], note="n")
        assert field in refused.value.errors
    assert snapshot(part) == before
    assert StockItem.objects.get(pk=foreign_item.pk).quantity == 4


def test_a_stock_item_of_another_part_cannot_be_counted_for_this_one(
    part, site, manager_user, store
):
    other = stocked_part(site, manager_user, "2", store.bin, name="Belt")
    with pytest.raises(ServiceError) as refused:
        services.part_counts_apply(
            part=part,
            by=manager_user,
            counts=[Counted("1", stock_item=other.stock_items.get())],
            note="n",
        )
    assert refused.value.errors == {"stock_item": ["That stock item is not of this part."]}


# --- The ledger sums to on-hand, whatever is counted ----------------------------------------------

COUNTED = st.sampled_from(
    ["0", "1", "2.5", "7", "10", "12.125", "0.001"] * 3 + ["-1", "x", "1.0001"]
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("count"), st.lists(st.tuples(st.integers(0, 3), COUNTED), max_size=4)),
        st.tuples(st.just("restock"), st.integers(0, 3), st.sampled_from(["1", "4.5"])),
        st.tuples(st.just("scrap"), st.integers(0, 3), st.sampled_from(["1", "2"])),
    ),
    min_size=2,
    max_size=12,
)


def valid_count(text: str) -> Decimal | None:
    try:
        value = D(text)
    except Exception:
        return None
    if value < 0 or value != value.quantize(D("0.001")):
        return None
    return value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_random_counts_keep_the_ledger_equal_to_on_hand(site, manager_user, steps):
    """Counts of random places (with bad quantities and the same place twice), between
    restocks and scraps: a count moves exactly the places counted to what was counted, or is
    refused and writes nothing; the ledger always sums to on-hand."""
    with transaction.atomic():
        places = [LocationFactory(site=site, name=f"Place {i}") for i in range(4)]
        part = stocked_part(site, manager_user, "5", places[0], "2", name="Counted part")
        model = {0: D(5)}
        for step in steps:
            kind = step[0]
            if kind == "restock":
                _, where, qty = step
                services.part_restock(
                    part=part, by=manager_user, quantity=qty, cost="1", location=places[where]
                )
                model[where] = model.get(where, D(0)) + D(qty)
            elif kind == "scrap":
                _, where, qty = step
                item = StockItem.objects.filter(part=part, location=places[where]).first()
                if item is None or item.quantity < D(qty):
                    continue
                services.stock_scrap(item=item, by=manager_user, quantity=qty, note="broken")
                model[where] -= D(qty)
            else:
                lines = step[1]
                counts = [
                    Counted(c, location=places[w], field=f"l{i}") for i, (w, c) in enumerate(lines)
                ]
                wheres = [w for w, _c in lines]
                ok = (
                    lines
                    and all(valid_count(c) is not None for _w, c in lines)
                    and len(set(wheres)) == len(wheres)
                )
                rows_before = StockTransaction.objects.filter(part=part).count()
                if not ok:
                    with pytest.raises(ServiceError):
                        services.part_counts_apply(
                            part=part, by=manager_user, counts=counts, note="count"
                        )
                    assert StockTransaction.objects.filter(part=part).count() == rows_before
                else:
                    services.part_counts_apply(
                        part=part, by=manager_user, counts=counts, note="count"
                    )
                    changed = 0
                    for w, c in lines:
                        changed += valid_count(c) != model.get(w, D(0))
                        if valid_count(c) or w in model:
                            model[w] = valid_count(c)
                    rows_after = StockTransaction.objects.filter(part=part).count()
                    assert rows_after == rows_before + changed
            held = {
                places.index(next(p for p in places if p.pk == i.location_id)): i.quantity
                for i in StockItem.objects.filter(part=part)
            }
            assert held == model
            assert_ledger_is_on_hand(part)
            last = StockTransaction.objects.filter(part=part).order_by("-pk").first()
            assert last.on_hand_after == on_hand(part)
        transaction.set_rollback(True)


# --- Counts reported for a manager ----------------------------------------------------------------


def test_a_technicians_count_waits_with_what_the_system_held(part, tech_user, store, snapshot):
    before = snapshot(part)
    count = reported_count(part, tech_user, "12", stock_item=item_at(part, store.shelf))
    count.refresh_from_db()
    assert (count.status, count.counted, count.expected, count.difference) == (
        CountStatus.PENDING,
        D(12),
        D(10),
        D(2),
    )
    assert (count.reported_by, count.decided_by, count.decided_at) == (tech_user, None, None)
    assert count.location_id == store.shelf.pk and count.note == "cycle count"
    assert snapshot(part) == before  # nothing booked yet


def test_confirming_books_counted_minus_expected_even_after_other_movements(
    part, tech_user, manager_user, store
):
    count = reported_count(part, tech_user, "12", stock_item=item_at(part, store.shelf))  # found +2
    services.part_restock(part=part, by=manager_user, quantity="5", cost="5")  # 15 on the shelf
    confirmed = services.stock_count_confirm(count=count, by=manager_user)
    assert confirmed.status == CountStatus.CONFIRMED and confirmed.decided_by == manager_user
    assert confirmed.decided_at is not None
    # +2 on top of the restock: 17, not "set to 12", which would lose the 5 received.
    assert item_at(part, store.shelf).quantity == 17
    assert ledger(part)[-1] == ("reconcile", D(2), D(17))
    row = StockTransaction.objects.get(pk=confirmed.transaction_id)
    assert row.created_by == manager_user and "tech" in row.note and "cycle count" in row.note
    assert_ledger_is_on_hand(part)


def test_confirming_a_count_without_difference_books_nothing(part, tech_user, manager_user):
    count = reported_count(part, tech_user, "10")
    rows = ledger(part)
    confirmed = services.stock_count_confirm(count=count, by=manager_user)
    assert confirmed.status == CountStatus.CONFIRMED and confirmed.transaction is None
    assert ledger(part) == rows


def test_a_count_found_where_there_was_none_books_a_new_item_when_confirmed(
    part, tech_user, manager_user, store
):
    count = reported_count(part, tech_user, "3", location=store.yard)
    assert (count.stock_item_id, count.expected) == (None, 0)
    services.stock_count_confirm(count=count, by=manager_user)
    assert item_at(part, store.yard).quantity == 3
    assert_ledger_is_on_hand(part)


def test_a_confirmation_that_would_now_go_below_zero_is_refused(
    part, tech_user, manager_user, store
):
    item = item_at(part, store.shelf)
    count = reported_count(part, tech_user, "2", stock_item=item)  # 8 missing
    services.stock_scrap(item=item, by=manager_user, quantity="5", note="crushed")  # 5 left
    rows = ledger(part)
    with pytest.raises(ServiceError) as refused:
        services.stock_count_confirm(count=count, by=manager_user)
    assert "below zero" in refused.value.errors[NON_FIELD][0]
    assert ledger(part) == rows
    count.refresh_from_db()
    assert count.status == CountStatus.PENDING  # reject it and count again


def test_rejecting_needs_a_reason_and_books_nothing(part, tech_user, manager_user):
    count = reported_count(part, tech_user, "4")
    with pytest.raises(ServiceError) as refused:
        services.stock_count_reject(count=count, by=manager_user, reason="  ")
    assert "reason" in refused.value.errors
    rows = ledger(part)
    rejected = services.stock_count_reject(count=count, by=manager_user, reason="recount")
    assert (rejected.status, rejected.reason, rejected.decided_by) == (
        CountStatus.REJECTED,
        "recount",
        manager_user,
    )
    assert ledger(part) == rows and on_hand(part) == 10


@pytest.mark.parametrize("first", ["confirm", "reject"])
@pytest.mark.parametrize("second", ["confirm", "reject"])
def test_a_count_is_decided_once(part, tech_user, manager_user, admin_user, first, second):
    count = reported_count(part, tech_user, "12")
    decide = {
        "confirm": lambda by: services.stock_count_confirm(count=count, by=by),
        "reject": lambda by: services.stock_count_reject(count=count, by=by, reason="no"),
    }
    decide[first](manager_user)
    rows, stored = ledger(part), StockCount.objects.values().get(pk=count.pk)
    with pytest.raises(ServiceError) as refused:
        decide[second](admin_user)
    assert "already" in refused.value.errors[NON_FIELD][0]
    assert (ledger(part), StockCount.objects.values().get(pk=count.pk)) == (rows, stored)


def test_technicians_cannot_decide_counts(part, tech_user):
    count = reported_count(part, tech_user, "12")
    with pytest.raises(PermissionDenied):
        services.stock_count_confirm(count=count, by=tech_user)
    with pytest.raises(PermissionDenied):
        services.stock_count_reject(count=count, by=tech_user, reason="mine")
    count.refresh_from_db()
    assert count.is_pending


def test_a_managers_report_is_booked_at_once_and_recorded_as_confirmed(part, manager_user, store):
    count = reported_count(part, manager_user, "9", stock_item=item_at(part, store.shelf))
    assert (count.status, count.decided_by, count.expected) == (
        CountStatus.CONFIRMED,
        manager_user,
        D(10),
    )
    assert count.transaction_id == StockTransaction.objects.filter(part=part).latest("pk").pk
    assert on_hand(part) == 9


def test_another_sites_member_cannot_report_here(part, other_site_user):
    with pytest.raises(PermissionDenied):
        reported_count(part, other_site_user, "3")
    assert not StockCount.objects.exists()


# --- The site's counting policy -------------------------------------------------------------------


def test_technicians_reconcile_only_where_the_site_allows_it(
    part, tech_user, admin_user, site, snapshot
):
    before = snapshot(part)
    with pytest.raises(PermissionDenied):
        services.part_counts_apply(part=part, by=tech_user, counts=[Counted("8")], note="n")
    with pytest.raises(PermissionDenied):
        services.part_reconcile(part=part, by=tech_user, quantity="-1", note="n")
    assert snapshot(part) == before

    allow_technicians(site, admin_user)
    services.part_counts_apply(part=part, by=tech_user, counts=[Counted("8")], note="n")
    services.part_reconcile(part=part, by=tech_user, quantity="-1", note="n")
    assert on_hand(part) == 7
    count = reported_count(part, tech_user, "6")  # booked at once, like a manager's
    assert count.status == CountStatus.CONFIRMED and on_hand(part) == 6


@pytest.mark.parametrize("actor", ["tech_user", "manager_user", "other_site_user"])
def test_only_the_sites_admin_sets_the_counting_policy(request, site, actor):
    with pytest.raises(PermissionDenied):
        services.site_counting_set(
            site=site, by=request.getfixturevalue(actor), technicians_may_reconcile=True
        )
    assert not Site.objects.get(pk=site.pk).technicians_may_reconcile


# --- Pages: reconcile by count --------------------------------------------------------------------


def open_panel(client, part, action="reconcile"):
    return client.get(f"/parts/{part.pk}/{action}/", headers=HTMX)


def test_the_count_panel_lists_each_stock_item_with_its_quantity_and_an_input(
    manager_page, spread, store
):
    panel = root(open_panel(manager_page, spread))
    assert panel["data-testid"] == "reconcile-panel"
    lines = all_by_testid(panel, "count-line")
    shelf, bin_, yard = (item_at(spread, loc) for loc in (store.shelf, store.bin, store.yard))
    # By location: Store > Shelf A, Store > Shelf A > Bin 1, Yard.
    assert [line["data-item-id"] for line in lines] == [str(shelf.pk), str(bin_.pk), str(yard.pk)]
    assert texts_by_testid(panel, "count-current") == ["10", "5", "3"]
    field = by_id(panel, f"id_reconcile_count_{shelf.pk}")
    assert (field["name"], field["data-count-current"], field.get("value")) == (
        f"count_{shelf.pk}",
        "10",
        None,
    )
    label = panel.find("label", attrs={"for": f"id_reconcile_count_{shelf.pk}"})
    assert text(label) == "Counted at Store > Shelf A"
    assert all_by_testid(panel, "count-diff")  # where the script shows the difference
    assert by_id(panel, "id_reconcile_note")["name"] == "note"


def test_a_count_on_the_page_books_and_says_what_was_booked(manager_page, spread, store):
    shelf, bin_, yard = (item_at(spread, loc) for loc in (store.shelf, store.bin, store.yard))
    response = manager_page.post(
        f"/parts/{spread.pk}/reconcile/",
        {
            f"count_{shelf.pk}": "13",
            f"count_{bin_.pk}": "3",
            f"count_{yard.pk}": "",  # left empty: not counted
            "note": "cycle count",
        },
        headers=HTMX,
    )
    notice = by_testid(root(response), "action-notice")
    assert text(notice) == (
        "Counted 2 items: +3 pcs at Store > Shelf A, -2 pcs at Store > Shelf A > Bin 1; 19 on hand."
    )
    assert text(by_testid(response, "part-on-hand")) == "19"  # refreshed out of band
    assert by_id(response, "part-counts")["hx-swap-oob"] == "true"
    assert ledger(spread)[-2:] == [("reconcile", D(3), D(21)), ("reconcile", D(-2), D(19))]
    assert item_at(spread, store.yard).quantity == 3


def test_a_count_that_matches_says_no_change(manager_page, part, store):
    item = item_at(part, store.shelf)
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/", {f"count_{item.pk}": "10", "note": "ok"}, headers=HTMX
    )
    assert text(by_testid(response, "action-notice")) == "Counted 1 item: no change; 10 on hand."
    assert ledger(part) == [("restock", D(10), D(10))]


def test_stock_found_at_another_location_is_counted_from_the_page(manager_page, part, store):
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/",
        {"location": store.yard.pk, "found": "2", "note": "found a box"},
        headers=HTMX,
    )
    assert text(by_testid(response, "action-notice")) == (
        "Counted 1 item: +2 pcs at Yard; 12 on hand."
    )
    assert item_at(part, store.yard).quantity == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [("-2", "A count cannot be below zero."), ("ten", "Enter a number.")],
)
def test_a_bad_count_shows_under_its_own_input_and_keeps_what_was_typed(
    manager_page, spread, store, value, message
):
    shelf, bin_ = item_at(spread, store.shelf), item_at(spread, store.bin)
    before = ledger(spread)
    response = manager_page.post(
        f"/parts/{spread.pk}/reconcile/",
        {f"count_{shelf.pk}": "12", f"count_{bin_.pk}": value, "note": "count"},
        headers=HTMX,
    )
    assert root(response)["data-testid"] == "reconcile-panel"
    assert message in field_error(response, f"id_reconcile_count_{bin_.pk}")
    assert by_id(response, f"id_reconcile_count_{bin_.pk}")["aria-invalid"] == "true"
    assert by_id(response, f"id_reconcile_count_{shelf.pk}")["value"] == "12"
    assert not all_by_testid(response, "action-notice")
    assert ledger(spread) == before


def test_a_count_with_every_line_empty_is_refused(manager_page, part, store):
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/",
        {f"count_{item_at(part, store.shelf).pk}": "", "note": "count"},
        headers=HTMX,
    )
    errors = html(response).find("div", class_="form-errors")
    assert text(errors) == "Enter at least one counted quantity."
    assert ledger(part) == [("restock", D(10), D(10))]


def test_an_item_emptied_since_the_form_was_shown_is_still_counted(
    manager_page, part, store, manager_user
):
    item = item_at(part, store.shelf)
    services.stock_scrap(item=item, by=manager_user, note="gone")  # the form showed 10
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/", {f"count_{item.pk}": "1", "note": "one left"}, headers=HTMX
    )
    assert text(by_testid(response, "action-notice")).startswith("Counted 1 item: +1 pcs")
    assert item_at(part, store.shelf).quantity == 1


def test_a_count_without_javascript_redirects_with_the_message(manager_page, part, store):
    item = item_at(part, store.shelf)
    response = manager_page.post(
        f"/parts/{part.pk}/reconcile/", {f"count_{item.pk}": "8", "note": "count"}
    )
    assert response.status_code == 302
    page = html(manager_page.get(response["Location"]))
    messages = page.find("div", class_="messages")
    assert text(messages) == "Counted 1 item: -2 pcs at Store > Shelf A; 8 on hand."


def test_the_full_count_page_loads_the_count_script(manager_page, part):
    page = html(manager_page.get(f"/parts/{part.pk}/reconcile/"))
    scripts = [s.get("src", "") for s in page.find_all("script")]
    assert any(src.endswith("js/counts.js") for src in scripts)
    assert page.find("script", src=lambda s: s and s.endswith("js/counts.js")).has_attr("defer")


# --- Pages: technicians report counts; the site may let them reconcile ----------------------------


def test_a_technician_gets_report_a_count_on_the_part_page(tech_page, part):
    page = tech_page.get(f"/parts/{part.pk}/")
    panel = by_testid(page, "action-count")
    assert panel["hx-get"] == f"/parts/{part.pk}/count/"
    assert not all_by_testid(page, "action-reconcile")
    assert tech_page.get(f"/parts/{part.pk}/reconcile/").status_code == 403
    item = item_at(part, part.default_location)
    refused = tech_page.post(
        f"/parts/{part.pk}/reconcile/", {f"count_{item.pk}": "1", "note": "n"}, headers=HTMX
    )
    assert refused.status_code == 403 and on_hand(part) == 10


def test_a_technicians_report_from_the_page_waits_for_a_manager(tech_page, part, store):
    item = item_at(part, store.shelf)
    opened = root(open_panel(tech_page, part, "count"))
    assert opened["data-testid"] == "count-panel"
    assert by_id(opened, f"id_count_count_{item.pk}")["data-count-current"] == "10"
    response = tech_page.post(
        f"/parts/{part.pk}/count/", {f"count_{item.pk}": "12", "note": "cycle"}, headers=HTMX
    )
    assert text(by_testid(response, "action-notice")) == (
        "Sent 1 count for a manager to confirm: +2 pcs at Store > Shelf A."
    )
    count = StockCount.objects.get()
    assert (count.status, count.counted, count.expected) == ("pending", 12, 10)
    assert on_hand(part) == 10
    section = by_id(response, "part-counts")  # the counts to confirm, refreshed
    assert section["hx-swap-oob"] == "true"
    assert [c["data-count-id"] for c in all_by_testid(section, "count-card")] == [str(count.pk)]
    assert not all_by_testid(section, "count-confirm")  # a technician does not decide


def test_where_the_site_allows_it_a_technician_reconciles_on_the_page(
    tech_page, part, site, admin_user, store
):
    allow_technicians(site, admin_user)
    page = tech_page.get(f"/parts/{part.pk}/")
    assert by_testid(page, "action-reconcile")["hx-get"] == f"/parts/{part.pk}/reconcile/"
    item = item_at(part, store.shelf)
    response = tech_page.post(
        f"/parts/{part.pk}/reconcile/", {f"count_{item.pk}": "7", "note": "count"}, headers=HTMX
    )
    assert text(by_testid(response, "action-notice")) == (
        "Counted 1 item: -3 pcs at Store > Shelf A; 7 on hand."
    )
    assert ledger(part)[-1] == ("reconcile", D(-3), D(7))


# --- Pages: counts to confirm ---------------------------------------------------------------------


def test_the_part_page_loads_its_counts_to_confirm(manager_page, tech_user, part, store):
    count = reported_count(part, tech_user, "12", stock_item=item_at(part, store.shelf))
    page = manager_page.get(f"/parts/{part.pk}/")
    placeholder = by_testid(page, "part-counts")
    assert placeholder["hx-get"] == f"/parts/{part.pk}/counts/"
    section = manager_page.get(placeholder["hx-get"], headers=HTMX)
    card = by_testid(section, "count-card")
    assert card["data-count-id"] == str(count.pk) and card["data-status"] == "pending"
    assert text(by_testid(card, "count-difference")) == "+2 pcs"
    assert text(by_testid(card, "count-confirm")) == "Confirm: book +2 pcs"
    assert card.find("input", attrs={"name": "on_part"})["value"] == "1"
    # Without JavaScript the link goes to the counts page of the part.
    assert manager_page.get(f"/parts/{part.pk}/counts/")["Location"] == (f"/counts/?part={part.pk}")


def test_confirming_on_the_part_page_answers_in_the_card_and_refreshes_the_figures(
    manager_page, tech_user, part, store
):
    count = reported_count(part, tech_user, "12", stock_item=item_at(part, store.shelf))
    response = manager_page.post(f"/counts/{count.pk}/confirm/", {"on_part": "1"}, headers=HTMX)
    card = root(response)
    assert card["data-testid"] == "count-card" and card["data-status"] == "confirmed"
    assert text(by_testid(card, "action-notice")) == "Confirmed: +2 pcs booked."
    assert not all_by_testid(card, "count-confirm")
    assert text(by_testid(response, "part-on-hand")) == "12"
    assert ledger(part)[-1] == ("reconcile", D(2), D(12))


def test_rejecting_without_a_reason_shows_the_error_in_the_card(manager_page, tech_user, part):
    count = reported_count(part, tech_user, "12")
    refused = manager_page.post(f"/counts/{count.pk}/reject/", {"reason": ""}, headers=HTMX)
    assert root(refused)["data-testid"] == "count-card"
    assert "required" in field_error(refused, f"id_count_{count.pk}_reject_reason")
    done = manager_page.post(f"/counts/{count.pk}/reject/", {"reason": "recount"}, headers=HTMX)
    assert text(by_testid(done, "action-notice")) == "Rejected; nothing booked."
    assert text(by_testid(done, "count-reason")) == "recount"
    assert not all_by_testid(done, "part-on-hand")  # not posted from the part page
    assert on_hand(part) == 10


def test_a_decided_count_cannot_be_decided_again_on_the_page(manager_page, tech_user, part):
    count = reported_count(part, tech_user, "12")
    manager_page.post(f"/counts/{count.pk}/reject/", {"reason": "no"}, headers=HTMX)
    again = manager_page.post(f"/counts/{count.pk}/confirm/", {}, headers=HTMX)
    assert "already rejected" in text(html(again).find("div", class_="form-errors"))
    assert on_hand(part) == 10


def test_the_counts_page_lists_those_to_confirm_first(manager_page, tech_user, manager_user, part):
    waiting = reported_count(part, tech_user, "12")
    decided = reported_count(part, tech_user, "11")
    services.stock_count_reject(count=decided, by=manager_user, reason="no")
    page = manager_page.get("/counts/")
    assert is_full_page(page)
    assert [c["data-count-id"] for c in all_by_testid(page, "count-card")] == [str(waiting.pk)]
    every = manager_page.get("/counts/", {"status": "all", "part": part.pk})
    assert {c["data-count-id"] for c in all_by_testid(every, "count-card")} == {
        str(waiting.pk),
        str(decided.pk),
    }


def test_technicians_cannot_decide_counts_on_the_pages(tech_page, tech_user, part):
    count = reported_count(part, tech_user, "12")
    assert tech_page.post(f"/counts/{count.pk}/confirm/", {}).status_code == 403
    assert tech_page.post(f"/counts/{count.pk}/reject/", {"reason": "x"}).status_code == 403
    assert not all_by_testid(tech_page.get("/counts/"), "count-confirm")
    count.refresh_from_db()
    assert count.is_pending


def test_another_sites_count_does_not_exist_here(manager_page, foreign_part, other_site_user):
    count = reported_count(foreign_part, other_site_user, "9")  # booked at once: an admin there
    assert manager_page.post(f"/counts/{count.pk}/confirm/", {}).status_code == 404
    assert manager_page.post(f"/counts/{count.pk}/reject/", {"reason": "x"}).status_code == 404
    assert manager_page.get(f"/parts/{foreign_part.pk}/counts/", headers=HTMX).status_code == 404
    assert manager_page.get(f"/parts/{foreign_part.pk}/count/").status_code == 404
    assert not all_by_testid(manager_page.get("/counts/?status=all"), "count-card")


# --- Pages: the counting setting ------------------------------------------------------------------


def test_the_sites_admin_lets_technicians_reconcile_on_the_settings_page(admin_page, site):
    form = by_testid(admin_page.get("/counts/settings/"), "counting-settings-form")
    assert form.find("input", attrs={"name": "technicians_may_reconcile"})
    response = admin_page.post(
        "/counts/settings/", {"technicians_may_reconcile": "on"}, headers=HTMX
    )
    assert text(by_testid(response, "action-notice")) == (
        "Saved: technicians now book their counts directly."
    )
    assert Site.objects.get(pk=site.pk).technicians_may_reconcile
    admin_page.post("/counts/settings/", {}, headers=HTMX)
    assert not Site.objects.get(pk=site.pk).technicians_may_reconcile


@pytest.mark.parametrize("client", ["manager_page", "tech_page"])
def test_only_admins_open_the_counting_settings(request, site, client):
    client = request.getfixturevalue(client)
    assert client.get("/counts/settings/").status_code == 403
    assert client.post("/counts/settings/", {"technicians_may_reconcile": "on"}).status_code == 403
    assert not Site.objects.get(pk=site.pk).technicians_may_reconcile


# --- Pages: scrap asks for a quantity or "Scrap all" ----------------------------------------------


def test_the_scrap_panel_offers_a_quantity_or_scrap_all_both_as_danger(manager_page, part):
    item = part.stock_items.get()
    panel = root(manager_page.get(f"/parts/{part.pk}/scrap/?item={item.pk}", headers=HTMX))
    submit, everything = by_testid(panel, "scrap-submit"), by_testid(panel, "scrap-all")
    assert "btn-danger" in submit["class"] and "btn-danger" in everything["class"]
    assert text(everything) == "Scrap all 10 pcs"
    assert (everything["name"], everything["value"], everything["type"]) == ("all", "10", "submit")
    assert (
        everything["data-confirm"] == "Scrap all 10 pcs at Store > Shelf A? This cannot be undone."
    )


def test_scrap_with_an_empty_quantity_is_refused(manager_page, part):
    item = part.stock_items.get()
    response = manager_page.post(
        f"/parts/{part.pk}/scrap/", {"stock_item": item.pk, "note": "rusty"}, headers=HTMX
    )
    message = field_error(response, f"id_scrap_{item.pk}_quantity")
    assert message == "Enter a quantity, or choose Scrap all."
    assert ledger(part) == [("restock", D(10), D(10))]


def test_scrap_all_writes_off_what_the_button_said(manager_page, part):
    item = part.stock_items.get()
    response = manager_page.post(
        f"/parts/{part.pk}/scrap/",
        {"stock_item": item.pk, "note": "flooded", "quantity": "", "all": "10"},
        headers=HTMX,
    )
    assert text(by_testid(response, "action-notice")) == "Scrapped 10 pcs; 0 on hand."
    assert ledger(part)[-1] == ("scrap", D(-10), D(0))


def test_scrap_all_is_refused_when_the_item_holds_something_else_now(
    manager_page, part, manager_user
):
    item = part.stock_items.get()
    services.part_restock(part=part, by=manager_user, quantity="2", cost="5")  # now 12
    response = manager_page.post(
        f"/parts/{part.pk}/scrap/",
        {"stock_item": item.pk, "note": "flooded", "all": "10"},
        headers=HTMX,
    )
    assert "now holds 12 pcs, not 10" in field_error(response, f"id_scrap_{item.pk}_quantity")
    assert item_at(part, part.default_location).quantity == 12


# --- PostgreSQL: decisions and counts under concurrent writers ------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_book_a_count_once(site, tech_user, manager_user, store):
    part = stocked_part(site, manager_user, "10", store.shelf, "1", name="Raced part")
    count = reported_count(part, tech_user, "14")

    def confirm(_i, go):
        from core.models import User

        by, held = User.objects.get(pk=manager_user.pk), StockCount.objects.get(pk=count.pk)
        go()
        return services.stock_count_confirm(count=held, by=by)

    done, errors = split(in_parallel(confirm, range(8)))
    assert len(done) == 1, errors
    assert all(isinstance(e, ServiceError) and "already" in str(e) for e in errors), errors
    rows = StockTransaction.objects.filter(part=part, type=TransactionType.RECONCILE)
    assert list(rows.values_list("quantity", flat=True)) == [D(4)]
    assert_ledger_is_on_hand(part)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_count_waits_for_the_part_lock_and_counts_against_what_was_committed(
    site, manager_user, store
):
    part = stocked_part(site, manager_user, "10", store.shelf, "1", name="Locked part")
    item = StockItem.objects.get(part=part)

    competitor = race(
        lambda: services.part_restock(
            part=part, by=manager_user, quantity="5", cost="1", location=store.shelf
        ),
        lambda: services.part_counts_apply(
            part=part, by=manager_user, counts=[Counted("12", stock_item=item)], note="count"
        ),
    )

    assert competitor.error is None, competitor.error
    [line] = competitor.result.lines
    assert (line.before, line.delta) == (D(15), D(-3))  # the restock was committed first
    assert StockItem.objects.get(pk=item.pk).quantity == 12
    assert_ledger_is_on_hand(part)
