"""Create or edit a part, with the vendors who supply it."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import LocationChoiceField, ModelChoiceField, ServiceFormMixin
from core.models import Site
from core.numbers import MONEY, QUANTITY, plain
from inventory.models import Part, PartType, Vendor
from inventory.selectors import part_types_for_site, vendor_choices
from inventory.services import MAX_LEAD_TIME
from inventory.services.vendors import CATALOGUE_DATA


class PartForm(ServiceFormMixin, forms.Form):
    """Create or edit a part. Opening stock, cost, location and non-stock exist only on create:
    afterwards quantities and costs move only through the stock actions."""

    # Part.CREATE_ONLY_FIELDS, plus generating a QR value on create (an edit has its own box).
    CREATE_ONLY = (*Part.CREATE_ONLY_FIELDS, "generate_qr_code")

    number = forms.CharField(label=_("Part number"), max_length=100, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    part_type = ModelChoiceField(
        label=_("Type"), queryset=PartType.objects.none(), required=False, empty_label="—"
    )
    units = forms.CharField(
        label=_("Unit of measure"), max_length=20, initial="pcs", help_text=_("e.g. pcs, m, kg")
    )
    min_qty = QUANTITY.form_field(
        _("Minimum quantity"),
        required=False,
        help_text=_("Below this the part is low on stock and appears on the reorder list."),
    )
    desired_qty = QUANTITY.form_field(
        _("Desired quantity"), required=False, help_text=_("Reorder up to this level.")
    )
    lead_time = forms.IntegerField(
        label=_("Lead time (days)"),
        required=False,
        min_value=0,
        max_value=MAX_LEAD_TIME,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    area = forms.CharField(label=_("Area / bin"), max_length=200, required=False)
    default_location = LocationChoiceField(
        _("Default location"),
        help_text=_("Where restocked parts go unless another location is chosen."),
    )
    trackable = forms.BooleanField(label=_("Trackable (serial numbers)"), required=False)
    assembly = forms.BooleanField(label=_("Assembly (built from other parts)"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    qr_code = forms.CharField(label=_("QR value"), max_length=200, required=False)
    # Create only:
    is_non_stock = forms.BooleanField(
        label=_("Non-stock part"),
        required=False,
        help_text=_("Bought to order or consumed freely; no stock is kept. Set only here."),
    )
    on_hand_qty = QUANTITY.form_field(_("Opening stock"), required=False)
    unit_cost = MONEY.form_field(_("Unit cost"), required=False)
    location = LocationChoiceField(
        _("Opening stock location"),
        empty_label=_("(the default location)"),
    )
    generate_qr_code = forms.BooleanField(
        label=_("Generate a QR value if none is given"), required=False, initial=True
    )

    def __init__(self, *args, site: Site, instance: Part | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "number": instance.number,
                "name": instance.name,
                "description": instance.description,
                "part_type": instance.part_type_id,
                "units": instance.units,
                "min_qty": plain(instance.min_qty),
                "desired_qty": plain(instance.desired_qty),
                "lead_time": instance.lead_time,
                "area": instance.area,
                "default_location": instance.default_location_id,
                "trackable": instance.trackable,
                "assembly": instance.assembly,
                "active": instance.active,
                "qr_code": instance.qr_code,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["part_type"].offer_site_records(
            part_types_for_site(site=site), site=site, data=CATALOGUE_DATA, name="part types"
        )
        self.fields["default_location"].offer(site)
        if instance is None:
            self.fields["location"].offer(site)
            self.fields["qr_code"].help_text = _("Leave empty to generate one.")
        else:
            for name in self.CREATE_ONLY:
                self.fields.pop(name, None)
            self.fields["qr_code"].help_text = _("Empty removes the QR value.")

    def section(self, *names):
        return [self[name] for name in names if name in self.fields]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("min_qty", "desired_qty", "on_hand_qty", "unit_cost"):
            if name in data and data[name] is None:
                data[name] = Decimal("0")
        if data.get("lead_time") is None:
            data["lead_time"] = 0
        return data


class VendorLinkForm(forms.Form):
    """One row of "who supplies this part". A row without a vendor is ignored."""

    vendor = ModelChoiceField(
        label=_("Vendor"), queryset=Vendor.objects.none(), required=False, empty_label="—"
    )
    vendor_part_number = forms.CharField(
        label=_("Vendor part number"), max_length=100, required=False
    )
    is_preferred = forms.BooleanField(label=_("Preferred"), required=False)

    def __init__(self, *args, site: Site | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if site is not None:
            self.fields["vendor"].offer_site_records(
                vendor_choices(site=site), site=site, data=CATALOGUE_DATA, name="vendors"
            )


class BaseVendorLinkFormSet(forms.BaseFormSet):
    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def get_form_kwargs(self, index):
        # Every row offers the same options, read once and then from the cache.
        return {**super().get_form_kwargs(index), "site": self.site}

    def links(self) -> list[dict]:
        """The rows to save: those with a vendor and not marked for removal."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("vendor") is None or data.get("DELETE"):
                continue
            rows.append({k: data[k] for k in ("vendor", "vendor_part_number", "is_preferred")})
        return rows

    def add_service_errors(self, messages) -> None:
        """Show a service's refusal of the vendor list (a vendor twice, two preferred) above it."""
        self.non_form_errors().extend(messages)


VendorLinkFormSet = formset_factory(
    VendorLinkForm, formset=BaseVendorLinkFormSet, extra=2, can_delete=True, max_num=50
)


def vendor_link_initial(part: Part) -> list[dict]:
    return [
        {
            "vendor": link.vendor_id,
            "vendor_part_number": link.vendor_part_number,
            "is_preferred": link.is_preferred,
        }
        for link in part.vendor_list
    ]
