"""Vendors: the list, a vendor's page with the parts they supply, create and edit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Role
from core.pages import get_site_object_or_404, render_page, site_required
from core.pagination import Paginator
from inventory import selectors, services
from inventory.filters import VendorFilter
from inventory.forms import VendorForm, VendorListFilterForm
from inventory.models import Vendor
from inventory.tables import VendorPartTable, VendorTable
from inventory.views.parts import LIST_PAGE_SIZE


@site_required
def vendor_list(request):
    filters = VendorListFilterForm(request.GET)
    vendors = VendorFilter(
        filters.filter_data(), queryset=selectors.vendors_for_list(site=request.site)
    ).qs
    page = Paginator(vendors.order_by("name", "pk"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"filters": filters, "page_obj": page, "table": VendorTable(page)}
    return render_page(request, "inventory/vendor_list.html", context, partial="vendor_table")


@site_required
def vendor_detail(request, pk: int):
    """A vendor and, a page at a time, the parts they supply (HTMX pages swap only those)."""
    vendor = get_site_object_or_404(request, Vendor, pk=pk)
    page = Paginator(selectors.vendor_parts(vendor=vendor), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"vendor": vendor, "page_obj": page, "table": VendorPartTable(page)}
    return render_page(request, "inventory/vendor_detail.html", context, partial="vendor_parts")


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
