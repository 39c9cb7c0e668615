"""Who may write inventory, and with which inputs (``inventory.services``).

Technicians and members of other sites are refused every inventory write with
``PermissionDenied``; records of another site are refused as inputs with a ``ServiceError`` on the
field that named them; and any refusal, however late in the action, leaves nothing written.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ServiceError
from inventory import services
from inventory.models import Part, PartType, PartVendor, StockItem, StockTransaction, Vendor
from tests.factories import LocationFactory

D = Decimal


@pytest.fixture
def world(
    site,
    other_site,
    manager_user,
    other_site_user,
    foreign_location,
    foreign_part,
    foreign_item,
    foreign_vendor,
):
    """A stocked part with a vendor and a part type at ``site``, and the same at ``other_site``
    (the shared ``foreign_*`` records, plus a part type)."""
    here = LocationFactory(site=site, name="Shelf A")
    there = LocationFactory(site=site, name="Shelf B")
    part = services.part_create(
        site=site, by=manager_user, name="Filter", on_hand_qty="10", unit_cost="4", location=here
    )
    return SimpleNamespace(
        here=here,
        there=there,
        part=part,
        item=StockItem.objects.get(part=part),
        vendor=services.vendor_create(site=site, by=manager_user, name="Acme"),
        part_type=services.part_type_create(site=site, by=manager_user, name="Filters"),
        foreign_location=foreign_location,
        foreign_part=foreign_part,
        foreign_item=foreign_item,
        foreign_vendor=foreign_vendor,
        foreign_type=services.part_type_create(site=other_site, by=other_site_user, name="Theirs"),
    )


def everything() -> dict:
    """Every inventory row, to show that a refused write changed nothing anywhere."""
    return {
        "parts": sorted(
            Part.objects.values_list("pk", "name", "unit_cost", "avg_unit_cost", "updated_at")
        ),
        "items": sorted(StockItem.objects.values_list("pk", "location", "quantity", "part")),
        "ledger": sorted(StockTransaction.objects.values_list("pk", "quantity")),
        "vendors": sorted(Vendor.objects.values_list("pk", "name", "updated_at")),
        "links": sorted(PartVendor.objects.values_list("part", "vendor")),
        "types": sorted(PartType.objects.values_list("pk", "name")),
    }


WRITES = {
    "part_create": lambda w, by: services.part_create(site=w.part.site, by=by, name="New"),
    "part_update": lambda w, by: services.part_update(part=w.part, by=by, name="Renamed"),
    "part_delete": lambda w, by: services.part_delete(part=w.part, by=by),
    "restock": lambda w, by: services.part_restock(
        part=w.part, by=by, quantity="1", cost="1", location=w.here
    ),
    "reconcile": lambda w, by: services.part_reconcile(part=w.part, by=by, quantity="-1", note="n"),
    "unit_cost": lambda w, by: services.part_unit_cost_set(part=w.part, by=by, cost="1"),
    "avg_cost": lambda w, by: services.part_avg_cost_set(part=w.part, by=by, cost="1"),
    "transfer": lambda w, by: services.stock_transfer(item=w.item, by=by, location=w.there),
    "scrap": lambda w, by: services.stock_scrap(item=w.item, by=by, quantity="1", note="n"),
    "vendor_create": lambda w, by: services.vendor_create(site=w.part.site, by=by, name="New"),
    "vendor_update": lambda w, by: services.vendor_update(vendor=w.vendor, by=by, name="X"),
    "part_type_create": lambda w, by: services.part_type_create(
        site=w.part.site, by=by, name="New"
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize(
    "actor",
    ["tech_user", "other_site_user"],
    ids=["a technician", "an admin of another site"],
)
def test_technicians_and_admins_of_another_site_may_not_write_inventory(
    request, world, actor, write
):
    before = everything()
    with pytest.raises(PermissionDenied):
        write(world, request.getfixturevalue(actor))
    assert everything() == before


@pytest.mark.parametrize("name", ["restock", "reconcile", "transfer", "scrap", "part_update"])
def test_an_admin_of_the_site_may_write_inventory(world, admin_user, name):
    before = everything()
    WRITES[name](world, admin_user)
    assert everything() != before


# --- Other sites' records as inputs ---------------------------------------------------------------


CROSS_SITE = {
    "restock-location": (
        "location",
        lambda w, by: services.part_restock(
            part=w.part, by=by, quantity="1", cost="1", location=w.foreign_location
        ),
    ),
    "reconcile-location": (
        "location",
        lambda w, by: services.part_reconcile(
            part=w.part, by=by, quantity="1", note="n", location=w.foreign_location
        ),
    ),
    "reconcile-stock-item": (
        "stock_item",
        lambda w, by: services.part_reconcile(
            part=w.part, by=by, quantity="-1", note="n", stock_item=w.foreign_item
        ),
    ),
    "transfer-destination": (
        "location",
        lambda w, by: services.stock_transfer(item=w.item, by=by, location=w.foreign_location),
    ),
    "create-opening-location": (
        "location",
        lambda w, by: services.part_create(
            site=w.part.site, by=by, name="New", on_hand_qty="1", location=w.foreign_location
        ),
    ),
    "create-default-location": (
        "default_location",
        lambda w, by: services.part_create(
            site=w.part.site, by=by, name="New", default_location=w.foreign_location
        ),
    ),
    "create-part-type": (
        "part_type",
        lambda w, by: services.part_create(
            site=w.part.site, by=by, name="New", part_type=w.foreign_type
        ),
    ),
    "create-vendor": (
        "vendors",
        lambda w, by: services.part_create(
            site=w.part.site, by=by, name="New", vendors=[{"vendor": w.foreign_vendor}]
        ),
    ),
    "update-default-location": (
        "default_location",
        lambda w, by: services.part_update(
            part=w.part, by=by, name="Renamed", default_location=w.foreign_location
        ),
    ),
    "update-part-type": (
        "part_type",
        lambda w, by: services.part_update(
            part=w.part, by=by, name="Renamed", part_type=w.foreign_type
        ),
    ),
    "update-vendor": (
        "vendors",
        lambda w, by: services.part_update(
            part=w.part,
            by=by,
            name="Renamed",
            vendors=[{"vendor": w.vendor}, {"vendor": w.foreign_vendor}],
        ),
    ),
}


@pytest.mark.parametrize(("field", "write"), CROSS_SITE.values(), ids=CROSS_SITE.keys())
def test_records_of_another_site_are_refused_as_inputs(world, manager_user, field, write):
    before = everything()
    with pytest.raises(ServiceError) as refused:
        write(world, manager_user)
    assert field in refused.value.errors, refused.value.errors
    assert everything() == before


def test_another_sites_stock_item_cannot_be_moved_or_scrapped_from_here(world, manager_user):
    before = everything()
    with pytest.raises(PermissionDenied):
        services.stock_transfer(item=world.foreign_item, by=manager_user, location=world.here)
    with pytest.raises(PermissionDenied):
        services.stock_scrap(item=world.foreign_item, by=manager_user, note="n")
    assert everything() == before


# --- A refusal after the first writes still writes nothing ----------------------------------------


def test_a_part_refused_for_its_vendors_is_not_created(world, manager_user):
    """The vendor check runs after the part row is inserted; the insert is rolled back."""
    before = everything()
    with pytest.raises(ServiceError):
        services.part_create(
            site=world.part.site,
            by=manager_user,
            name="New",
            on_hand_qty="5",
            location=world.here,
            vendors=[{"vendor": world.vendor}, {"vendor": world.vendor}],
        )
    assert everything() == before


def test_an_update_refused_for_its_vendors_keeps_the_old_values(world, manager_user):
    """The part row is saved before the vendor links are checked; the save is rolled back."""
    before = everything()
    with pytest.raises(ServiceError):
        services.part_update(
            part=world.part,
            by=manager_user,
            name="Renamed",
            vendors=[{"vendor": world.vendor, "is_preferred": True}] * 2,
        )
    assert everything() == before


def test_a_restock_refused_at_its_ledger_row_rolls_back_the_stock_and_costs(world, manager_user):
    """The average cost and the stock item are written before the ledger row is checked."""
    before = everything()
    with pytest.raises(ServiceError):
        services.part_restock(
            part=world.part, by=manager_user, quantity="999999999999", cost="9999999999.99"
        )
    assert everything() == before
