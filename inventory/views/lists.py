"""The reorder list and stock by location."""

from django.http import Http404

from core.pages import render_page, site_required
from core.pagination import Paginator
from inventory import selectors
from inventory.forms import StockLocationForm
from inventory.services.ledger import STOCK_LIST_DATA
from inventory.services.parts import PART_LIST_DATA
from inventory.tables import ReorderTable, StockTable
from inventory.views.parts import LIST_PAGE_SIZE


@site_required
def reorder(request):
    """Active parts whose available quantity is below their minimum, with what to order."""
    versioned = (request.site.pk, PART_LIST_DATA)
    page = Paginator(
        selectors.reorder_list(site=request.site), LIST_PAGE_SIZE, versioned=versioned
    ).get_page(request.GET.get("page"))
    context = {"page_obj": page, "table": ReorderTable(page)}
    return render_page(request, "inventory/reorder.html", context, partial="reorder_table")


@site_required
def stock_by_location(request):
    """What is stored where: one location (with or without what is inside it) or all of them.
    Filtered by ``StockItemFilter``, like ``/api/stock/``."""
    form = StockLocationForm(request.GET, site=request.site)
    filters = form.filter_data()
    if filters is None:
        raise Http404  # another site's location, or no location at all
    items = selectors.stock_for_page(site=request.site, filters=filters)
    page = Paginator(items, LIST_PAGE_SIZE, versioned=(request.site.pk, STOCK_LIST_DATA)).get_page(
        request.GET.get("page")
    )
    location = form.cleaned_data["location"]
    context = {
        "form": form,
        "location": location,
        "include": filters.get("cascade", True),
        "page_obj": page,
        "table": StockTable(page),
    }
    return render_page(request, "inventory/stock.html", context, partial="stock_table")
