"""Inventory's dashboard cards (``core.dashboard``): find a part or scan a label, what is low on
stock, and the latest stock movements.

The two live cards refresh themselves every so often; what they show is cached under the data it
depends on (``core.versions``), so a dashboard left open on many screens costs one cache read
per refresh between stock movements, and one query after each.
"""

from core.dashboard import register_card
from core.models import Role, Site
from core.numbers import format_quantity
from core.versions import cached_answer
from inventory.models import CountStatus, Part, StockCount, StockTransaction
from inventory.services.counts import COUNTS_DATA
from inventory.services.ledger import STOCK_DATA
from inventory.services.parts import PART_LIST_DATA

LOW_STOCK_SHOWN = 5
MOVEMENTS_SHOWN = 8
# Cached under the data's version, so never stale; the timeout only bounds memory.
CARD_CACHE_SECONDS = 600


def stock_at_a_glance(*, site: Site) -> dict:
    """The inventory card's figures: active parts, how many are low on stock and the first of
    them by name (what is available against the minimum). One cache read under the catalogue's
    and the stock's version, between writes; then three queries."""

    def compute() -> dict:
        active = Part.objects.for_site(site).filter(active=True)
        low = active.low_stock()
        first = (
            low.with_quantities()
            .order_by("name", "pk")
            .only("id", "site_id", "number", "name", "units", "on_hand", "min_qty")
        )
        return {
            "parts": active.count(),
            "low_stock": low.count(),
            "first_low": [
                {
                    "pk": part.pk,
                    "name": part.name,
                    "number": part.number,
                    "available": format_quantity(part.available),
                    "min_qty": format_quantity(part.min_qty),
                    "units": part.units,
                }
                for part in first[:LOW_STOCK_SHOWN]
            ],
        }

    versioned = (site.pk, PART_LIST_DATA)
    return cached_answer(versioned, ("dashboard", "stock at a glance"), compute, CARD_CACHE_SECONDS)


def recent_movements(*, site: Site) -> list[dict]:
    """The latest ledger rows of the site: when, which part, what, how much, by whom."""

    def compute() -> list[dict]:
        rows = (
            StockTransaction.objects.filter(site=site)
            .select_related("part", "created_by")
            .only(
                "id",
                "type",
                "quantity",
                "created_at",
                "part__id",
                "part__name",
                "part__units",
                "created_by__username",
                "created_by__first_name",
                "created_by__last_name",
            )
            .order_by("-created_at", "-pk")[:MOVEMENTS_SHOWN]
        )
        return [
            {
                "pk": row.pk,
                "part_id": row.part_id,
                "part_name": row.part.name,
                "type": row.get_type_display(),
                "quantity": row.quantity,
                "units": row.part.units,
                "at": row.created_at,
                "by": row.created_by.get_full_name() or row.created_by.get_username()
                if row.created_by
                else "",
            }
            for row in rows
        ]

    return cached_answer(
        (site.pk, STOCK_DATA), ("dashboard", "movements"), compute, CARD_CACHE_SECONDS
    )


def counts_to_confirm(*, site: Site) -> int:
    """How many reported counts wait for a manager's decision."""
    pending = StockCount.objects.for_site(site).filter(status=CountStatus.PENDING)
    versioned = (site.pk, COUNTS_DATA)
    return cached_answer(versioned, ("dashboard", "to confirm"), pending.count, CARD_CACHE_SECONDS)


def _nothing(request) -> dict:
    return {}


def register_cards() -> None:
    """Called from ``InventoryConfig.ready()``."""
    register_card("find", template="inventory/_dashboard_find.html", context=_nothing, order=5)
    register_card(
        "inventory",
        template="inventory/_dashboard_card.html",
        context=lambda request: {"summary": stock_at_a_glance(site=request.site)},
        order=20,
        refresh=60,
    )
    register_card(
        "stock-movements",
        template="inventory/_dashboard_movements.html",
        context=lambda request: {"movements": recent_movements(site=request.site)},
        order=30,
        refresh=30,
    )
    register_card(
        "counts-to-confirm",
        template="inventory/_dashboard_counts.html",
        context=lambda request: {"pending": counts_to_confirm(site=request.site)},
        order=25,
        refresh=60,
        role=Role.MANAGER,
    )
