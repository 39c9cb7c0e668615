"""Every write in inventory: parts, vendors and part types, and the stock ledger actions.

Split by concern: ``parts`` (the catalogue), ``stock`` (the actions that move stock or cost),
``counts`` (counting: booking counts, counts reported for a manager, the site's counting policy),
``ledger`` (their shared building blocks), ``vendors``. Callers import from here.
"""

from inventory.models import on_hand_of
from inventory.services.counts import (
    Counted,
    may_reconcile,
    part_counts_apply,
    site_counting_set,
    stock_count_confirm,
    stock_count_reject,
    stock_counts_report,
)
from inventory.services.parts import MAX_LEAD_TIME, part_create, part_delete, part_update
from inventory.services.stock import (
    part_avg_cost_set,
    part_reconcile,
    part_restock,
    part_unit_cost_set,
    stock_scrap,
    stock_transfer,
)
from inventory.services.vendors import part_type_create, vendor_create, vendor_update

__all__ = [
    "MAX_LEAD_TIME",
    "Counted",
    "may_reconcile",
    "on_hand_of",
    "part_avg_cost_set",
    "part_counts_apply",
    "part_create",
    "part_delete",
    "part_reconcile",
    "part_restock",
    "part_type_create",
    "part_unit_cost_set",
    "part_update",
    "site_counting_set",
    "stock_count_confirm",
    "stock_count_reject",
    "stock_counts_report",
    "stock_scrap",
    "stock_transfer",
    "vendor_create",
    "vendor_update",
]
