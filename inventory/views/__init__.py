"""Inventory pages: parts, the part page with its stock actions and ledger, reorder, vendors and
stock by location.

Views stay thin: they scope by the request's site (``core.pages``), read through
``inventory.selectors``, let forms check the shape of the input and write only through
``inventory.services``. Everyone at the site may read; changing stock or the catalogue needs a
manager (403 otherwise), and another site's part, vendor, stock item or location is a 404.
"""

from inventory.views.lists import reorder, stock_by_location
from inventory.views.parts import part_create, part_detail, part_edit, part_list
from inventory.views.stock_actions import (
    part_avg_cost,
    part_reconcile,
    part_restock,
    part_scrap,
    part_transfer,
    part_unit_cost,
)
from inventory.views.vendors import vendor_create, vendor_detail, vendor_edit, vendor_list

__all__ = [
    "part_avg_cost",
    "part_create",
    "part_detail",
    "part_edit",
    "part_list",
    "part_reconcile",
    "part_restock",
    "part_scrap",
    "part_transfer",
    "part_unit_cost",
    "reorder",
    "stock_by_location",
    "vendor_create",
    "vendor_detail",
    "vendor_edit",
    "vendor_list",
]
