"""Counts reported for a manager to confirm, and the site's counting setting.

- the part page's "Counts to confirm" (``part_counts``, loaded after the page, as the ledger is)
  and the site's counts page (``count_list``, "to confirm" by default);
- confirming or rejecting one count (``CountConfirmView``, ``CountRejectView``): page actions
  (``core.actions.ActionView``) whose panel is the count's card, so the decision answers in the
  card; on the part page a confirmation also refreshes the figures, stock and ledger;
- the admin's counting setting (``CountingSettingsView``): may technicians reconcile directly.

Counting itself (the count form, booked or reported) is a stock action of the part:
``inventory.views.stock_actions``.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import ActionView
from core.models import Role
from core.numbers import format_quantity
from core.pages import get_site_object_or_404, is_partial_request, render_page, site_required
from core.pagination import Paginator
from inventory import services
from inventory.filters import StockCountFilter
from inventory.forms.actions import (
    CountDecisionForm,
    CountingSettingsForm,
    CountListFilterForm,
    CountRejectForm,
)
from inventory.models import Part
from inventory.selectors import counts_for_part, counts_for_site
from inventory.services.counts import COUNTS_DATA
from inventory.views.parts import get_part, part_context

COUNTS_SHOWN = 20  # on the part page; the rest on the counts page
COUNTS_PAGE_SIZE = 25


def counts_section_context(request, part: Part) -> dict:
    """The part's counts waiting for a manager (the part page's "Counts to confirm")."""
    pending = list(counts_for_part(part=part, pending_only=True)[: COUNTS_SHOWN + 1])
    return {
        "part": part,
        "pending_counts": pending[:COUNTS_SHOWN],
        "more_pending": len(pending) > COUNTS_SHOWN,
        "on_part_page": True,
    }


@site_required
def part_counts(request, pk: int):
    """The part page's "Counts to confirm", which the page asks for once it has arrived.
    Without JavaScript the link goes to the counts page, filtered to the part."""
    part = get_site_object_or_404(request, Part, pk=pk)
    if not is_partial_request(request):
        return redirect(f"{reverse('count-list')}?part={part.pk}")
    return render(request, "inventory/_part_counts.html", counts_section_context(request, part))


@site_required
def count_list(request):
    """The site's counts, those to confirm first (the default filter), newest first; managers
    confirm or reject each in place. ``?part=`` narrows it to one part."""
    filters = CountListFilterForm(request.GET)
    data = filters.filter_data()
    part = None
    if data.get("part"):
        part = get_site_object_or_404(request, Part, pk=data["part"])
    counts = StockCountFilter(data, queryset=counts_for_site(site=request.site)).qs
    versioned = (request.site.pk, COUNTS_DATA)
    page = Paginator(counts, COUNTS_PAGE_SIZE, versioned=versioned).get_page(
        request.GET.get("page")
    )
    context = {"filters": filters, "part": part, "page_obj": page}
    return render_page(request, "inventory/count_list.html", context, partial="count_items")


class CountDecisionView(ActionView):
    """Confirm or reject one reported count (managers). The panel is the count's card: the
    decision, or the refusal, shows in it. ``on_part`` (posted by the part page's cards) also
    refreshes the part's figures, stock table and ledger, which a confirmation may change."""

    required_role = Role.MANAGER
    template_name = "inventory/count_decision.html"
    form_after_success = False  # a count is decided once
    refresh_template = "inventory/part_detail.html"
    name = ""

    def get_object(self):
        return get_site_object_or_404(
            self.request, counts_for_site(site=self.request.site), pk=self.kwargs["pk"]
        )

    @property
    def on_part_page(self) -> bool:
        return self.request.POST.get("on_part") == "1"

    @property
    def refresh_partials(self) -> tuple[str, ...]:
        return ("figures", "stock_table", "ledger") if self.on_part_page else ()

    def get_form(self, data=None):
        return self.form_class(data, auto_id=f"id_count_{self.object.pk}_{self.name}_%s")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        return {
            **context,
            "count": self.object,
            "reject_form": form if isinstance(form, CountRejectForm) else None,
            "decision_form": form,
            "on_part_page": self.on_part_page,
        }

    def get_refresh_context(self) -> dict:
        return part_context(self.request, get_part(self.request, self.object.part_id))

    def get_success_url(self) -> str:
        if self.on_part_page:
            return reverse("part-detail", args=[self.object.part_id])
        return reverse("count-list")


class CountConfirmView(CountDecisionView):
    name = "confirm"
    title = gettext_lazy("Confirm the count")
    form_class = CountDecisionForm

    def perform(self, form) -> str:
        count = services.stock_count_confirm(count=self.object, by=self.request.user)
        if count.difference == 0:
            return _("Confirmed: no difference, nothing booked.")
        return _("Confirmed: %(delta)s %(units)s booked.") % {
            "delta": ("+" if count.difference > 0 else "") + format_quantity(count.difference),
            "units": self.object.part.units,
        }


class CountRejectView(CountDecisionView):
    name = "reject"
    title = gettext_lazy("Reject the count")
    form_class = CountRejectForm

    def perform(self, form) -> str:
        services.stock_count_reject(
            count=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("Rejected; nothing booked.")


class CountingSettingsView(ActionView):
    """The site's counting policy, for its admin: may technicians reconcile directly?"""

    required_role = Role.ADMIN
    template_name = "inventory/counting_settings.html"
    form_class = CountingSettingsForm
    # What the shared action panel (``inventory/_action_panel.html``) reads.
    name = "counting-settings"
    title = gettext_lazy("Counting")
    submit = gettext_lazy("Save")
    danger = False
    per_item = False
    fields_template = ""
    do_not_call_in_templates = True

    def get_object(self):
        return self.request.site

    def get_form(self, data=None):
        initial = {"technicians_may_reconcile": self.object.technicians_may_reconcile}
        return self.form_class(data, initial=initial, auto_id="id_counting_%s")

    def perform(self, form) -> str:
        site = services.site_counting_set(
            site=self.object, by=self.request.user, **form.cleaned_data
        )
        if site.technicians_may_reconcile:
            return _("Saved: technicians now book their counts directly.")
        return _("Saved: technicians' counts now wait for a manager to confirm them.")

    def get_success_url(self) -> str:
        return reverse("counting-settings")


count_confirm = CountConfirmView.as_view()
count_reject = CountRejectView.as_view()
counting_settings = CountingSettingsView.as_view()
