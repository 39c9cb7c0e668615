"""``core.statements``: a hand-written read loads exactly what the ORM loads, and a hand-written
update writes exactly what ``QuerySet.update`` writes, on SQLite and on PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.statements import RowRead, insert_rows, update_row
from inventory.models import Part, StockItem, StockTransaction, TransactionType
from tests.helpers import ON_BOTH
from tests.inventory.factories import stocked_part


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def part(site, manager_user, store):
    return stocked_part(
        site, manager_user, "12.345", store.shelf, "3.21", min_qty="0.001", lead_time=9
    )


@ON_BOTH
def test_a_row_read_loads_what_the_orm_loads(part, database):
    item = part.stock_items.get()
    for model, read, pk in (
        (Part, RowRead(Part, where="{id} = %s"), part.pk),
        (StockItem, RowRead(StockItem, where="{id} = %s", lock=True), item.pk),
    ):
        expected = _values(model.objects.get(pk=pk))
        loaded = read.one(pk)
        assert _values(loaded) == expected
        assert {k: type(v) for k, v in _values(loaded).items()} == {
            k: type(v) for k, v in expected.items()
        }
        assert loaded._state.adding is False and loaded._state.db == "default"


def test_a_row_read_finds_nothing_as_none(part):
    assert RowRead(Part, where="{id} = %s").one(part.pk + 1000) is None


def test_a_locking_read_locks_only_where_the_database_can(part):
    sql = RowRead(Part, where="{name} = %s", order_by="{id}", lock=True).sql(connection)
    assert sql.endswith(" FOR UPDATE") == connection.features.has_select_for_update
    assert " ORDER BY " in sql and " LIMIT 1" in sql


@ON_BOTH
def test_an_update_row_writes_what_an_orm_update_writes(part, manager_user, database):
    when = timezone.now() - timedelta(days=3)
    values = {
        "on_hand": Decimal("98765.43210"),
        "unit_cost": Decimal("1.50"),
        "active": False,
        "updated_by": manager_user,
        "updated_at": when,
        "default_location": None,
    }
    assert update_row(Part, part.pk, **values) == 1
    written = _values(Part.objects.get(pk=part.pk))
    Part.objects.filter(pk=part.pk).update(**values)
    assert written == _values(Part.objects.get(pk=part.pk))
    assert written["updated_at"] == when and written["updated_by_id"] == manager_user.pk


def test_an_update_row_of_no_row_changes_nothing(part):
    assert update_row(Part, part.pk + 1000, name="Ghost") == 0


@ON_BOTH
def test_inserted_rows_read_back_as_bulk_created_ones(part, manager_user, database):
    item = part.stock_items.get()

    def rows(note):
        return [
            StockTransaction(
                site_id=part.site_id,
                part=part,
                stock_item=item,
                location_id=item.location_id,
                type=TransactionType.RESTOCK,
                quantity=Decimal(q),
                unit_cost=Decimal("2.50"),
                total_cost=Decimal(q) * Decimal("2.50"),
                on_hand_after=Decimal("99.12345"),
                note=note,
                created_by=manager_user,
            )
            for q in ("1.5", "-0.001")
        ]

    ours = insert_rows(rows("ours"))
    theirs = StockTransaction.objects.bulk_create(rows("theirs"))
    assert all(row.pk and not row._state.adding for row in ours)
    assert len({row.pk for row in ours + theirs}) == 4

    def stored(row) -> dict:
        values = _values(StockTransaction.objects.get(pk=row.pk))
        return {k: v for k, v in values.items() if k not in ("id", "note", "created_at")}

    assert [stored(r) for r in ours] == [stored(r) for r in theirs]
    assert [r.note for r in StockTransaction.objects.filter(pk__in=[r.pk for r in ours])] == [
        "ours",
        "ours",
    ]
