"""factory_boy factories for inventory records.

Factories write rows directly, so they never touch the ledger: use them for catalogue data and
for stock whose quantities no test checks. Stock that a test counts goes through the services
(``stocked_part``), so that the ledger sums to on-hand as it does in production.
"""

from decimal import Decimal

import factory

from core.search import search_text
from inventory import services
from inventory.models import Part, PartType, StockCount, StockItem, StockStatus, Vendor
from tests.factories import SiteFactory


class PartTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartType

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Type {n}")


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Vendor {n}")
    contact_name = "Sam Supplier"
    email = factory.Sequence(lambda n: f"sales{n}@vendor.example")


class PartFactory(factory.django.DjangoModelFactory):
    """A catalogue entry without stock or ledger rows."""

    class Meta:
        model = Part

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"Part {n}")
    unit_cost = Decimal("0")
    avg_unit_cost = Decimal("0")
    # As the parts service writes it (without vendors: the factory links none).
    search_text = factory.LazyAttribute(
        lambda p: search_text(p.number, p.name, getattr(p, "description", ""))
    )


class StockItemFactory(factory.django.DjangoModelFactory):
    """A stock item written directly, WITHOUT a ledger row: on-hand and ledger then disagree.
    Only for tests that do not count stock (lists, filters, query counts)."""

    class Meta:
        model = StockItem

    part = factory.SubFactory(PartFactory)
    site = factory.SelfAttribute("part.site")
    location = None
    quantity = Decimal("1")
    status = StockStatus.OK


def stocked_part(site, by, qty, location, cost="0", **fields) -> Part:
    """A part created through ``services.part_create`` with opening stock ``qty`` at
    ``location`` at unit cost ``cost``: one restock ledger row, one stock item."""
    fields.setdefault("name", f"Stocked part {Part.objects.count() + 1}")
    return services.part_create(
        site=site, by=by, on_hand_qty=qty, unit_cost=cost, location=location, **fields
    )


def reported_count(part, by, counted="12", **where) -> StockCount:
    """A count of ``part`` (``where``: its ``stock_item`` or ``location``) reported through
    ``services.stock_counts_report`` with the reason "cycle count": a technician's waits for a
    manager, one who may reconcile is booked at once."""
    [count] = services.stock_counts_report(
        part=part, by=by, counts=[services.Counted(counted, **where)], note="cycle count"
    )
    return count


def supplied_by(part: Part, by, vendor_name: str, vendor_part_number: str, **fields) -> Vendor:
    """A new vendor, made the part's preferred supplier under ``vendor_part_number`` through
    ``services.part_update`` (with any other ``fields`` the update should change)."""
    vendor = services.vendor_create(site=part.site, by=by, name=vendor_name)
    link = {"vendor": vendor, "vendor_part_number": vendor_part_number, "is_preferred": True}
    services.part_update(part=part, by=by, vendors=[link], **fields)
    return vendor
