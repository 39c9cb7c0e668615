"""The controls above inventory's lists: search, filters, which location's stock."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ACTIVE_CHOICES, ListFilterForm, LocationChoiceField, ModelChoiceField
from core.models import Site
from inventory.models import PartType, Vendor
from inventory.selectors import part_types_for_site, vendor_choices
from inventory.services.vendors import CATALOGUE_DATA


class PartListFilterForm(ListFilterForm):
    """The controls above the parts list."""

    type = ModelChoiceField(
        label=_("Type"), queryset=PartType.objects.none(), required=False, empty_label=_("Any")
    )
    vendor = ModelChoiceField(
        label=_("Vendor"), queryset=Vendor.objects.none(), required=False, empty_label=_("Any")
    )
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)
    low_stock = forms.BooleanField(label=_("Low stock only"), required=False)
    assembly = forms.BooleanField(label=_("Assemblies"), required=False)
    trackable = forms.BooleanField(label=_("Trackable"), required=False)
    choice_fields = ("type", "vendor")
    flag_fields = ("low_stock", "assembly", "trackable")
    placeholder = _("Number, name or vendor no.")
    search_label = _("Search parts")

    def __init__(self, data, *, site: Site):
        data = data.copy()
        if "active" not in data:
            data["active"] = "true"  # the list starts with the parts in use
        super().__init__(data, prefix_id="part_filter")
        self.fields["type"].offer_site_records(
            part_types_for_site(site=site), site=site, data=CATALOGUE_DATA, name="part types"
        )
        self.fields["vendor"].offer_site_records(
            vendor_choices(site=site), site=site, data=CATALOGUE_DATA, name="vendors"
        )


class VendorListFilterForm(ListFilterForm):
    is_active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)
    active_field = "is_active"
    placeholder = _("Name, contact or email")
    search_label = _("Search vendors")

    def __init__(self, data):
        super().__init__(data, prefix_id="vendor_filter")


class StockLocationForm(forms.Form):
    """Which location's stock to list, as ``StockItemFilter`` data: sub-locations are included
    unless ``cascade`` is false (the page sends a hidden ``false`` before the checkbox)."""

    location = LocationChoiceField(
        _("Location"),
        empty_label=_("All locations"),
    )
    cascade = forms.BooleanField(
        label=_("Include sub-locations"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "true"}),
    )

    def __init__(self, data, *, site: Site):
        data = data.copy()
        if "cascade" not in data:
            data["cascade"] = "true"
        super().__init__(data, auto_id="stock_%s")
        self.fields["location"].offer(site)

    def filter_data(self) -> dict | None:
        """``StockItemFilter`` data, or None when the location is not one of the site's (the page
        answers 404, as for any other site's record)."""
        if not self.is_valid():
            return None
        location = self.cleaned_data["location"]
        if location is None:
            return {}
        return {"location": location.pk, "cascade": self.cleaned_data["cascade"]}
