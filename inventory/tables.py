"""The tables of inventory's list pages (``core.tables``): parts, reorder list, stock, vendors,
a vendor's parts, a part's stock and its ledger, and a location's stock on the location's page."""

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.numbers import format_money, format_quantity
from core.tables import Column, Table, badge, link, spaced, tag, titled, url_maker
from inventory.models import TransactionType


def _low_stock_badge(**attrs) -> SafeString:
    """The warning a low part carries (built per table: its words are translated per request)."""
    return badge("warning", spaced(tag("span", "⚠", aria_hidden="true"), _("Low stock")), **attrs)


def _status(item) -> SafeString:
    building = badge("muted", _("In production")) if item.is_building else None
    return spaced(badge(item.status_tone, item.status_label), building)


def _item_part_column(**kwargs) -> Column:
    """A stock item's part, number and name, linking to the part's page."""
    detail = url_maker("part-detail")
    return Column(
        _("Part"),
        lambda i: link(detail(i.part_id), titled(i.part.number, i.part.name)),
        "cell-wide cell-title",
        **kwargs,
    )


def _quantity_with_units(quantity, units) -> str:
    return f"{format_quantity(quantity)} {units}"


class PartTable(Table):
    """The parts list: number, name (with its flags), type, quantities, units and costs."""

    classes = "table table-stack table-stack-3"

    def __init__(self, rows, *, currency: str, show_costs: bool = True):
        super().__init__(rows)
        detail = url_maker("part-detail")
        low_flag = _low_stock_badge(data_testid="low-stock-flag")
        inactive = badge("muted", _("Inactive"))
        non_stock = badge("muted", _("Non-stock"))

        def name(part):
            return spaced(
                link(detail(part.pk), part.name),
                low_flag if part.low_stock else None,
                None if part.active else inactive,
                non_stock if part.is_non_stock else None,
            )

        def stocked(figure):
            return lambda part: "—" if part.is_non_stock else format_quantity(figure(part))

        self.columns = (
            Column(_("Number"), lambda p: p.number),
            Column(_("Name"), name, "cell-wide cell-title"),
            Column(_("Type"), lambda p: p.part_type.name if p.part_type_id else None),
            Column(_("On hand"), stocked(lambda p: p.on_hand), "num"),
            Column(_("Available"), stocked(lambda p: p.available), "num"),
            Column(_("Min"), lambda p: format_quantity(p.min_qty), "num"),
            Column(_("Units"), lambda p: p.units),
        )
        if show_costs:
            self.columns += (
                Column(
                    _("Unit / avg cost (%(currency)s)") % {"currency": currency},
                    lambda p: f"{format_money(p.unit_cost)} / {format_money(p.avg_unit_cost)}",
                    "num",
                ),
            )

    def row_attrs(self, part) -> dict:
        classes = " ".join(
            c for c, on in (("is-low", part.low_stock), ("is-inactive", not part.active)) if on
        )
        return {"class": classes, "data-testid": "part-row", "data-part-id": part.pk}


class ReorderTable(Table):
    """The reorder list: what is low, how much to order and from whom."""

    def __init__(self, rows):
        super().__init__(rows)
        detail = url_maker("part-detail")
        vendor_detail = url_maker("vendor-detail")

        low = _low_stock_badge()

        def part(p):
            return spaced(low, link(detail(p.pk), titled(p.number, p.name)))

        def vendor(p):
            preferred = p.preferred_vendor_link
            if preferred is None:
                return None
            name = link(vendor_detail(preferred.vendor_id), preferred.vendor.name)
            number = preferred.vendor_part_number
            if not number:
                return name
            muted = _("part no. %(n)s") % {"n": number}
            return spaced(name, tag("span", muted, class_="muted"))

        def lead_time(p):
            days = p.lead_time
            return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}

        self.columns = (
            Column(_("Part"), part, "cell-wide cell-title"),
            Column(_("Available"), lambda p: _quantity_with_units(p.available, p.units), "num"),
            Column(_("Min"), lambda p: format_quantity(p.min_qty), "num"),
            Column(_("Desired"), lambda p: format_quantity(p.desired_qty), "num"),
            Column(
                _("Suggested order"),
                lambda p: _quantity_with_units(p.suggested_order_qty, p.units),
                "num strong",
                testid="reorder-suggested",
            ),
            Column(_("Preferred vendor"), vendor, "cell-wide", testid="reorder-vendor"),
            Column(_("Lead time"), lead_time, "num"),
        )

    def row_attrs(self, part) -> dict:
        return {"class": "is-low", "data-testid": "reorder-row", "data-part-id": part.pk}


