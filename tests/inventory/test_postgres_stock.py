"""The stock ledger under concurrent writers, on PostgreSQL: real threads, one connection each.

Every stock action locks the part's row first, so actions on one part run one at a time whatever
their kind. The first tests prove that lock: a second action waits for it (PostgreSQL shows it
waiting, see ``tests.helpers.race``) and then builds on what the first one committed. The others
race 20 threads on one part (and, for lock ordering, on several parts at the same two locations)
and then check what must hold after any interleaving: stock never below zero, the ledger summing
to on-hand (in total and per location), the running balance recorded on each ledger row, and the
moving-average cost recomputed from the ledger.
"""

import threading
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.models import Min, Sum
from rest_framework.test import APIClient

from core.errors import ServiceError
from core.models import Location, User
from core.services import api_token_create
from inventory import services
from inventory.models import Part, StockItem, StockTransaction, TransactionType
from tests.factories import LocationFactory
from tests.helpers import in_parallel, race, split
from tests.inventory.factories import stocked_part

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
CENT = Decimal("0.01")


def _lowest(seen, value):
    if value is None:
        return seen
    return value if seen is None else min(seen, value)


class Watcher(threading.Thread):
    """Samples the part's stock from its own connection while the race runs.

    Records the lowest on-hand and the lowest stock item quantity it ever saw (committed data).
    """

    def __init__(self, part):
        super().__init__(daemon=True)
        self.part_pk = part.pk
        self.stop = threading.Event()
        self.lowest_on_hand = None
        self.lowest_item = None
        self.samples = 0

    def run(self):
        try:
            while not self.stop.is_set():
                on_hand = services.on_hand_of(self.part_pk)
                item = StockItem.objects.filter(part_id=self.part_pk).aggregate(m=Min("quantity"))
                self.samples += 1
                self.lowest_on_hand = _lowest(self.lowest_on_hand, on_hand)
                self.lowest_item = _lowest(self.lowest_item, item["m"])
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join(timeout=30)


def manager(manager_user) -> User:
    return User.objects.get(pk=manager_user.pk)


def ledger(part) -> list[StockTransaction]:
    return list(StockTransaction.objects.filter(part=part).order_by("pk"))


def ledger_sum(part, **filters) -> Decimal:
    total = StockTransaction.objects.filter(part=part, **filters).aggregate(t=Sum("quantity"))["t"]
    return total or Decimal("0")


def items_sum(part, **filters) -> Decimal:
    total = StockItem.objects.filter(part=part, **filters).aggregate(t=Sum("quantity"))["t"]
    return total or Decimal("0")


def assert_ledger_consistent(part, locations) -> None:
    """Ledger sums equal stock (in total and per location); the running balance is on each row.

    Rows of one part are written under its row lock, so their ids are in the order the actions
    ran. A transfer writes two rows (minus, then plus) that both record the balance after the
    whole transfer, which is the balance before it: a transfer does not change on-hand.
    """
    on_hand = services.on_hand_of(part)
    assert ledger_sum(part) == on_hand
    assert Part.objects.get(pk=part.pk).on_hand == on_hand  # the stored figure kept up
    assert not StockItem.objects.filter(part=part, quantity__lt=0).exists()
    for location in locations:
        assert ledger_sum(part, location=location) == items_sum(part, location=location), location
    rows = ledger(part)
    running = Decimal("0")
    index = 0
    while index < len(rows):
        row = rows[index]
        if row.type == TransactionType.TRANSFER:
            plus = rows[index + 1]
            assert plus.type == TransactionType.TRANSFER and plus.quantity == -row.quantity
            assert row.quantity < 0
            assert row.on_hand_after == plus.on_hand_after == running, (row.pk, running)
            index += 2
            continue
        running += row.quantity
        assert row.on_hand_after == running, (row.pk, row.type, row.on_hand_after, running)
        index += 1
    assert running == on_hand
    listed = services.on_hand_of(part)
    assert listed == on_hand


@pytest.fixture
def places(site):
    return LocationFactory(site=site, name="Store A"), LocationFactory(site=site, name="Store B")


# --- The part row lock: a second action waits, then sees the first -------------------------------


