from decimal import Decimal

import pytest

from core.errors import ServiceError
from inventory import selectors, services
from inventory.models import StockTransaction
from tests.factories import LocationFactory


def test_restock_reconcile_transfer_scrap_keep_ledger_equal_to_on_hand(site, manager_user):
    a = LocationFactory(site=site, name="A")
    b = LocationFactory(site=site, name="B")
    part = services.part_create(
        site=site, by=manager_user, name="Filter", on_hand_qty="5", unit_cost="10", location=a
    )
    services.part_restock(part=part, by=manager_user, quantity="5", cost="20", location=a)
    part.refresh_from_db()
    assert part.avg_unit_cost == Decimal("15.00") and part.unit_cost == Decimal("20.00")
    services.part_reconcile(part=part, by=manager_user, quantity="-2", note="count")
    item = part.stock_items.get()
    services.stock_transfer(item=item, by=manager_user, location=b, quantity="3")
    item_b = part.stock_items.get(location=b)
    services.stock_scrap(item=item_b, by=manager_user, quantity="1", note="broken")
    with pytest.raises(ServiceError):
        services.part_reconcile(part=part, by=manager_user, quantity="-99", note="x", location=a)
    on_hand = services.on_hand_of(part)
    ledger = sum(t.quantity for t in StockTransaction.objects.filter(part=part))
    assert on_hand == ledger == Decimal("7")
    listed = selectors.parts_for_list(site=site).get(pk=part.pk)
    assert listed.on_hand == Decimal("7") and listed.available == Decimal("7")
    last = StockTransaction.objects.filter(part=part).order_by("-pk").first()
    assert last.on_hand_after == Decimal("7")