class StockTable(Table):
    """Stock items across locations (the stock page)."""

    classes = "table table-stack table-stack-3"

    def __init__(self, rows):
        super().__init__(rows)
        self.columns = (
            _item_part_column(),
            Column(
                _("Location"), lambda i: i.location.path if i.location_id else None, "cell-wide"
            ),
            Column(_("Batch"), lambda i: i.batch),
            Column(_("Serial"), lambda i: i.serial),
            Column(_("Quantity"), lambda i: _quantity_with_units(i.quantity, i.part.units), "num"),
            Column(_("Status"), _status),
        )

    def row_attrs(self, item) -> dict:
        return {"data-testid": "stock-row", "data-item-id": item.pk}


class PartStockTable(Table):
    """One part's stock items by location on its page; managers get transfer and scrap."""

    testid = "stock-table"

    def __init__(self, rows, *, part, actions: bool):
        super().__init__(rows)
        stock_at = reverse("stock-by-location")

        def location(item):
            if not item.location_id:
                return None
            return link(f"{stock_at}?location={item.location_id}", item.location.path)

        columns = [
            Column(_("Location"), location, "cell-wide cell-title"),
            Column(_("Batch"), lambda i: i.batch),
            Column(_("Serial"), lambda i: i.serial),
            Column(
                _("Quantity"),
                lambda i: _quantity_with_units(i.quantity, part.units),
                "num",
                testid="stock-quantity",
            ),
            Column(_("Status"), _status),
        ]
        if actions:
            columns.append(self._actions_column(part))
        self.columns = tuple(columns)

    @staticmethod
    def _actions_column(part) -> Column:
        transfer_url = url_maker("part-transfer")(part.pk)
        scrap_url = url_maker("part-scrap")(part.pk)

        def button(url, item, tone, testid, text):
            href = f"{url}?item={item.pk}"
            return link(
                href,
                text,
                class_=f"btn {tone} btn-small",
                data_testid=testid,
                hx_get=href,
                hx_target="#stock-action-slot",
                hx_swap="innerHTML",
            )

        def actions(item):
            if not item.in_stock:
                return ""
            buttons = spaced(
                button(transfer_url, item, "btn-secondary", "stock-transfer", _("Transfer")),
                button(scrap_url, item, "btn-danger", "stock-scrap", _("Scrap")),
            )
            return tag("div", buttons, class_="row-buttons")

        header = tag("span", _("Actions"), class_="visually-hidden")
        return Column(header, actions, "cell-wide row-actions", label=_("Actions"))

    def row_attrs(self, item) -> dict:
        return {"data-testid": "stock-row", "data-item-id": item.pk}


class LocationStockTable(Table):
    """The stock stored at one location itself (the location's page): what a bin holds."""

    testid = "location-stock-table"
    label = _("Stock stored here")

    def __init__(self, rows):
        super().__init__(rows)
        self.columns = (
            _item_part_column(testid="location-stock-part"),
            Column(
                _("Quantity"),
                lambda i: _quantity_with_units(i.quantity, i.part.units),
                "num",
                testid="location-stock-quantity",
            ),
            Column(_("Batch"), lambda i: i.batch),
            Column(_("Serial"), lambda i: i.serial),
            Column(_("Status"), _status),
        )

    def row_attrs(self, item) -> dict:
        return {"data-testid": "location-stock-row", "data-item-id": item.pk}


