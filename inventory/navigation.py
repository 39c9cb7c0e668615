"""Inventory's places in the navigation (``core.navigation``), registered from
``InventoryConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from core.navigation import LIST_ICON, register_nav_item


def register_places() -> None:
    register_nav_item(
        "parts", url_name="part-list", label=_("Parts"), order=30, current=("part-",), tab=LIST_ICON
    )
    register_nav_item("stock", url_name="stock-by-location", label=_("Stock"), order=40)
    register_nav_item(
        "counts", url_name="count-list", label=_("Counts"), order=50, current=("count-",)
    )
    register_nav_item("reorder", url_name="reorder", label=_("Reorder"), order=60)
    register_nav_item(
        "vendors", url_name="vendor-list", label=_("Vendors"), order=80, current=("vendor-",)
    )
