"""The stock actions on the part page, each one ``core.actions.ActionView``.

Part-level actions (restock, reconcile, cost updates) live in their own panels on the part page;
the actions of one stock item (transfer, scrap) open in the panel above the stock table. Either
way a refusal re-renders the panel with its errors, and a success shows the message in the panel
and refreshes the figures, the stock table and the ledger out of band.
"""

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.actions import ActionView
from core.models import Role
from core.numbers import format_money, format_quantity, plain
from core.pages import get_site_object_or_404, int_or_404
from inventory import services
from inventory.forms import CostForm, RestockForm, TransferForm
from inventory.forms.actions import CountReportForm, ReconcileForm, ScrapForm, where
from inventory.models import Part, StockItem
from inventory.services.counts import CountedLine
from inventory.views.counts import counts_section_context
from inventory.views.parts import get_part, part_context


class PartActionView(ActionView):
    """A stock action on one part. ``name`` is its slug: URL name ``part-<name>``, form ids
    ``id_<name>_…``; ``per_item`` actions start from a row of the stock table."""

    do_not_call_in_templates = True  # templates read the class's name and titles
    required_role = Role.MANAGER
    template_name = "inventory/part_action.html"
    refresh_template = "inventory/part_detail.html"
    refresh_partials = ("figures", "stock_table", "ledger")
    name = ""
    title = ""
    submit = ""
    per_item = False
    needs_stock = True
    danger = False  # the submit button is styled as destructive
    # The form's fields as the panel shows them: every field in turn unless a template is named.
    fields_template = ""

    url_name = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.url_name = f"part-{cls.name}"

    @classmethod
    def available_for(cls, part: Part) -> bool:
        return not (cls.needs_stock and part.is_non_stock)

    @classmethod
    def auto_id(cls, item: StockItem | None = None) -> str:
        key = cls.name.replace("-", "_")
        return f"id_{key}_{item.pk}_%s" if item else f"id_{key}_%s"

    def get_object(self) -> Part:
        part = get_site_object_or_404(
            self.request, Part.objects.select_related("default_location"), pk=self.kwargs["pk"]
        )
        self.item = self._item(part)
        return part

    def _item(self, part: Part) -> StockItem | None:
        """The stock item a per-item action starts from; another site's or another part's stock
        item does not exist on this page."""
        if not self.per_item:
            return None
        raw = self.request.POST.get("stock_item") or self.request.GET.get("item")
        if not raw:
            return None
        return get_site_object_or_404(self.request, StockItem, pk=int_or_404(raw), part=part)

    def get_form(self, data=None):
        kwargs = {"initial": {"stock_item": self.item}} if self.item and data is None else {}
        return self.form_class(data, part=self.object, auto_id=self.auto_id(self.item), **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(part=self.object, item=self.item, **kwargs)

    def get_refresh_context(self) -> dict:
        return part_context(self.request, get_part(self.request, self.object.pk))

    def get_success_url(self) -> str:
        return reverse("part-detail", args=[self.object.pk])

    def moved(self, message: str, row, *, signed: bool = False) -> str:
        """A stock movement's success message: how much (``qty``, with its sign when ``signed``),
        in the part's ``units``, and what is ``on_hand`` after it."""
        qty = format_quantity(row.quantity if signed else abs(row.quantity))
        if signed and row.quantity > 0:
            qty = f"+{qty}"
        return message % {
            "qty": qty,
            "units": self.object.units,
            "on_hand": format_quantity(row.on_hand_after),
        }


class RestockView(PartActionView):
    name = "restock"
    title = gettext_lazy("Restock")
    submit = gettext_lazy("Restock")
    form_class = RestockForm

    def perform(self, form) -> str:
        row = services.part_restock(part=self.object, by=self.request.user, **form.cleaned_data)
        return self.moved(_("Restocked %(qty)s %(units)s; %(on_hand)s on hand."), row)


def signed(value) -> str:
    text = format_quantity(value)
    return f"+{text}" if value > 0 else text


def count_place(line: CountedLine) -> str:
    """Where a counted line is, as the form named it."""
    if line.item is not None and line.source.stock_item is not None:
        return where(line.item)
    return str(line.source.location.path) if line.source.location else _("the default location")


def count_changes(lines: list[CountedLine], units: str) -> str:
    """What a count books, line by line: "+3 pcs at Bin 1, -2 pcs at Bin 4", or "no change"."""
    changes = [
        _("%(delta)s %(units)s at %(place)s")
        % {"delta": signed(line.delta), "units": units, "place": count_place(line)}
        for line in lines
        if line.delta != 0
    ]
    return ", ".join(changes) or _("no change")


def counted_message(lines: list[CountedLine], on_hand, units: str) -> str:
    """The success message of a count: "Counted 3 items: +3 pcs at Bin 1, -2 pcs at Bin 4; 34
    on hand." """
    n = len(lines)
    return ngettext(
        "Counted %(n)s item: %(changes)s; %(on_hand)s on hand.",
        "Counted %(n)s items: %(changes)s; %(on_hand)s on hand.",
        n,
    ) % {"n": n, "changes": count_changes(lines, units), "on_hand": format_quantity(on_hand)}


class CountingView(PartActionView):
    """A count of the part's stock items, one "counted" input per item (``ReconcileForm``).
    The panel shows the lines with the stock each holds and, as the user types, the difference
    it will book (``static/js/counts.js``)."""

    required_role = Role.TECHNICIAN
    fields_template = "inventory/_count_lines.html"

    def render_refreshed(self) -> str:
        """Besides the figures, stock and ledger: the part's counts to confirm."""
        counts = render_to_string(
            "inventory/_part_counts.html",
            {
                **counts_section_context(self.request, self.object),
                "oob_attr": mark_safe('hx-swap-oob="true"'),
            },
            request=self.request,
        )
        return super().render_refreshed() + counts


class ReconcileView(CountingView):
    """Book a count at once: managers, and technicians where the site's admin allows it."""

    name = "reconcile"
    title = gettext_lazy("Reconcile count")
    submit = gettext_lazy("Book the differences")
    form_class = ReconcileForm

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None and not services.may_reconcile(membership):
            raise PermissionDenied(
                _("At this site a manager confirms counts: report your count instead.")
            )
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form) -> str:
        outcome = services.part_counts_apply(
            part=self.object, by=self.request.user, **form.service_kwargs()
        )
        return counted_message(outcome.lines, outcome.on_hand, self.object.units)