class SubLocationStockTable(Table):
    """What each location directly inside a location holds, it and everything inside it
    (``inventory.selectors.stock_in_sub_locations`` rows); the count links to that stock."""

    testid = "sub-location-stock-table"
    label = _("Stock inside each location")

    def __init__(self, rows):
        super().__init__(rows)
        detail = url_maker("location-detail")
        stock_at = reverse("stock-by-location")
        self.columns = (
            Column(
                _("Location"), lambda r: link(detail(r["pk"]), r["name"]), "cell-wide cell-title"
            ),
            Column(
                _("Stock items"),
                lambda r: link(f"{stock_at}?location={r['pk']}&cascade=true", r["items"]),
                "num",
                testid="sub-location-items",
            ),
            Column(_("Parts"), lambda r: r["parts"], "num", testid="sub-location-parts"),
        )

    def row_attrs(self, row) -> dict:
        return {"data-testid": "sub-location-row", "data-location-id": row["pk"]}


class LedgerTable(Table):
    """A part's ledger, newest first: what moved, at what cost, the balance after it."""

    classes = "table table-stack table-stack-3"

    def __init__(self, rows, *, show_costs: bool = True):
        super().__init__(rows)

        def when(row):
            moment = timezone.localtime(row.created_at)
            shown = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
            return tag("time", shown, datetime=dateformat.format(moment, "c"))

        def quantity(row):
            if row.quantity > 0:
                return tag("span", f"+{format_quantity(row.quantity)}", class_="qty-in")
            if row.quantity < 0:
                return tag("span", f"\u2212{format_quantity(-row.quantity)}", class_="qty-out")
            return None

        type_labels = dict(TransactionType.choices)

        def by(row):
            user = row.created_by
            return (user.get_full_name() or user.get_username()) if user else None

        self.columns = (
            Column(_("Date"), when, "cell-wide"),
            # ``get_type_display`` builds a dict of every choice on each call.
            Column(_("Type"), lambda r: type_labels.get(r.type, r.type), testid="ledger-type"),
            Column(_("Quantity"), quantity, "num", testid="ledger-quantity"),
            *(
                (
                    Column(_("Unit cost"), lambda r: format_money(r.unit_cost), "num"),
                    Column(
                        _("Total"),
                        lambda r: format_money(r.total_cost) if r.quantity else None,
                        "num",
                    ),
                )
                if show_costs
                else ()
            ),
            Column(
                _("Balance"), lambda r: format_quantity(r.on_hand_after), "num", "ledger-balance"
            ),
            Column(_("Location"), lambda r: r.location.path if r.location_id else None),
            Column(_("Note"), lambda r: r.note, "cell-wide cell-note"),
            Column(_("By"), by),
        )

    def row_attrs(self, row) -> dict:
        return {"data-testid": "ledger-row", "data-type": row.type}


class VendorTable(Table):
    """The vendors list."""

    def __init__(self, rows):
        super().__init__(rows)
        detail = url_maker("vendor-detail")
        inactive = badge("muted", _("Inactive"))

        def name(v):
            return spaced(link(detail(v.pk), v.name), None if v.is_active else inactive)

        self.columns = (
            Column(_("Name"), name, "cell-wide cell-title"),
            Column(_("Contact"), lambda v: v.contact_name),
            Column(_("Email"), lambda v: link(f"mailto:{v.email}", v.email) if v.email else None),
            Column(_("Phone"), lambda v: link(f"tel:{v.phone}", v.phone) if v.phone else None),
            Column(_("Parts"), lambda v: v.parts_count, "num"),
        )

    def row_attrs(self, vendor) -> dict:
        return {
            "data-testid": "vendor-row",
            "data-vendor-id": vendor.pk,
            "class": None if vendor.is_active else "is-inactive",
        }


class VendorPartTable(Table):
    """The parts one vendor supplies (the vendor's page)."""

    testid = "vendor-parts"

    def __init__(self, rows):
        super().__init__(rows)
        detail = url_maker("part-detail")
        preferred = badge("ok", _("Preferred"))
        self.columns = (
            Column(
                _("Part"),
                lambda link_: link(
                    detail(link_.part_id), titled(link_.part.number, link_.part.name)
                ),
                "cell-wide cell-title",
            ),
            Column(_("Vendor part number"), lambda link_: link_.vendor_part_number),
            Column(_("Preferred"), lambda link_: preferred if link_.is_preferred else None),
        )

    def row_attrs(self, link_) -> dict:
        return {"data-testid": "vendor-part-row"}
