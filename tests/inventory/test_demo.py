"""The demo inventory that ``seed_demo`` adds through the ledger services."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from inventory import selectors, services
from inventory.models import Part, StockTransaction


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_stocks_parts_at_both_sites_with_low_stock_examples(seeded):
    for site_name in ("Main Plant", "North Plant"):
        parts = Part.objects.filter(site__name=site_name)
        assert parts.exists()
        site = parts.first().site
        assert selectors.low_stock_parts(site=site).exists()


def test_demo_ledger_sums_to_the_stock_of_every_part(seeded):
    for part in Part.objects.all():
        ledger = StockTransaction.objects.filter(part=part).aggregate(s=Sum("quantity"))["s"]
        assert ledger == services.on_hand_of(part)


def test_seeding_twice_adds_no_parts_or_ledger_rows(seeded):
    before = (Part.objects.count(), StockTransaction.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Part.objects.count(), StockTransaction.objects.count()) == before
