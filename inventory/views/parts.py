"""The parts list, part create/edit, and the part page (figures, stock actions, stock by
location, ledger)."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Role
from core.pages import get_site_object_or_404, is_partial_request, render_page, site_required
from core.pagination import Paginator
from inventory import selectors, services
from inventory.filters import PartFilter
from inventory.forms import PartForm, PartListFilterForm, VendorLinkFormSet, vendor_link_initial
from inventory.models import Part
from inventory.services.parts import PART_LIST_DATA
from inventory.tables import LedgerTable, PartStockTable, PartTable

LIST_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 25


def sees_costs(request) -> bool:
    """Costs are for those who buy and value stock (managers and admins); a technician's pages
    show quantities, places and history without them."""
    return request.membership is not None and request.membership.allows(Role.MANAGER)


def get_part(request, pk: int) -> Part:
    """A part of the current site with its derived quantities and vendors; else 404."""
    return get_site_object_or_404(request, selectors.part_for_page(site=request.site), pk=pk)


# --- Parts list -----------------------------------------------------------------------------------


@site_required
def part_list(request):
    """Search and filter the catalogue; HTMX swaps only the table (``#part-table``)."""
    filters = PartListFilterForm(request.GET, site=request.site)
    parts = PartFilter(
        filters.filter_data(), queryset=selectors.parts_for_table(site=request.site)
    ).qs
    versioned = (request.site.pk, PART_LIST_DATA)
    page = Paginator(parts, LIST_PAGE_SIZE, versioned=versioned).get_page(request.GET.get("page"))
    table = PartTable(page, currency=request.site.currency, show_costs=sees_costs(request))
    context = {"filters": filters, "page_obj": page, "table": table}
    return render_page(request, "inventory/part_list.html", context, partial="part_table")


# --- Part create / edit ---------------------------------------------------------------------------


def _part_form_page(request, form, formset, *, part=None):
    context = {"form": form, "formset": formset, "part": part}
    return render(request, "inventory/part_form.html", context)


def _save_part(form, formset, save: Callable[[dict, list[dict]], Part]) -> Part | None:
    """Validate both, call the service, route its refusal to the field (or the vendor rows)."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        return save(form.service_kwargs(), formset.links())
    except ServiceError as exc:
        vendor_errors = exc.errors.pop("vendors", None)
        if vendor_errors:
            formset.add_service_errors(vendor_errors)
        if exc.errors:
            form.add_service_errors(exc)
        return None


@site_required(role=Role.MANAGER)
def part_create(request):
    site = request.site
    if request.method != "POST":
        form = PartForm(site=site)
        formset = VendorLinkFormSet(site=site, prefix="vendors")
        return _part_form_page(request, form, formset)
    form = PartForm(request.POST, site=site)
    formset = VendorLinkFormSet(request.POST, site=site, prefix="vendors")

    def save(data, links):
        return services.part_create(site=site, by=request.user, vendors=links, **data)

    part = _save_part(form, formset, save)
    if part is None:
        return _part_form_page(request, form, formset)
    messages.success(request, _("Part “%(name)s” added.") % {"name": part.name})
    return redirect("part-detail", pk=part.pk)


@site_required(role=Role.MANAGER)
def part_edit(request, pk: int):
    site = request.site
    part = get_part(request, pk)
    if request.method != "POST":
        form = PartForm(site=site, instance=part)
        formset = VendorLinkFormSet(site=site, prefix="vendors", initial=vendor_link_initial(part))
        return _part_form_page(request, form, formset, part=part)
    form = PartForm(request.POST, site=site, instance=part)
    formset = VendorLinkFormSet(
        request.POST, site=site, prefix="vendors", initial=vendor_link_initial(part)
    )

    def save(data, links):
        return services.part_update(part=part, by=request.user, vendors=links, **data)

    saved = _save_part(form, formset, save)
    if saved is None:
        return _part_form_page(request, form, formset, part=part)
    messages.success(request, _("Part “%(name)s” saved.") % {"name": saved.name})
    return redirect("part-detail", pk=part.pk)


# --- The part page --------------------------------------------------------------------------------


def ledger_context(request, part: Part) -> dict:
    """One page of the part's ledger (``?ledger_page=N``)."""
    ledger = Paginator(selectors.ledger_for_part(part=part), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("ledger_page")
    )
    table = LedgerTable(ledger, show_costs=sees_costs(request))
    return {"part": part, "ledger": ledger, "ledger_table": table}


def part_context(request, part: Part, *, with_ledger: bool = True) -> dict:
    """What the part page shows below its header: figures, stock by location and (unless the
    page loads it afterwards) the ledger. Also what a stock action re-renders out of band after
    it wrote."""
    stock_items = list(selectors.stock_by_location(part=part))
    actions = request.membership is not None and request.membership.allows(Role.MANAGER)
    ledger = ledger_context(request, part) if with_ledger else {"ledger_later": True}
    return {
        **ledger,
        "part": part,
        "show_costs": sees_costs(request),
        "stock_items": stock_items,
        "stock_table": PartStockTable(stock_items, part=part, actions=actions),
    }


def _action_panels(request, part: Part) -> list[dict]:
    """The part-level stock actions a manager can open on the page; each panel loads its form
    when it is first opened."""
    from inventory.views.stock_actions import PART_ACTIONS

    membership = request.membership
    if membership is None or not membership.allows(Role.MANAGER):
        return []
    return [
        {"action": action, "url": reverse(action.url_name, args=[part.pk])}
        for action in PART_ACTIONS
        if action.available_for(part)
    ]


@site_required
def part_detail(request, pk: int):
    """The part: figures, stock actions, stock by location and the ledger.

    The page comes without the ledger, which it then asks for (HTMX, ``?ledger_page=1``) as it
    asks for a stock action's form: what a technician came for (on hand, where, the actions)
    arrives without waiting for the history, which is a list of its own (about 40 % of the page's
    time; bench/README.md). Without JavaScript, "Show the ledger" opens the page with it, as any
    ``?ledger_page=N`` does. HTMX paging through the ledger gets only ``ledger``, for which the
    part alone is read."""
    if "ledger_page" in request.GET and is_partial_request(request):
        part = get_site_object_or_404(request, Part, pk=pk)
        context = ledger_context(request, part)
        return render_page(request, "inventory/part_detail.html", context, partial="ledger")
    part = get_part(request, pk)
    context = {
        **part_context(request, part, with_ledger="ledger_page" in request.GET),
        "action_panels": _action_panels(request, part),
        "label_url": reverse("part-label", args=[part.pk]),
        # The service's rule, not the site's flag read again in the template.
        "may_reconcile": services.may_reconcile(request.membership),
    }
    partial = "ledger" if "ledger_page" in request.GET else None
    return render_page(request, "inventory/part_detail.html", context, partial=partial)