def test_a_restock_waits_for_the_part_lock_and_averages_over_the_first_restock(
    site, manager_user, places
):
    store_a, _store_b = places
    part = stocked_part(
        site, manager_user, "10", store_a, "4", name="Seal", default_location=store_a
    )
    held = Part.objects.get(pk=part.pk)  # the competitor's copy: 10 on hand at 4.00

    competitor = race(
        lambda: services.part_restock(part=part, by=manager_user, quantity="10", cost="6"),
        lambda: services.part_restock(part=held, by=manager_user, quantity="20", cost="8"),
    )

    assert competitor.error is None, competitor.error
    assert competitor.result.on_hand_after == Decimal("40")  # 10 + 10 committed first, + 20
    part.refresh_from_db()
    assert part.avg_unit_cost == Decimal("6.50")  # (20 x 5.00 + 20 x 8) / 40, not from 4.00
    assert services.on_hand_of(part) == ledger_sum(part) == Decimal("40")
    assert_ledger_consistent(part, places)


def test_a_scrap_waits_for_the_part_lock_and_is_refused_when_the_first_took_the_stock(
    site, manager_user, places
):
    store_a, _store_b = places
    part = stocked_part(site, manager_user, "5", store_a, "1", name="Gasket")
    item = StockItem.objects.get(part=part)  # 5 pcs, as both callers saw it

    competitor = race(
        lambda: services.part_reconcile(part=part, by=manager_user, quantity="-4", note="count"),
        lambda: services.stock_scrap(item=item, by=manager_user, quantity="3", note="crushed"),
    )

    assert isinstance(competitor.error, ServiceError), competitor.result
    assert "quantity" in competitor.error.errors  # only 1 left once the count was committed
    assert StockItem.objects.get(pk=item.pk).quantity == Decimal("1")
    assert [row.type for row in ledger(part)] == ["restock", "reconcile"]
    assert_ledger_consistent(part, places)


# --- (a) parallel restocks ------------------------------------------------------------------------


def test_parallel_restocks_keep_on_hand_exact_and_the_average_true_to_the_ledger(
    site, manager_user, places
):
    store_a, _store_b = places
    part = services.part_create(
        site=site, by=manager_user, name="Bearing", default_location=store_a
    )
    jobs = [
        (Decimal(i + 1), Decimal("3.17") * (i + 1) + Decimal("0.05") * (i % 3)) for i in range(20)
    ]

    def restock(job, go):
        quantity, cost = job
        by, held = manager(manager_user), Part.objects.get(pk=part.pk)
        go()
        return services.part_restock(part=held, by=by, quantity=quantity, cost=cost)

    done, errors = split(in_parallel(restock, jobs))

    assert not errors, errors
    assert len(done) == THREADS
    rows = ledger(part)
    assert len(rows) == THREADS
    assert services.on_hand_of(part) == sum(q for q, _c in jobs) == Decimal("210")
    assert_ledger_consistent(part, places)
    # The moving average, recomputed in the order the restocks actually ran:
    on_hand, average = Decimal("0"), Decimal("0")
    for row in rows:
        if on_hand > 0:
            average = (on_hand * average + row.quantity * row.unit_cost) / (on_hand + row.quantity)
            average = average.quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            average = row.unit_cost
        on_hand += row.quantity
    part.refresh_from_db()
    assert part.avg_unit_cost == average
    assert part.unit_cost == rows[-1].unit_cost
    assert StockItem.objects.filter(part=part).count() == 1  # all merged into one item at A


# --- (b) parallel reconciles that would overdraw --------------------------------------------------


def test_parallel_reconciles_never_take_stock_below_zero(site, manager_user, places):
    store_a, _store_b = places
    part = stocked_part(site, manager_user, "15", store_a, "2", name="Fuse")

    def take_one(_i, go):
        by, held = manager(manager_user), Part.objects.get(pk=part.pk)
        go()
        return services.part_reconcile(part=held, by=by, quantity="-1", note="counted")

    with Watcher(part) as watcher:
        done, errors = split(in_parallel(take_one, range(THREADS)))

    assert len(done) == 15
    assert len(errors) == 5
    assert all(isinstance(exc, ServiceError) and "quantity" in exc.errors for exc in errors), errors
    assert services.on_hand_of(part) == 0
    assert StockItem.objects.get(part=part).quantity == 0
    assert watcher.samples > 0 and watcher.lowest_on_hand >= 0 and watcher.lowest_item >= 0
    assert_ledger_consistent(part, places)
    assert [row.on_hand_after for row in ledger(part)] == [Decimal(n) for n in range(15, -1, -1)]


