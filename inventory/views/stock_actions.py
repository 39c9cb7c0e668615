"""The stock actions on the part page, each one ``core.actions.ActionView``.

Part-level actions (restock, reconcile, cost updates) live in their own panels on the part page;
the actions of one stock item (transfer, scrap) open in the panel above the stock table. Either
way a refusal re-renders the panel with its errors, and a success shows the message in the panel
and refreshes the figures, the stock table and the ledger out of band.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import ActionView
from core.models import Role
from core.numbers import format_money, format_quantity
from core.pages import get_site_object_or_404, int_or_404
from inventory import services
from inventory.forms import CostForm, ReconcileForm, RestockForm, ScrapForm, TransferForm
from inventory.models import Part, StockItem
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


class ReconcileView(PartActionView):
    name = "reconcile"
    title = gettext_lazy("Reconcile count")
    submit = gettext_lazy("Adjust stock")
    form_class = ReconcileForm

    def perform(self, form) -> str:
        row = services.part_reconcile(part=self.object, by=self.request.user, **form.cleaned_data)
        message = _("Stock adjusted by %(qty)s %(units)s; %(on_hand)s on hand.")
        return self.moved(message, row, signed=True)


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
    name = "scrap"
    title = gettext_lazy("Scrap")
    submit = gettext_lazy("Scrap stock")
    form_class = ScrapForm
    per_item = True
    danger = True
    form_after_success = False  # scrapping all of it leaves nothing to scrap

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
