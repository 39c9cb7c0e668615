"""The stock actions on the part page. Several share one page, so each form gets its own
``auto_id`` prefix (``ActionView`` passes it): field names stay plain (``quantity``, ``note``)
while the HTML ids never clash."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import LocationChoiceField, ServiceFormMixin
from core.numbers import MONEY, QUANTITY, format_quantity, plain
from inventory.models import CountStatus, Part, StockItem, StockItemQuerySet
from inventory.selectors import stock_items_to_act_on
from inventory.services.counts import Counted


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


def where(item: StockItem) -> str:
    """A stock item as a person finds it: the location's path, then batch or serial."""
    bits = [str(item.location.path if item.location_id else _("no location"))]
    if item.batch:
        bits.append(_("batch %s") % item.batch)
    if item.serial:
        bits.append(_("serial %s") % item.serial)
    return " · ".join(bits)


class CountLine:
    """One stock item of a count form: the item, what the system holds, and its input."""

    def __init__(self, item: StockItem, field: forms.BoundField):
        self.item = item
        self.field = field
        self.where = where(item)


class ReconcileForm(PartActionForm):
    """Reconcile by count: a "counted" input for each stock item of the part, as people count
    ("7 on this shelf"), plus one line for stock found at a location that holds none of it.

    Lines left empty are not counted. The page shows the difference each line will book as
    the user types (``static/js/counts.js``); the service works it out again under the part's
    lock, from the quantity held then, and the success message says what was booked.
    """

    LINE_PREFIX = "count_"

    location = LocationChoiceField(
        _("Another location"),
        help_text=_("Where you found stock of this part that is not listed above."),
    )
    found = QUANTITY.form_field(_("Counted there"), required=False)
    note = note_field(_("Reason"), required=True)

    def __init__(self, *args, part: Part, **kwargs):
        super().__init__(*args, part=part, **kwargs)
        self.items = list(self._countable(part))
        lines = {}
        for item in self.items:
            field = QUANTITY.form_field(_("Counted at %(where)s") % {"where": where(item)})
            field.required = False
            field.widget.attrs.update(
                {
                    "data-count-current": f"{plain(item.quantity)}",
                    "autocomplete": "off",
                    "class": "count-input",
                }
            )
            lines[f"{self.LINE_PREFIX}{item.pk}"] = field
        if not self.items:
            self.fields["location"].label = _("Location")
            self.fields["location"].help_text = _("Where you counted it.")
        self.fields = {**lines, **self.fields}

    def _countable(self, part: Part):
        """The part's stock items in stock, by location; also any item this submission counts
        (it may have emptied since the form was shown: counting it is still a count)."""
        posted = []
        for key in self.data.keys() if self.is_bound else ():
            tail = key.removeprefix(self.LINE_PREFIX)
            if key.startswith(self.LINE_PREFIX) and tail.isdigit() and len(tail) < 19:
                posted.append(int(tail))
        return (
            StockItem.objects.filter(part=part)
            .filter(StockItemQuerySet.IN_STOCK | Q(pk__in=posted))
            .select_related("location")
            .order_by("location__path", "batch", "serial", "pk")
        )

    @property
    def lines(self) -> list[CountLine]:
        return [CountLine(item, self[f"{self.LINE_PREFIX}{item.pk}"]) for item in self.items]

    def clean(self):
        data = super().clean()
        location, found = data.get("location"), data.get("found")
        if location is not None and found is None and "found" not in self.errors:
            self.add_error("found", _("Enter the quantity you counted there."))
        if found is not None and location is None and "location" not in self.errors:
            self.add_error("location", _("Choose where you counted it."))
        if not self.errors and not self.counts():
            raise forms.ValidationError(_("Enter at least one counted quantity."))
        return data

    def counts(self) -> list[Counted]:
        """The lines that were filled in, for the counting services; a refusal of a line comes
        back on its own input."""
        data = self.cleaned_data
        counts = []
        for item in self.items:
            name = f"{self.LINE_PREFIX}{item.pk}"
            if data.get(name) is not None:
                counts.append(Counted(data[name], stock_item=item, field=name, item_field=name))
        if data.get("found") is not None and data.get("location") is not None:
            counts.append(Counted(data["found"], location=data["location"], field="found"))
        return counts

    def service_kwargs(self) -> dict:
        return {"counts": self.counts(), "note": self.cleaned_data["note"]}


class CountReportForm(ReconcileForm):
    """The same count, reported for a manager to confirm (``stock_counts_report``)."""


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
    """Write stock off: a quantity, or all of the item, chosen explicitly.

    "All" is a second submit button (``ALL``) that states the quantity it writes off ("Scrap
    all 12 pcs") and sends that quantity as its value: an empty quantity alone is refused, and
    the service refuses "all" if the item no longer holds what the button said.
    """

    ALL = "all"
    service_error_fields = {"item": "stock_item", "all_seen": "quantity"}

    stock_item = StockItemChoiceField(
        label=_("Stock item"), queryset=StockItem.objects.none(), empty_label=None
    )
    quantity = QUANTITY.form_field(
        _("Quantity"),
        required=False,
        help_text=_("How much to write off; or choose “Scrap all”."),
    )
    note = note_field(_("Reason"), required=True)

    def clean(self):
        data = super().clean()
        seen = (self.data.get(self.ALL) or "").strip() if self.is_bound else ""
        if seen:
            data["quantity"] = None
            data["all_seen"] = seen
        elif data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter a quantity, or choose Scrap all."))
        return data


class CountDecisionForm(ServiceFormMixin, forms.Form):
    """Confirming a reported count takes nothing but the click."""


class CountRejectForm(ServiceFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CountingSettingsForm(ServiceFormMixin, forms.Form):
    technicians_may_reconcile = forms.BooleanField(
        label=_("Technicians book their counts directly"),
        required=False,
        help_text=_(
            "Off: a technician's count waits for a manager to confirm it. On: technicians "
            "reconcile stock as managers do."
        ),
    )


class CountListFilterForm(forms.Form):
    """The counts page's filter: which status (those to confirm unless asked otherwise) and,
    coming from a part's page, the part."""

    ALL = "all"

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (CountStatus.PENDING, _("To confirm")),
            (CountStatus.CONFIRMED, _("Confirmed")),
            (CountStatus.REJECTED, _("Rejected")),
            (ALL, _("All")),
        ],
    )
    part = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def filter_data(self) -> dict:
        """``StockCountFilter`` data; a bad value is ignored rather than refused."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or CountStatus.PENDING
        filters = {} if status == self.ALL else {"status": [status]}
        if data.get("part"):
            filters["part"] = data["part"]
        return filters
