"""Inventory pages: parts, the part page with its stock actions and ledger, reorder, vendors and
stock by location.

Views stay thin, like core's: they scope by the request's site (``core.pages``), read through
``inventory.selectors``, let forms check the shape of the input and write only through
``inventory.services``; a ``ServiceError`` becomes inline errors on the form that caused it.
Everyone at the site may read; changing stock or the catalogue needs a manager (403 otherwise),
and another site's part, vendor, stock item or location is a 404.

On the part page every stock action is its own small form posting with HTMX: a refusal re-renders
only that form (status 200, errors next to the fields), a success swaps ``#part-stock`` (figures,
actions, stock by location and the ledger) in one piece. Without JavaScript the same URLs work as
plain pages that redirect back to the part.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from core.models import Location, Role, User
from core.pages import get_site_object_or_404, is_partial_request, render_page, site_required
from inventory import selectors, services
from inventory.filters import PartFilter, VendorFilter
from inventory.forms import (
    CostForm,
    PartForm,
    PartListFilterForm,
    ReconcileForm,
    RestockForm,
    ScrapForm,
    StockLocationForm,
    TransferForm,
    VendorForm,
    VendorLinkFormSet,
    VendorListFilterForm,
    vendor_link_initial,
)
from inventory.models import Part, PartVendor, StockItem, Vendor

LIST_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 25


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _qty(value: Decimal) -> str:
    """A quantity for a message: localized, without trailing zeros (4, not 4.00000)."""
    return formats.number_format(value.normalize())


def _money(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=2)


def _preferred_link(part: Part) -> PartVendor | None:
    """The preferred vendor link from the prefetched links (ordered preferred first)."""
    links = list(part.vendor_links.all())
    return links[0] if links and links[0].is_preferred else None


def _label_url(part: Part) -> str | None:
    """The printable QR label, once ``inventory.labels`` provides its route."""
    try:
        return reverse("part-label", args=[part.pk])
    except NoReverseMatch:
        return None


def _part(request, pk: int) -> Part:
    """A part of the current site with its derived quantities and vendors; else 404."""
    return get_site_object_or_404(request, selectors.part_detail(site=request.site), pk=pk)


# --- Parts list -----------------------------------------------------------------------------------


@site_required
def part_list(request):
    """Search and filter the catalogue; HTMX swaps only the table (``#part-table``)."""
    filters = PartListFilterForm(request.GET, site=request.site)
    parts = PartFilter(
        filters.filter_data(), queryset=selectors.parts_for_list(site=request.site)
    ).qs
    page = Paginator(parts, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page_obj": page}
    return render_page(request, "inventory/part_list.html", context, partial="part_table")


# --- Part create / edit ---------------------------------------------------------------------------


def _part_form_page(request, form, formset, *, part=None):
    context = {"form": form, "formset": formset, "part": part}
    return render(request, "inventory/part_form.html", context)


def _save_part(request, form, formset, save: Callable[[dict, list[dict]], Part]):
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

    part = _save_part(request, form, formset, save)
    if part is None:
        return _part_form_page(request, form, formset)
    messages.success(request, _("Part “%(name)s” added.") % {"name": part.name})
    return redirect("part-detail", pk=part.pk)


@site_required(role=Role.MANAGER)
def part_edit(request, pk: int):
    site = request.site
    part = _part(request, pk)
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

    saved = _save_part(request, form, formset, save)
    if saved is None:
        return _part_form_page(request, form, formset, part=part)
    messages.success(request, _("Part “%(name)s” saved.") % {"name": saved.name})
    return redirect("part-detail", pk=part.pk)


# --- Part page and stock actions ------------------------------------------------------------------


@dataclass(frozen=True)
class StockAction:
    """One ledger action on the part page. ``name`` is its slug: URL ``part-<name>``, form id
    ``<name>-form``; ``per_item`` actions start from a row of the stock table."""

    name: str
    title: Promise
    submit: Promise
    form_class: type
    perform: Callable[[Part, User, dict], str]
    per_item: bool = False
    needs_stock: bool = True

    @property
    def url_name(self) -> str:
        return f"part-{self.name}"

    def auto_id(self, item_id=None) -> str:
        key = self.name.replace("-", "_")
        return f"id_{key}_{item_id}_%s" if item_id else f"id_{key}_%s"


def _restock(part: Part, by: User, data: dict) -> str:
    row = services.part_restock(
        part=part,
        by=by,
        quantity=data["quantity"],
        cost=data["cost"],
        location=data["location"],
        batch=data["batch"],
        note=data["note"],
    )
    return _("Restocked %(qty)s %(units)s; %(on_hand)s on hand.") % {
        "qty": _qty(row.quantity),
        "units": part.units,
        "on_hand": _qty(row.on_hand_after),
    }


def _reconcile(part: Part, by: User, data: dict) -> str:
    row = services.part_reconcile(
        part=part, by=by, quantity=data["quantity"], note=data["note"], location=data["location"]
    )
    return _("Stock adjusted by %(qty)s %(units)s; %(on_hand)s on hand.") % {
        "qty": ("+" if row.quantity > 0 else "") + _qty(row.quantity),
        "units": part.units,
        "on_hand": _qty(row.on_hand_after),
    }


def _unit_cost(part: Part, by: User, data: dict) -> str:
    row = services.part_unit_cost_set(part=part, by=by, cost=data["cost"], note=data["note"])
    return _("Unit cost set to %(cost)s.") % {"cost": _money(row.unit_cost)}


def _avg_cost(part: Part, by: User, data: dict) -> str:
    row = services.part_avg_cost_set(part=part, by=by, cost=data["cost"], note=data["note"])
    return _("Average cost set to %(cost)s.") % {"cost": _money(row.unit_cost)}


def _transfer(part: Part, by: User, data: dict) -> str:
    _out, into = services.stock_transfer(
        item=data["stock_item"],
        by=by,
        location=data["location"],
        quantity=data["quantity"],
        note=data["note"],
    )
    return _("Moved %(qty)s %(units)s to %(place)s.") % {
        "qty": _qty(into.quantity),
        "units": part.units,
        "place": into.location.path,
    }


def _scrap(part: Part, by: User, data: dict) -> str:
    row = services.stock_scrap(
        item=data["stock_item"], by=by, quantity=data["quantity"], note=data["note"]
    )
    return _("Scrapped %(qty)s %(units)s; %(on_hand)s on hand.") % {
        "qty": _qty(-row.quantity),
        "units": part.units,
        "on_hand": _qty(row.on_hand_after),
    }


ACTIONS = {
    action.name: action
    for action in (
        StockAction(
            "restock", gettext_lazy("Restock"), gettext_lazy("Restock"), RestockForm, _restock
        ),
        StockAction(
            "reconcile",
            gettext_lazy("Reconcile count"),
            gettext_lazy("Adjust stock"),
            ReconcileForm,
            _reconcile,
        ),
        StockAction(
            "unit-cost",
            gettext_lazy("Unit cost"),
            gettext_lazy("Set unit cost"),
            CostForm,
            _unit_cost,
            needs_stock=False,
        ),
        StockAction(
            "avg-cost",
            gettext_lazy("Average cost"),
            gettext_lazy("Set average cost"),
            CostForm,
            _avg_cost,
            needs_stock=False,
        ),
        StockAction(
            "transfer",
            gettext_lazy("Transfer"),
            gettext_lazy("Move stock"),
            TransferForm,
            _transfer,
            per_item=True,
        ),
        StockAction(
            "scrap",
            gettext_lazy("Scrap"),
            gettext_lazy("Scrap stock"),
            ScrapForm,
            _scrap,
            per_item=True,
        ),
    )
}


def _part_context(request, part: Part, **extra) -> dict:
    """Everything inside ``#part-stock``: figures, action forms, stock by location, ledger."""
    ledger = Paginator(selectors.ledger_for_part(part=part), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("ledger_page")
    )
    context = {
        "part": part,
        "preferred": _preferred_link(part),
        "label_url": _label_url(part),
        "stock_items": list(selectors.stock_by_location(part=part)),
        "ledger": ledger,
        "notice": "",
        "open_action": "",
        "action_forms": [],
    }
    membership = request.membership
    if membership is not None and membership.allows(Role.MANAGER):
        context["action_forms"] = [
            {
                "action": action,
                "form": action.form_class(part=part, auto_id=action.auto_id()),
                "url": reverse(action.url_name, args=[part.pk]),
            }
            for action in ACTIONS.values()
            if not action.per_item and not (action.needs_stock and part.is_non_stock)
        ]
    context.update(extra)
    return context


@site_required
def part_detail(request, pk: int):
    """The part: figures, stock by location and the ledger. HTMX gets ``part_stock``, or only
    ``ledger`` when it pages through the ledger."""
    part = _part(request, pk)
    partial = "ledger" if "ledger_page" in request.GET else "part_stock"
    return render_page(
        request, "inventory/part_detail.html", _part_context(request, part), partial=partial
    )


def _stock_action_view(action: StockAction):
    def view(request, pk: int):
        part = get_site_object_or_404(
            request, Part.objects.select_related("default_location"), pk=pk
        )
        item = None
        if action.per_item:
            raw = request.POST.get("stock_item") or request.GET.get("item")
            if raw:
                # Another site's (or another part's) stock item does not exist on this page.
                item = get_site_object_or_404(request, StockItem, pk=_int_or_404(raw), part=part)
        auto_id = action.auto_id(item.pk if item else None)
        if request.method != "POST":
            initial = {"stock_item": item} if item else None
            kwargs = {"initial": initial} if initial else {}
            form = action.form_class(part=part, auto_id=auto_id, **kwargs)
            return _action_form_page(request, part, action, form, item)
        form = action.form_class(request.POST, part=part, auto_id=auto_id)
        if form.is_valid():
            try:
                notice = action.perform(part, request.user, form.cleaned_data)
            except ServiceError as exc:
                form.add_service_errors(exc)
            else:
                return _action_done(request, part, action, notice)
        return _action_form_page(request, part, action, form, item)

    view.__name__ = view.__qualname__ = f"part_{action.name.replace('-', '_')}"
    view.__doc__ = f"The part's {action.name} action: its form (GET) and the write (POST)."
    return site_required(view, role=Role.MANAGER)


def _action_form_page(request, part: Part, action: StockAction, form, item=None):
    """Only the form for HTMX (it re-renders in place), else a page of its own."""
    context = {
        "part": part,
        "action": action,
        "form": form,
        "item": item,
        "action_url": reverse(action.url_name, args=[part.pk]),
        "inline": is_partial_request(request),
    }
    return render_page(request, "inventory/part_action.html", context, partial="form")


def _action_done(request, part: Part, action: StockAction, notice: str):
    if not is_partial_request(request):
        messages.success(request, notice)
        return redirect("part-detail", pk=part.pk)
    part = _part(request, part.pk)  # the figures after the write
    context = _part_context(
        request, part, notice=notice, open_action="" if action.per_item else action.name
    )
    response = render(request, "inventory/part_detail.html#part_stock", context)
    response["HX-Retarget"] = "#part-stock"
    response["HX-Reswap"] = "outerHTML"
    return response


part_restock = _stock_action_view(ACTIONS["restock"])
part_reconcile = _stock_action_view(ACTIONS["reconcile"])
part_unit_cost = _stock_action_view(ACTIONS["unit-cost"])
part_avg_cost = _stock_action_view(ACTIONS["avg-cost"])
part_transfer = _stock_action_view(ACTIONS["transfer"])
part_scrap = _stock_action_view(ACTIONS["scrap"])


# --- Reorder --------------------------------------------------------------------------------------


@site_required
def reorder(request):
    """Active parts whose available quantity is below their minimum, with what to order."""
    page = Paginator(selectors.low_stock_parts(site=request.site), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"part": part, "preferred": _preferred_link(part)} for part in page.object_list]
    return render_page(
        request,
        "inventory/reorder.html",
        {"page_obj": page, "rows": rows},
        partial="reorder_table",
    )


# --- Vendors --------------------------------------------------------------------------------------


@site_required
def vendor_list(request):
    filters = VendorListFilterForm(request.GET)
    vendors = VendorFilter(
        filters.filter_data(), queryset=selectors.vendors_for_site(site=request.site)
    ).qs.annotate(part_count=Count("part_links"))
    page = Paginator(vendors.order_by("name", "pk"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"filters": filters, "page_obj": page}
    return render_page(request, "inventory/vendor_list.html", context, partial="vendor_table")


@site_required
def vendor_detail(request, pk: int):
    vendor = get_site_object_or_404(request, Vendor, pk=pk)
    links = (
        PartVendor.objects.filter(vendor=vendor)
        .select_related("part")
        .order_by("part__name", "part__pk")
    )
    return render(request, "inventory/vendor_detail.html", {"vendor": vendor, "links": links})


def _vendor_form_page(request, form, vendor=None):
    return render(request, "inventory/vendor_form.html", {"form": form, "vendor": vendor})


@site_required(role=Role.MANAGER)
def vendor_create(request):
    form = VendorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(site=request.site, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Vendor “%(name)s” added.") % {"name": vendor.name})
            return redirect("vendor-detail", pk=vendor.pk)
    return _vendor_form_page(request, form)


@site_required(role=Role.MANAGER)
def vendor_edit(request, pk: int):
    vendor = get_site_object_or_404(request, Vendor, pk=pk)
    form = VendorForm(request.POST or None, instance=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_update(vendor=vendor, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Vendor “%(name)s” saved.") % {"name": vendor.name})
            return redirect("vendor-detail", pk=vendor.pk)
    return _vendor_form_page(request, form, vendor)


# --- Stock by location ----------------------------------------------------------------------------


@site_required
def stock_by_location(request):
    """What is stored where: one location (with or without what is inside it) or all of them."""
    form = StockLocationForm(request.GET, site=request.site)
    location = None
    if request.GET.get("location"):
        location = get_site_object_or_404(
            request, Location, pk=_int_or_404(request.GET["location"])
        )
    include = request.GET.get("cascade") != "false"
    if location is not None:
        items = selectors.stock_at_location(location=location, include_sublocations=include)
    else:
        items = selectors.stock_items_for_site(site=request.site).filter(quantity__gt=0)
    items = items.order_by("location__path", "part__name", "batch", "serial", "pk")
    page = Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "location": location, "include": include, "page_obj": page}
    return render_page(request, "inventory/stock.html", context, partial="stock_table")
