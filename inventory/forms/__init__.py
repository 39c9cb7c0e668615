"""Page forms of inventory. They check the shape of the input (numbers within the limits of
``core.numbers``); ``inventory.services`` decides whether the write is allowed, and its
``ServiceError`` lands on the field it names through ``add_service_errors``.

Split by concern: ``lists`` (search and filters above lists), ``parts`` (create/edit a part and
its vendors), ``vendors``, ``actions`` (the stock actions on the part page).
"""

from inventory.forms.actions import CostForm, ReconcileForm, RestockForm, ScrapForm, TransferForm
from inventory.forms.lists import PartListFilterForm, StockLocationForm, VendorListFilterForm
from inventory.forms.parts import PartForm, VendorLinkFormSet, vendor_link_initial
from inventory.forms.vendors import VendorForm

__all__ = [
    "CostForm",
    "PartForm",
    "PartListFilterForm",
    "ReconcileForm",
    "RestockForm",
    "ScrapForm",
    "StockLocationForm",
    "TransferForm",
    "VendorForm",
    "VendorLinkFormSet",
    "VendorListFilterForm",
    "vendor_link_initial",
]
