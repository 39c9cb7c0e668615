"""Page forms of inventory. They check the shape of the input (a number is a number, at most 3
decimal places for a quantity and 2 for money); ``inventory.services`` decides whether the write is
allowed, and its ``ServiceError`` lands on the field it names through ``add_service_errors``.

Several action forms share one page (the part detail), so each gets its own ``auto_id`` prefix:
the field names stay plain (``quantity``, ``note``) while the HTML ids never clash.
"""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import LocationChoiceField, ServiceFormMixin
from core.models import Location, Site
from inventory.models import (
    IN_STOCK_STATUSES,
    MONEY_PLACES,
    QUANTITY_PLACES,
    Part,
    PartType,
    StockItem,
    Vendor,
)
from inventory.services import MAX_LEAD_TIME

QUANTITY_MAX_DIGITS = 15  # below the services' 1e12 limit, with 3 decimal places
MONEY_MAX_DIGITS = 12  # below the services' 1e10 limit, with 2 decimal places


def _number_widget(step: str) -> forms.NumberInput:
    # inputmode brings up the numeric keypad on phones; "any" lets a signed delta through.
    return forms.NumberInput(attrs={"step": step, "inputmode": "decimal"})


def quantity_field(label, *, required: bool = True, signed: bool = False, **kwargs):
    """A quantity: at most 3 decimal places. Whether it may be zero or negative is the service's
    call, so the form sets no minimum."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_PLACES,
        widget=_number_widget("any" if signed else "0.001"),
        **kwargs,
    )


def money_field(label, *, required: bool = True, **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=_number_widget("0.01"),
        **kwargs,
    )


def note_field(label=None, *, required: bool = False, **kwargs):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


def plain(number: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent: 20, not 20.00000 or 2E+1."""
    return Decimal(f"{number.normalize():f}")


def site_locations(site: Site | int):
    return Location.objects.for_site(site).order_by("path")


# --- Lists: search and filters --------------------------------------------------------------------

ACTIVE_CHOICES = [("", _("Any")), ("true", _("Active")), ("false", _("Inactive"))]


class ListFilterForm(forms.Form):
    """Search box and filters above a list. Valid values become FilterSet data; an invalid one
    (another site's vendor, a typo in the URL) is simply not applied.

    Subclasses name their status field (``active_field``), record choices (``choice_fields``),
    tick-box filters (``flag_fields``) and the search box's placeholder.
    """

    q = forms.CharField(required=False, max_length=200)
    active_field = "active"
    choice_fields: tuple[str, ...] = ()
    flag_fields: tuple[str, ...] = ()
    placeholder = ""

    def __init__(self, data, *, prefix_id: str):
        super().__init__(data, auto_id=f"{prefix_id}_%s")
        search = self.fields["q"].widget
        search.input_type = "search"
        search.attrs.update({"autocomplete": "off", "placeholder": self.placeholder})

    def filter_data(self) -> dict:
        self.is_valid()
        cleaned = self.cleaned_data
        data = {"q": cleaned["q"]} if cleaned.get("q") else {}
        for name in self.choice_fields:
            if cleaned.get(name) is not None:
                data[name] = cleaned[name].pk
        if cleaned.get(self.active_field) in ("true", "false"):
            data[self.active_field] = cleaned[self.active_field]
        data.update({name: "true" for name in self.flag_fields if cleaned.get(name)})
        return data


class PartListFilterForm(ListFilterForm):
    """The controls above the parts list."""

    type = forms.ModelChoiceField(
        label=_("Type"), queryset=PartType.objects.none(), required=False, empty_label=_("Any")
    )
    vendor = forms.ModelChoiceField(
        label=_("Vendor"), queryset=Vendor.objects.none(), required=False, empty_label=_("Any")
    )
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)
    low_stock = forms.BooleanField(label=_("Low stock only"), required=False)
    assembly = forms.BooleanField(label=_("Assemblies"), required=False)
    trackable = forms.BooleanField(label=_("Trackable"), required=False)
    choice_fields = ("type", "vendor")
    flag_fields = ("low_stock", "assembly", "trackable")
    placeholder = _("Number, name or vendor no.")

    def __init__(self, data, *, site: Site):
        data = data.copy()
        if "active" not in data:
            data["active"] = "true"  # the list starts with the parts in use
        super().__init__(data, prefix_id="part_filter")
        self.fields["q"].label = _("Search parts")
        self.fields["type"].queryset = PartType.objects.for_site(site)
        self.fields["vendor"].queryset = Vendor.objects.for_site(site).order_by("name")


class VendorListFilterForm(ListFilterForm):
    is_active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)
    active_field = "is_active"
    placeholder = _("Name, contact or email")

    def __init__(self, data):
        super().__init__(data, prefix_id="vendor_filter")
        self.fields["q"].label = _("Search vendors")


class StockLocationForm(forms.Form):
    """Which location's stock to list. ``cascade`` follows ``StockItemFilter``: sub-locations are
    included unless it is ``false`` (the page sends a hidden ``false`` before the checkbox)."""

    location = LocationChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
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
        self.fields["location"].queryset = site_locations(site)


# --- Parts ----------------------------------------------------------------------------------------


