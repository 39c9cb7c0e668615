"""Fixtures for inventory's tests: a store tree, a stocked part, another site's records (its
``foreign_location`` is in the root conftest), state snapshots.

Others may append fixtures at the end of this file.
"""

from types import SimpleNamespace

import pytest

from inventory import services
from inventory.models import Part, StockItem, StockTransaction
from tests.factories import LocationFactory
from tests.inventory.factories import stocked_part


@pytest.fixture
def store(site):
    """``Store > Shelf A > Bin 1``, ``Store > Shelf B`` and ``Yard`` at ``site``."""
    building = LocationFactory(site=site, name="Store")
    shelf = LocationFactory(site=site, name="Shelf A", parent=building)
    bin_ = LocationFactory(site=site, name="Bin 1", parent=shelf)
    shelf_b = LocationFactory(site=site, name="Shelf B", parent=building)
    yard = LocationFactory(site=site, name="Yard")
    return SimpleNamespace(building=building, shelf=shelf, bin=bin_, shelf_b=shelf_b, yard=yard)


@pytest.fixture
def part(site, manager_user, store):
    """ "Oil filter" (default location Shelf A): 10 on hand on Shelf A at 5.00, booked as one
    opening restock."""
    return stocked_part(
        site,
        manager_user,
        "10",
        store.shelf,
        "5.00",
        name="Oil filter",
        number="OF-1",
        default_location=store.shelf,
    )


@pytest.fixture
def foreign_part(other_site, other_site_user, foreign_location):
    """A stocked part of ``other_site``."""
    return stocked_part(
        other_site, other_site_user, "4", foreign_location, "2.00", name="Their filter"
    )


@pytest.fixture
def foreign_item(foreign_part):
    """The 4 pcs of ``foreign_part`` at ``foreign_location``."""
    return foreign_part.stock_items.get()


@pytest.fixture
def foreign_vendor(other_site, other_site_user):
    """A vendor of ``other_site``."""
    return services.vendor_create(site=other_site, by=other_site_user, name="Foreign Supply")


def _snapshot(part: Part) -> dict:
    """Everything a stock action could change about a part."""
    part = Part.objects.get(pk=part.pk)
    return {
        "ledger_rows": StockTransaction.objects.filter(part=part).count(),
        "items": sorted(
            StockItem.objects.filter(part=part).values_list("pk", "location_id", "quantity")
        ),
        "unit_cost": part.unit_cost,
        "avg_unit_cost": part.avg_unit_cost,
        "is_non_stock": part.is_non_stock,
        "updated_at": part.updated_at,
    }


@pytest.fixture
def snapshot():
    """``snapshot(part)``: ledger row count, stock items and costs, to show a refusal wrote
    nothing."""
    return _snapshot