# --- (c) parallel transfers between two locations -------------------------------------------------


def test_parallel_transfers_preserve_totals_and_per_location_ledgers(site, manager_user, places):
    store_a, store_b = places
    part = stocked_part(site, manager_user, "10", store_a, "5", name="Belt")
    services.part_restock(part=part, by=manager_user, quantity="10", cost="5", location=store_b)
    # Partial moves, whole-item moves (None) and moves of more than any item holds.
    amounts = ["1", "2", None, "3", "25", "1.5", None, "4", "30", "0.25"] * 2
    jobs = [(store_a, store_b) if i % 2 else (store_b, store_a) for i in range(THREADS)]
    jobs = [(src.pk, dst.pk, amount) for (src, dst), amount in zip(jobs, amounts, strict=True)]

    def transfer(job, go):
        source, destination, amount = job
        by = manager(manager_user)
        item = StockItem.objects.filter(part=part, location_id=source).order_by("pk").first()
        to = Location.objects.get(pk=destination)
        go()
        if item is None:  # everything left this location before we looked
            raise ServiceError("no item")
        return services.stock_transfer(item=item, by=by, location=to, quantity=amount)

    with Watcher(part) as watcher:
        done, errors = split(in_parallel(transfer, jobs))

    assert all(isinstance(exc, ServiceError) for exc in errors), errors
    assert len(done) >= 2, errors
    assert sum(1 for (_s, _d, amount) in jobs if amount in ("25", "30")) <= len(errors)
    assert services.on_hand_of(part) == Decimal("20")
    assert watcher.lowest_on_hand == Decimal("20") and watcher.lowest_item >= 0
    transfers = StockTransaction.objects.filter(part=part, type=TransactionType.TRANSFER)
    assert transfers.count() == 2 * len(done)
    assert ledger_sum(part, type=TransactionType.TRANSFER) == 0
    assert_ledger_consistent(part, places)
    # At most one item per location: whole moves happen only when nothing is there to merge into.
    per_location = defaultdict(int)
    for item in StockItem.objects.filter(part=part):
        per_location[item.location_id] += 1
    assert max(per_location.values()) == 1


# --- (d) every action at once ---------------------------------------------------------------------


def test_a_mix_of_all_stock_actions_in_parallel_keeps_the_ledger_equal_to_on_hand(
    site, manager_user, places
):
    store_a, store_b = places
    part = stocked_part(site, manager_user, "50", store_a, "10", name="Valve")
    services.part_restock(part=part, by=manager_user, quantity="20", cost="12", location=store_b)
    actions = [
        ("restock", store_a, "5", "11.50"),
        ("restock", store_b, "2.5", "14"),
        ("reconcile", store_a, "3", None),
        ("reconcile", store_b, "-4", None),
        ("reconcile", store_b, "-1000", None),  # always refused
        ("transfer", store_a, store_b, "6"),
        ("transfer", store_b, store_a, None),
        ("transfer", store_a, store_b, "999"),  # always refused
        ("scrap", store_a, "1.25", None),
        ("scrap", store_b, "2", None),
        ("unit_cost", None, "13.10", None),
        ("avg_cost", None, "11.11", None),
    ]
    # 20 threads, each running 3 actions back to back, so that the interleavings vary.
    jobs = [[actions[(t * 3 + k) % len(actions)] for k in range(3)] for t in range(THREADS)]

    def run_actions(job, go):
        by, held = manager(manager_user), Part.objects.get(pk=part.pk)
        go()
        outcomes = []
        for kind, where, first, second in job:
            try:
                if kind == "restock":
                    services.part_restock(
                        part=held, by=by, quantity=first, cost=second, location=where
                    )
                elif kind == "reconcile":
                    services.part_reconcile(
                        part=held, by=by, quantity=first, note="count", location=where
                    )
                elif kind == "transfer":
                    item = StockItem.objects.filter(part=held, location=where).first()
                    if item is None:
                        raise ServiceError("nothing here")
                    services.stock_transfer(item=item, by=by, location=first, quantity=second)
                elif kind == "scrap":
                    item = StockItem.objects.filter(part=held, location=where).first()
                    if item is None:
                        raise ServiceError("nothing here")
                    services.stock_scrap(item=item, by=by, quantity=first, note="damaged")
                elif kind == "unit_cost":
                    services.part_unit_cost_set(part=held, by=by, cost=first)
                else:
                    services.part_avg_cost_set(part=held, by=by, cost=first)
                outcomes.append((kind, None))
            except ServiceError as exc:
                outcomes.append((kind, exc))
        return outcomes

    with Watcher(part) as watcher:
        done, errors = split(in_parallel(run_actions, jobs))

    assert not errors, errors  # nothing but ServiceError was raised
    results = [outcome for outcomes in done for outcome in outcomes]
    assert len(results) == 3 * THREADS
    refused = [kind for kind, exc in results if exc is not None]
    assert sum(1 for job in jobs for action in job if action[2] in ("-1000",)) <= len(refused)
    assert watcher.lowest_on_hand >= 0 and watcher.lowest_item >= 0
    assert_ledger_consistent(part, places)
    accepted = len(results) - len(refused)
    transfers = sum(1 for kind, exc in results if exc is None and kind == "transfer")
    assert StockTransaction.objects.filter(part=part).count() == 2 + accepted + transfers
    listed = services.on_hand_of(part)
    assert ledger_sum(part) == listed


