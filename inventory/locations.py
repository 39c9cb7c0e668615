"""What inventory adds to a location's page and to the locations tree (``core.location_panels``):
the stock stored there, and each row's count of stock items.

Registered from ``InventoryConfig.ready()`` (``register_location_panels``); core never imports
inventory.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.location_panels import register_location_count, register_location_section
from core.pagination import Paginator
from inventory.selectors import stock_at_location, stock_counts_below, stock_in_sub_locations
from inventory.services.ledger import STOCK_LIST_DATA
from inventory.tables import LocationStockTable, SubLocationStockTable

# The items a location's page lists at once (the rest are paged, as on the stock page).
LOCATION_STOCK_PAGE = 50


def location_stock_section(request, location) -> dict:
    """The "Stock" section of a location's page (``core.location_panels``): a page of the items
    stored at the location itself, what each location directly inside it holds, and the way to
    the stock page for all of it. Scanning a bin's label opens this page, so it shows what the
    bin holds."""
    page = Paginator(
        stock_at_location(location=location),
        LOCATION_STOCK_PAGE,
        versioned=(location.site_id, STOCK_LIST_DATA),
    ).get_page(request.GET.get("page"))
    below = stock_in_sub_locations(location=location)
    return {
        "page_obj": page,
        "table": LocationStockTable(page),
        "below": below,
        "below_table": SubLocationStockTable(below),
        "total_items": page.paginator.count + sum(row["items"] for row in below),
        "all_url": f"{reverse('stock-by-location')}?location={location.pk}&cascade=true",
    }


def stock_items_label(n: int) -> str:
    return ngettext("%(n)s stock item", "%(n)s stock items", n) % {"n": n}


def stock_items_legend() -> str:
    return str(_("Each location shows the stock items held in it and everything inside it."))


def stock_counts(site, location_ids: list[int]) -> dict[int, int]:
    return stock_counts_below(site=site, location_ids=location_ids)


def register_location_panels() -> None:
    """Called from ``InventoryConfig.ready()``."""
    register_location_section(
        "stock",
        template="inventory/_location_stock.html",
        context=location_stock_section,
        order=20,
    )
    register_location_count(
        "stock", stock_counts, label=stock_items_label, legend=stock_items_legend, order=20
    )