class CountReportView(CountingView):
    """Report a count for a manager to confirm: a technician's way, unless the site lets
    technicians reconcile (then, as for a manager, the count is booked at once)."""

    name = "count"
    title = gettext_lazy("Report a count")
    submit = gettext_lazy("Send for confirmation")
    form_class = CountReportForm

    def perform(self, form) -> str:
        kwargs = form.service_kwargs()
        reports = services.stock_counts_report(part=self.object, by=self.request.user, **kwargs)
        lines = [
            CountedLine(r.counted, r.expected, r.stock_item, r.location_id, source)
            for r, source in zip(reports, kwargs["counts"], strict=True)
        ]
        if reports and not reports[0].is_pending:  # booked at once
            on_hand = Part.objects.values_list("on_hand", flat=True).get(pk=self.object.pk)
            return counted_message(lines, on_hand, self.object.units)
        return ngettext(
            "Sent %(n)s count for a manager to confirm: %(changes)s.",
            "Sent %(n)s counts for a manager to confirm: %(changes)s.",
            len(lines),
        ) % {"n": len(lines), "changes": count_changes(lines, self.object.units)}


class CostView(PartActionView):
    """Set one of the part's costs; quantities do not move."""

    form_class = CostForm
    needs_stock = False
    service = None
    done = ""

    def perform(self, form) -> str:
        row = type(self).service(part=self.object, by=self.request.user, **form.cleaned_data)
        return self.done % {"cost": format_money(row.unit_cost)}


class UnitCostView(CostView):
    name = "unit-cost"
    title = gettext_lazy("Unit cost")
    submit = gettext_lazy("Set unit cost")
    service = staticmethod(services.part_unit_cost_set)
    done = gettext_lazy("Unit cost set to %(cost)s.")


class AvgCostView(CostView):
    name = "avg-cost"
    title = gettext_lazy("Average cost")
    submit = gettext_lazy("Set average cost")
    service = staticmethod(services.part_avg_cost_set)
    done = gettext_lazy("Average cost set to %(cost)s.")


class TransferView(PartActionView):
    name = "transfer"
    title = gettext_lazy("Transfer")
    submit = gettext_lazy("Move stock")
    form_class = TransferForm
    per_item = True
    form_after_success = False  # the item may have moved whole; pick again from the table

    def perform(self, form) -> str:
        data = dict(form.cleaned_data)
        _out, into = services.stock_transfer(
            item=data.pop("stock_item"), by=self.request.user, **data
        )
        return _("Moved %(qty)s %(units)s to %(place)s.") % {
            "qty": format_quantity(into.quantity),
            "units": self.object.units,
            "place": into.location.path,
        }


class ScrapView(PartActionView):
    """Write stock off: the quantity typed, or, with the second button, all of the item (the
    button says how much: "Scrap all 12 pcs", and asks first). Both buttons are destructive."""

    name = "scrap"
    title = gettext_lazy("Scrap")
    submit = gettext_lazy("Scrap this quantity")
    form_class = ScrapForm
    per_item = True
    danger = True
    form_after_success = False  # scrapping all of it leaves nothing to scrap

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        item = self.item or (next(iter(form.fields["stock_item"].queryset), None) if form else None)
        if item is not None and form is not None:
            what = {
                "qty": format_quantity(item.quantity),
                "units": self.object.units,
                "place": where(item),
            }
            context["extra_submit"] = {
                "name": ScrapForm.ALL,
                "value": f"{plain(item.quantity)}",
                "label": _("Scrap all %(qty)s %(units)s") % what,
                "confirm": _("Scrap all %(qty)s %(units)s at %(place)s? This cannot be undone.")
                % what,
                "testid": "scrap-all",
            }
        return context

    def perform(self, form) -> str:
        data = dict(form.cleaned_data)
        row = services.stock_scrap(item=data.pop("stock_item"), by=self.request.user, **data)
        return self.moved(_("Scrapped %(qty)s %(units)s; %(on_hand)s on hand."), row)


PART_ACTIONS = (RestockView, ReconcileView, UnitCostView, AvgCostView)
ITEM_ACTIONS = (TransferView, ScrapView)


part_restock = RestockView.as_view()
part_reconcile = ReconcileView.as_view()
part_unit_cost = UnitCostView.as_view()
part_avg_cost = AvgCostView.as_view()
part_transfer = TransferView.as_view()
part_scrap = ScrapView.as_view()
part_count = CountReportView.as_view()