# --- Lock order across parts ----------------------------------------------------------------------


def test_transfers_of_different_parts_in_opposite_directions_do_not_deadlock(
    site, manager_user, places
):
    """Ten parts, each stocked at A and B; half move A -> B, half B -> A, all at once.

    Each action locks only its own part and stock items; it must not lock the locations it
    reads along the way, or two transfers in opposite directions wait for each other forever
    (PostgreSQL then aborts one with "deadlock detected")."""
    store_a, store_b = places
    parts = []
    for n in range(10):
        part = stocked_part(site, manager_user, "10", store_a, name=f"P{n}")
        services.part_restock(part=part, by=manager_user, quantity="10", cost="1", location=store_b)
        parts.append(part)
    jobs = [(part.pk, source) for part in parts for source in (store_a.pk, store_b.pk)]

    def transfer(job, go):
        part_pk, source = job
        by = manager(manager_user)
        item = StockItem.objects.get(part_id=part_pk, location_id=source)
        to = Location.objects.get(pk=store_b.pk if source == store_a.pk else store_a.pk)
        go()
        return services.stock_transfer(item=item, by=by, location=to, quantity="3")

    done, errors = split(in_parallel(transfer, jobs))

    assert not errors, errors
    assert len(done) == THREADS
    for part in parts:
        assert services.on_hand_of(part) == Decimal("20")
        assert items_sum(part, location=store_a) == items_sum(part, location=store_b) == 10
        assert_ledger_consistent(part, places)


# --- The same race through the API ----------------------------------------------------------------


def test_parallel_api_restocks_and_reconciles_keep_the_ledger_equal_to_on_hand(
    site, manager_user, places
):
    """20 clients at once on /api/parts/{id}/restock/ and /reconcile/: each request is one
    transaction; none fails with a server error, and a refused one is a 400 that wrote nothing."""
    store_a, _store_b = places
    part = stocked_part(
        site, manager_user, "3", store_a, "2", name="Hose", default_location=store_a
    )
    _token, key = api_token_create(user=manager_user, name="parallel")
    jobs = [("restock", {"quantity": "2", "cost": f"{i}.25"}) for i in range(10)]
    jobs += [("reconcile", {"quantity": "-2", "note": "count"}) for _ in range(10)]

    def call(job, go):
        name, body = job
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_SITE_ID=str(site.pk))
        go()
        return name, client.post(f"/api/parts/{part.pk}/{name}/", body, format="json")

    done, errors = split(in_parallel(call, jobs))

    assert not errors, errors
    statuses = [(name, response.status_code) for name, response in done]
    assert all(status in (200, 400) for _name, status in statuses), statuses
    assert statuses.count(("restock", 200)) == 10
    for name, response in done:
        if response.status_code == 400:
            assert name == "reconcile" and "quantity" in response.json(), response.json()
    taken = statuses.count(("reconcile", 200))
    assert services.on_hand_of(part) == 3 + 20 - 2 * taken
    rows = StockTransaction.objects.filter(part=part)
    assert rows.count() == 1 + 10 + taken
    assert_ledger_consistent(part, places)
