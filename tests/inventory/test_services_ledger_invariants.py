"""The stock ledger's invariants under random sequences of stock actions.

Hypothesis drives restock / reconcile (+ and -) / transfer / scrap / unit-cost / avg-cost steps,
with valid and invalid amounts, on two parts across two or three locations. A plain Python model
says what each step must do (or that it must be refused); after every step the stored state must
match the model and these must hold for every part:

- on-hand (the recount ``services.on_hand_of`` and the part's stored ``on_hand``) == sum of its
  ledger;
- no stock item is negative; the last ledger row's ``on_hand_after`` == on-hand;
- a refused action wrote nothing at all;
- the average cost stays between the lowest and highest cost it was built from, and each row's
  ``total_cost`` is ``quantity x unit_cost`` rounded to cents.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.errors import ServiceError
from inventory import selectors, services
from inventory.models import Part, StockItem, StockTransaction
from tests.factories import LocationFactory

D = Decimal
CENT = D("0.01")

# Valid and invalid inputs, as a form or an API client would send them; valid ones 3 times in 4.
QUANTITIES = (
    ["1", "2.5", "0.001", "3.333", "7", "10", "1.2340"],
    ["0", "-1", "1.2345", "x", "1e12"],
)
DELTAS = (["1", "-1", "2.5", "-2.5", "-7", "0.001", "-0.001", "12"], ["-50", "0", "0.0001", "?"])
COSTS = (["0", "1.5", "2.500", "9.99", "10", "123.45", "0.01"], ["-1", "2.505", "x", ""])
NOTES = (["count", " recount "], ["", "   "])


def inputs(choices: tuple[list[str], list[str]]) -> st.SearchStrategy[str]:
    valid, invalid = choices
    return st.sampled_from(valid * 3 + invalid)


part_index = st.integers(min_value=0, max_value=1)
location_index = st.integers(min_value=0, max_value=2)
item_index = st.integers(min_value=0, max_value=5)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("restock"),
            part_index,
            st.none() | location_index,
            inputs(QUANTITIES),
            inputs(COSTS),
        ),
        st.tuples(
            st.just("reconcile"),
            part_index,
            st.none() | location_index,
            inputs(DELTAS),
            inputs(NOTES),
        ),
        st.tuples(
            st.just("transfer"),
            part_index,
            item_index,
            location_index,
            st.none() | inputs(QUANTITIES),
        ),
        st.tuples(
            st.just("scrap"),
            part_index,
            item_index,
            st.none() | inputs(QUANTITIES),
            inputs(NOTES),
        ),
        st.tuples(st.just("unit_cost"), part_index, inputs(COSTS)),
        st.tuples(st.just("avg_cost"), part_index, inputs(COSTS)),
    ),
    min_size=3,
    max_size=20,
)


def number(text: str, places: int, maximum: Decimal) -> Decimal | None:
    """The number the services accept for ``text``, or None when they must refuse it."""
    try:
        value = D(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= maximum:
        return None
    if value != value.quantize(D(1).scaleb(-places)):
        return None
    return value


def quantity(text):  # > 0, 3 places
    value = number(text, 3, D("1e12"))
    return value if value is not None and value > 0 else None


def delta(text):  # != 0, 3 places
    value = number(text, 3, D("1e12"))
    return value if value is not None and value != 0 else None


def cost(text):  # >= 0, 2 places
    value = number(text, 2, D("1e10"))
    return value if value is not None and value >= 0 else None


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class PartModel:
    """What one part must look like: stock per location (one item each), costs, ledger length."""

    default: int | None
    avg: Decimal
    unit: Decimal
    low: Decimal  # lowest / highest cost the average was built from
    high: Decimal
    stock: dict[int, Decimal] = field(default_factory=dict)  # location index -> item quantity
    rows: int = 0

    @property
    def on_hand(self) -> Decimal:
        return sum(self.stock.values(), D(0))


class Scenario:
    """The stored records of one example and the model they must match."""

    def __init__(self, site, by, locations: int, opening: str, opening_cost: str):
        self.by = by
        self.locations = [LocationFactory(site=site, name=f"Bin {i}") for i in range(locations)]
        self.site = site
        first = services.part_create(
            site=site,
            by=by,
            name="Filter",
            on_hand_qty=opening,
            unit_cost=opening_cost,
            location=self.locations[0],
            default_location=self.locations[0],
        )
        second = services.part_create(  # no default location; its opening stock is in Bin 1
            site=site, by=by, name="Belt", on_hand_qty=opening, location=self.locations[1]
        )
        # Held as a caller holds them: loaded once, stale after the first action.
        self.parts = [Part.objects.get(pk=first.pk), Part.objects.get(pk=second.pk)]
        c = D(opening_cost)
        self.models = [
            PartModel(default=0, avg=c, unit=c, low=c, high=c),
            PartModel(default=None, avg=D(0), unit=D(0), low=D(0), high=D(0)),
        ]
        if D(opening) > 0:
            self.models[0].stock[0] = self.models[1].stock[1] = D(opening)
            self.models[0].rows = self.models[1].rows = 1
        self.checked_rows = 0

    def wrap(self, index: int | None) -> int | None:
        """Location choices are drawn from 0-2; with two locations, 2 means the first."""
        return None if index is None else index % len(self.locations)

    def location_index(self, location_id) -> int:
        return next(i for i, loc in enumerate(self.locations) if loc.pk == location_id)

    # --- one step: what the model says, then what the service does ---------------------------

    def run(self, step) -> None:
        kind, p = step[0], step[1]
        part, model = self.parts[p], self.models[p]
        plan = getattr(self, f"plan_{kind}")(part, model, *step[2:])
        if plan is None:
            return  # nothing to act on (e.g. no stock item to pick)
        call, outcome = plan
        event(f"{kind} {'refused' if outcome is None else 'accepted'}")
        if outcome is None:  # must be refused
            before = self.everything()
            try:
                call()
            except ServiceError:
                assert self.everything() == before, f"{step} was refused but wrote something"
                return
            raise AssertionError(f"{step} was accepted but must be refused")
        try:
            call()
        except ServiceError as exc:
            raise AssertionError(f"{step} was refused but is allowed: {exc.errors}") from None
        outcome()

    def plan_restock(self, part, model, where, qty_text, cost_text):
        where = self.wrap(where)
        location = model.default if where is None else where
        q, c = quantity(qty_text), cost(cost_text)
        call = lambda: services.part_restock(  # noqa: E731
            part=part,
            by=self.by,
            quantity=qty_text,
            cost=cost_text,
            location=None if where is None else self.locations[where],
        )
        if q is None or c is None or location is None:
            return call, None

        def outcome():
            on_hand = model.on_hand
            model.avg = money((on_hand * model.avg + q * c) / (on_hand + q)) if on_hand else c
            model.unit = c
            model.low, model.high = min(model.low, c), max(model.high, c)
            model.stock[location] = model.stock.get(location, D(0)) + q
            model.rows += 1

        return call, outcome

    def plan_reconcile(self, part, model, where, delta_text, note):
        where = self.wrap(where)
        d = delta(delta_text)
        call = lambda: services.part_reconcile(  # noqa: E731
            part=part,
            by=self.by,
            quantity=delta_text,
            note=note,
            location=None if where is None else self.locations[where],
        )
        if d is None or not note.strip():
            return call, None
        if where is not None:
            target = where if (where in model.stock or d > 0) else None
        else:
            stocked = [loc for loc, qty in model.stock.items() if qty > 0]
            if len(stocked) == 1:
                target = stocked[0]
            elif not stocked and d > 0:
                target = model.default
            else:
                target = None
        if target is None or model.stock.get(target, D(0)) + d < 0:
            return call, None

        def outcome():
            model.stock[target] = model.stock.get(target, D(0)) + d
            model.rows += 1

        return call, outcome

    def picked_item(self, part, index):
        items = list(StockItem.objects.filter(part=part).order_by("pk"))
        return items[index % len(items)] if items else None

    def plan_transfer(self, part, model, index, to, qty_text):
        to = self.wrap(to)
        item = self.picked_item(part, index)
        if item is None:
            return None
        source = self.location_index(item.location_id)
        held = model.stock[source]
        call = lambda: services.stock_transfer(  # noqa: E731
            item=item, by=self.by, location=self.locations[to], quantity=qty_text
        )
        amount = held if qty_text is None else quantity(qty_text)
        if amount is None or amount <= 0 or amount > held or to == source:
            return call, None

        def outcome():
            if amount == held and to not in model.stock:  # the item itself moves
                del model.stock[source]
                model.stock[to] = amount
            else:  # split off / merged into the item at the destination
                model.stock[source] = held - amount
                model.stock[to] = model.stock.get(to, D(0)) + amount
            model.rows += 2

        return call, outcome

    def plan_scrap(self, part, model, index, qty_text, note):
        item = self.picked_item(part, index)
        if item is None:
            return None
        source = self.location_index(item.location_id)
        held = model.stock[source]
        call = lambda: services.stock_scrap(  # noqa: E731
            item=item, by=self.by, quantity=qty_text, note=note
        )
        amount = held if qty_text is None else quantity(qty_text)
        if amount is None or amount <= 0 or amount > held or not note.strip():
            return call, None

        def outcome():
            model.stock[source] = held - amount
            model.rows += 1

        return call, outcome

    def plan_unit_cost(self, part, model, cost_text):
        def apply(c):
            model.unit = c

        return self.plan_cost(services.part_unit_cost_set, part, model, cost_text, apply)

    def plan_avg_cost(self, part, model, cost_text):
        def apply(c):
            model.avg = model.low = model.high = c  # a revaluation starts a new range

        return self.plan_cost(services.part_avg_cost_set, part, model, cost_text, apply)

    def plan_cost(self, action, part, model, cost_text, apply):
        """A cost update: refused unless the cost is valid; else ``apply(cost)`` to the model and
        one (zero-quantity) ledger row."""
        c = cost(cost_text)
        call = lambda: action(part=part, by=self.by, cost=cost_text)  # noqa: E731
        if c is None:
            return call, None

        def outcome():
            apply(c)
            model.rows += 1

        return call, outcome

    # --- what must hold after every step ---------------------------------------------------------

    def everything(self) -> tuple:
        return (
            sorted(StockTransaction.objects.values_list("pk", flat=True)),
            sorted(StockItem.objects.values_list("pk", "location", "quantity")),
            sorted(
                Part.objects.values_list(
                    "pk", "unit_cost", "avg_unit_cost", "on_hand", "updated_at"
                )
            ),
        )

    def check(self) -> None:
        listed = {p.pk: p.on_hand for p in selectors.parts_for_list(site=self.site)}
        for part, model in zip(self.parts, self.models, strict=True):
            on_hand = services.on_hand_of(part)
            ledger = StockTransaction.objects.filter(part=part)
            assert on_hand == model.on_hand
            assert listed[part.pk] == on_hand
            # Summed here, exactly: SQLite's SUM() of a decimal column is a float sum.
            assert sum(ledger.values_list("quantity", flat=True), D(0)) == on_hand
            assert ledger.count() == model.rows
            if model.rows:
                assert ledger.order_by("-pk").first().on_hand_after == on_hand
            items = {
                self.location_index(item.location_id): item.quantity
                for item in StockItem.objects.filter(part=part)
            }
            assert StockItem.objects.filter(part=part).count() == len(items)  # one per location
            assert items == model.stock
            assert all(qty >= 0 for qty in items.values())
            stored = Part.objects.get(pk=part.pk)
            assert (stored.avg_unit_cost, stored.unit_cost) == (model.avg, model.unit)
            assert model.low <= stored.avg_unit_cost <= model.high
        new_rows = StockTransaction.objects.filter(pk__gt=self.checked_rows).order_by("pk")
        for row in new_rows:
            assert row.total_cost == money(row.quantity * row.unit_cost), row
            self.checked_rows = row.pk


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    locations=st.integers(min_value=2, max_value=3),
    opening=st.sampled_from(["5", "2.5", "0"]),
    opening_cost=st.sampled_from(["0", "3.10"]),
    steps=steps,
)
def test_random_stock_actions_keep_the_ledger_equal_to_stock(
    site, manager_user, locations, opening, opening_cost, steps
):
    with transaction.atomic():  # each example starts from the same empty site
        scenario = Scenario(site, manager_user, locations, opening, opening_cost)
        scenario.check()
        for step in steps:
            scenario.run(step)
            scenario.check()
        last_row = StockTransaction.objects.order_by("-pk").values_list("pk", flat=True).first()
        assert scenario.checked_rows == (last_row or 0)  # every ledger row was checked
        transaction.set_rollback(True)