class PartForm(ServiceFormMixin, forms.Form):
    """Create or edit a part. Opening stock, cost, location and non-stock exist only on create:
    afterwards quantities and costs move only through the stock actions."""

    CREATE_ONLY = ("on_hand_qty", "unit_cost", "location", "is_non_stock", "generate_qr_code")

    number = forms.CharField(label=_("Part number"), max_length=100, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    part_type = forms.ModelChoiceField(
        label=_("Type"), queryset=PartType.objects.none(), required=False, empty_label="—"
    )
    units = forms.CharField(
        label=_("Unit of measure"), max_length=20, initial="pcs", help_text=_("e.g. pcs, m, kg")
    )
    min_qty = quantity_field(
        _("Minimum quantity"),
        required=False,
        help_text=_("Below this the part is low on stock and appears on the reorder list."),
    )
    desired_qty = quantity_field(
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
        label=_("Default location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label="—",
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
    on_hand_qty = quantity_field(_("Opening stock"), required=False)
    unit_cost = money_field(_("Unit cost"), required=False)
    location = LocationChoiceField(
        label=_("Opening stock location"),
        queryset=Location.objects.none(),
        required=False,
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
        self.fields["part_type"].queryset = PartType.objects.for_site(site)
        locations = site_locations(site)
        self.fields["default_location"].queryset = locations
        if instance is None:
            self.fields["location"].queryset = locations
            self.fields["qr_code"].help_text = _("Leave empty to generate one.")
        else:
            for name in self.CREATE_ONLY:
                del self.fields[name]
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

    vendor = forms.ModelChoiceField(
        label=_("Vendor"), queryset=Vendor.objects.none(), required=False, empty_label="—"
    )
    vendor_part_number = forms.CharField(
        label=_("Vendor part number"), max_length=100, required=False
    )
    is_preferred = forms.BooleanField(label=_("Preferred"), required=False)

    def __init__(self, *args, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if vendors is not None:
            self.fields["vendor"].queryset = vendors


class BaseVendorLinkFormSet(forms.BaseFormSet):
    def __init__(self, *args, site: Site, **kwargs):
        # One queryset (and so one query) shared by every row's select.
        self.vendor_choices = Vendor.objects.for_site(site).order_by("name")
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "vendors": self.vendor_choices}

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
        for link in part.vendor_links.all()
    ]


# --- Vendors --------------------------------------------------------------------------------------


class VendorForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, instance: Vendor | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.input_type = "tel"


# --- Stock actions on the part page ---------------------------------------------------------------


class StockItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StockItem) -> str:
        where = obj.location.path if obj.location else _("no location")
        bits = [str(where)]
        if obj.batch:
            bits.append(_("batch %s") % obj.batch)
        if obj.serial:
            bits.append(_("serial %s") % obj.serial)
        bits.append(f"{plain(obj.quantity)} {obj.part.units}")
        return " · ".join(bits)


class PartActionForm(ServiceFormMixin, forms.Form):
    """A stock action on one part. Location fields offer the part's site's locations; a
    ``stock_item`` field offers the part's stock items that are in stock."""

    def __init__(self, *args, part: Part, **kwargs):
        super().__init__(*args, **kwargs)
        self.part = part
        if "location" in self.fields:
            self.fields["location"].queryset = site_locations(part.site_id)
        if "stock_item" in self.fields:
            self.fields["stock_item"].queryset = (
                StockItem.objects.filter(
                    part=part, quantity__gt=0, status__in=IN_STOCK_STATUSES, is_building=False
                )
                .select_related("location", "part")
                .order_by("location__path", "batch", "serial", "pk")
            )


class RestockForm(PartActionForm):
    quantity = quantity_field(_("Quantity received"))
    cost = money_field(_("Unit cost"))
    location = LocationChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label="—"
    )
    batch = forms.CharField(label=_("Batch code"), max_length=100, required=False)
    note = note_field()

    def __init__(self, *args, part: Part, **kwargs):
        kwargs.setdefault("initial", {"location": part.default_location_id, "cost": part.unit_cost})
        super().__init__(*args, part=part, **kwargs)


class ReconcileForm(PartActionForm):
    quantity = quantity_field(
        _("Adjustment"),
        signed=True,
        help_text=_("The counted difference: 3 if you found 3 more, -2 if 2 are missing."),
    )
    location = LocationChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Needed when the part is stocked at several locations."),
    )
    note = note_field(_("Reason"), required=True)


class CostForm(PartActionForm):
    cost = money_field(_("New cost"))
    note = note_field()


class TransferForm(PartActionForm):
    service_error_fields = {"item": "stock_item"}

    stock_item = StockItemChoiceField(
        label=_("From"), queryset=StockItem.objects.none(), empty_label=None
    )
    location = LocationChoiceField(label=_("To location"), queryset=Location.objects.none())
    quantity = quantity_field(
        _("Quantity"), required=False, help_text=_("Leave empty to move all of it.")
    )
    note = note_field()


class ScrapForm(PartActionForm):
    service_error_fields = {"item": "stock_item"}

    stock_item = StockItemChoiceField(
        label=_("Stock item"), queryset=StockItem.objects.none(), empty_label=None
    )
    quantity = quantity_field(
        _("Quantity"), required=False, help_text=_("Leave empty to scrap all of it.")
    )
    note = note_field(_("Reason"), required=True)
