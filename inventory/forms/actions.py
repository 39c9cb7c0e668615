"""The stock actions on the part page. Several share one page, so each form gets its own
``auto_id`` prefix (``ActionView`` passes it): field names stay plain (``quantity``, ``note``)
while the HTML ids never clash."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LocationChoiceField, ServiceFormMixin
from core.numbers import MONEY, QUANTITY, format_quantity
from inventory.models import Part, StockItem
from inventory.selectors import stock_items_to_act_on


def note_field(label=None, *, required: bool = False, **kwargs):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


class StockItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StockItem) -> str:
        where = obj.location.path if obj.location else _("no location")
        bits = [str(where)]
        if obj.batch:
            bits.append(_("batch %s") % obj.batch)
        if obj.serial:
            bits.append(_("serial %s") % obj.serial)
        bits.append(f"{format_quantity(obj.quantity)} {obj.part.units}")
        return " · ".join(bits)


class PartActionForm(ServiceFormMixin, forms.Form):
    """A stock action on one part. Location fields offer the part's site's locations; a
    ``stock_item`` field offers the part's stock items that are in stock."""

    def __init__(self, *args, part: Part, **kwargs):
        super().__init__(*args, **kwargs)
        self.part = part
        if "location" in self.fields:
            self.fields["location"].offer(part.site_id)
        if "stock_item" in self.fields:
            self.fields["stock_item"].queryset = stock_items_to_act_on(part=part)


class RestockForm(PartActionForm):
    quantity = QUANTITY.form_field(_("Quantity received"))
    cost = MONEY.form_field(_("Unit cost"))
    location = LocationChoiceField(_("Location"))
    batch = forms.CharField(label=_("Batch code"), max_length=100, required=False)
    note = note_field()

    def __init__(self, *args, part: Part, **kwargs):
        kwargs.setdefault("initial", {"location": part.default_location_id, "cost": part.unit_cost})
        super().__init__(*args, part=part, **kwargs)


class ReconcileForm(PartActionForm):
    quantity = QUANTITY.form_field(
        _("Adjustment"),
        help_text=_("The counted difference: 3 if you found 3 more, -2 if 2 are missing."),
    )
    location = LocationChoiceField(
        _("Location"),
        help_text=_("Needed when the part is stocked at several locations."),
    )
    note = note_field(_("Reason"), required=True)


class CostForm(PartActionForm):
    cost = MONEY.form_field(_("New cost"))
    note = note_field()


class TransferForm(PartActionForm):
    service_error_fields = {"item": "stock_item"}

    stock_item = StockItemChoiceField(
        label=_("From"), queryset=StockItem.objects.none(), empty_label=None
    )
    location = LocationChoiceField(_("To location"), required=True)
    quantity = QUANTITY.form_field(
        _("Quantity"), required=False, help_text=_("Leave empty to move all of it.")
    )
    note = note_field()


class ScrapForm(PartActionForm):
    service_error_fields = {"item": "stock_item"}

    stock_item = StockItemChoiceField(
        label=_("Stock item"), queryset=StockItem.objects.none(), empty_label=None
    )
    quantity = QUANTITY.form_field(
        _("Quantity"), required=False, help_text=_("Leave empty to scrap all of it.")
    )
    note = note_field(_("Reason"), required=True)
