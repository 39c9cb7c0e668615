"""Counting stock as people count: "there are 7 on this shelf", not "2 fewer than the system says".

Three ways a count reaches the ledger, all through the same building blocks as the other stock
actions (``inventory.services.ledger``: the part's row lock, ``add_to_item``, ``entry`` and
``record``), so the ledger keeps summing to on-hand:

- ``part_counts_apply``: someone who may reconcile books what they counted, one stock item per
  line, in one transaction; each line books ``counted - quantity now`` as a ``reconcile`` row
  (nothing for a line that matches);
- ``stock_counts_report``: a technician reports counts (``StockCount``, pending) for a manager to
  confirm; where the reporter may reconcile they are booked at once instead;
- ``stock_count_confirm`` / ``stock_count_reject``: a manager decides a pending count, once.

Who may reconcile is a site policy: managers and admins always, technicians where the site's
admin allows it (``Site.technicians_may_reconcile``, set by ``site_counting_set``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NON_FIELD, ServiceError
from core.models import Location, Membership, Role, Site, User
from core.numbers import QUANTITY, format_quantity
from core.roles import require_role
from core.services import require_same_site
from core.versions import data_changed
from inventory.models import (
    CountStatus,
    Part,
    StockCount,
    StockItem,
    StockTransaction,
    TransactionType,
)
from inventory.services.ledger import (
    ZERO,
    add_to_item,
    add_to_plain_item,
    entry,
    lock_part,
    post,
    receiving_item,
    record,
    require_stock_part,
)

# The data version (``core.versions``) of a site's stock counts: the count of their list is
# cached under it.
COUNTS_DATA = "stock_counts"


# --- Who may reconcile ----------------------------------------------------------------------------


def may_reconcile(membership: Membership | None) -> bool:
    """Whether this member books counts directly: managers and admins, and technicians where
    the site's admin allows it. (Pages ask with the request's membership; services read the
    setting afresh, ``require_reconcile_role``.)"""
    if membership is None:
        return False
    return membership.allows(Role.MANAGER) or membership.site.technicians_may_reconcile


def require_reconcile_role(by: User, site_id: int) -> Membership:
    """The first line of every service that books a count (the signed ``part_reconcile`` too).

    For a technician the site's setting is read from the database, not from the membership
    kept on the user: an admin may have just changed it."""
    membership = require_role(by, site_id, Role.TECHNICIAN)
    if membership.allows(Role.MANAGER):
        return membership
    if Site.objects.filter(pk=site_id, technicians_may_reconcile=True).exists():
        return membership
    raise PermissionDenied(
        _("At this site a manager confirms counts: report your count for a manager to confirm.")
    )


@transaction.atomic
def site_counting_set(*, site: Site, by: User, technicians_may_reconcile: bool) -> Site:
    """Set the site's counting policy. Only the site's admin decides who may book counts."""
    require_role(by, site, Role.ADMIN)
    value = bool(technicians_may_reconcile)
    Site.objects.filter(pk=site.pk).update(
        technicians_may_reconcile=value, updated_at=timezone.now()
    )
    site.technicians_may_reconcile = value
    return site


# --- What was counted -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """One line of a count: the quantity counted (as typed or sent; the service checks it) in
    ``stock_item``, else in the part's plain stock at ``location``, else in the part's only
    stocked item (or at its default location, when it has none).

    ``field`` names the input the line came from: a refusal of the quantity is reported on it
    (the API's ``counted``, a page's ``count_<item id>``); ``item_field`` names the input that
    chose the stock item, for a refusal of the item (the API's ``stock_item``; on a page, the
    line itself)."""

    quantity: object
    stock_item: StockItem | None = None
    location: Location | None = None
    field: str = "counted"
    item_field: str = "stock_item"


@dataclass
class CountedLine:
    """A count as it was checked under the part's lock: the stock item (None for a location
    that holds none of the part), what it held then (``before``) and what was counted."""

    counted: Decimal
    before: Decimal
    item: StockItem | None
    location_id: int | None
    source: Counted
    row: StockTransaction | None = None  # the ledger row booked for it, if anything changed

    @property
    def delta(self) -> Decimal:
        return self.counted - self.before


@dataclass
class CountOutcome:
    """What ``part_counts_apply`` did: every line counted, and the part's on-hand after it."""

    lines: list[CountedLine]
    on_hand: Decimal
    rows: list[StockTransaction] = field(default_factory=list)

    @property
    def changed(self) -> list[CountedLine]:
        return [line for line in self.lines if line.delta != 0]


def _require_note(note: str) -> str:
    if not (note or "").strip():
        raise ServiceError({"note": [_("Say why the count changed.")]})
    return note


def _quantities(counts: Sequence[Counted]) -> list[Decimal]:
    """Each line's counted quantity, checked before anything is locked: a number within the
    limits and not below zero. Every bad line is reported at once, each on its own field."""
    if not counts:
        raise ServiceError(_("Enter at least one counted quantity."))
    errors: dict[str, list[str]] = {}
    quantities = []
    for line in counts:
        try:
            number = QUANTITY.parse(line.quantity, line.field)
        except ServiceError as exc:
            errors.update(exc.errors)
            continue
        if number < 0:
            errors[line.field] = [_("A count cannot be below zero.")]
        quantities.append(number)
    if errors:
        raise ServiceError(errors)
    return quantities


def _lock_items(part: Part, counts: Sequence[Counted]) -> dict[int, StockItem]:
    """The stock items named by the lines, locked (their own rows only: locking the locations
    too would make moves of other parts between the same places wait), with their locations'
    paths for the messages."""
    named = [c for c in counts if c.stock_item is not None]
    for line in named:
        require_same_site(part.site_id, line.stock_item, line.item_field)
    ids = [line.stock_item.pk for line in named]
    if not ids:
        return {}
    rows = (
        StockItem.objects.select_for_update(of=("self",))
        .select_related("location")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {item.pk: item for item in rows}


def _plain_stock_at(part: Part, location_id: int) -> StockItem | None:
    """The stock a count "at this location" is about: the part's fullest in-stock item there
    without a serial number, else its plain (empty) item there, else none (locked)."""
    here = (
        StockItem.objects.select_for_update(of=("self",))
        .filter(part=part, location_id=location_id, serial="")
        .in_stock()
        .order_by("-quantity", "pk")
        .first()
    )
    return here if here is not None else receiving_item(part, location_id, "", create=False)


def _target(part: Part, line: Counted, items: dict[int, StockItem]) -> tuple[StockItem | None, int]:
    """The stock item a line counts (None: a location holding none of the part) and its
    location id. Refusals name the line's field, or ``stock_item`` / ``location``."""
    if line.stock_item is not None:
        item = items.get(line.stock_item.pk)
        if item is None or item.part_id != part.pk:
            raise ServiceError({line.item_field: [_("That stock item is not of this part.")]})
        if not item.counts_on_hand:
            # Its quantity is not on hand: counting it would make the ledger disagree.
            raise ServiceError({line.item_field: [_("This stock item is not in stock.")]})
        return item, item.location_id
    if line.location is not None:
        require_same_site(part.site_id, line.location, "location")
        return _plain_stock_at(part, line.location.pk), line.location.pk
    stocked = list(
        StockItem.objects.select_for_update(of=("self",)).filter(part=part).in_stock()[:2]
    )
    if len(stocked) == 1:
        return stocked[0], stocked[0].location_id
    if stocked:
        raise ServiceError(
            {"location": [_("This part is stocked at several locations: choose one.")]}
        )
    if part.default_location_id is None:
        raise ServiceError({"location": [_("Choose the location the counted stock is at.")]})
    return _plain_stock_at(part, part.default_location_id), part.default_location_id


def _counted_lines(part: Part, counts: Sequence[Counted]) -> list[CountedLine]:
    """Every line checked against the stock read under the part's lock (which the caller
    holds): what it counts, what that held, and whether booking the difference is possible."""
    quantities = _quantities(counts)
    items = _lock_items(part, counts)
    lines: list[CountedLine] = []
    errors: dict[str, list[str]] = {}
    seen: dict[tuple, str] = {}
    for source, counted in zip(counts, quantities, strict=True):
        try:
            item, location_id = _target(part, source, items)
        except ServiceError as exc:
            errors.update({source.field if k == NON_FIELD else k: v for k, v in exc.errors.items()})
            continue
        key = ("item", item.pk) if item is not None else ("location", location_id)
        if key in seen:
            errors[source.field] = [_("This stock is counted twice.")]
            continue
        seen[key] = source.field
        if item is not None and item.serial and counted not in (0, 1):
            errors[source.field] = [_("A serialised item holds one unit or none.")]
            continue
        before = item.quantity if item is not None else ZERO
        lines.append(CountedLine(counted, before, item, location_id, source))
    if errors:
        raise ServiceError(errors)
    return lines


# --- Booking counts -------------------------------------------------------------------------------


def _book(part: Part, lines: list[CountedLine], *, by: User, note: str) -> list[StockTransaction]:
    """Move each changed line's stock item by its delta and write one ``reconcile`` row per
    item, the running on-hand on each (``ledger.record`` then stores the last one)."""
    rows = []
    on_hand = part.on_hand
    for line in lines:
        delta = line.delta
        if delta == 0:
            continue
        if line.item is None:  # a location that held none of the part: a new plain item
            line.item = add_to_plain_item(part, line.location_id, "", delta, by)
        else:
            add_to_item(line.item, delta, by)
        on_hand += delta
        line.row = entry(
            part,
            type=TransactionType.RECONCILE,
            by=by,
            quantity=delta,
            item=line.item,
            location_id=line.location_id,
            note=note,
            on_hand_after=on_hand,
        )
        rows.append(line.row)
    if rows:
        record(part, rows, by=by)
    return rows


@transaction.atomic
def part_counts_apply(
    *, part: Part, by: User, counts: Sequence[Counted], note: str
) -> CountOutcome:
    """Book what was counted: each line's stock item moves to the counted quantity, as one
    ``reconcile`` ledger row per item that changed (a count equal to the quantity held books
    nothing). All lines or none: a refused line refuses the whole count.

    The difference is worked out here, under the part's lock, from the quantity held now; what
    a page showed while the user typed was computed from the quantity when the page loaded.
    """
    require_reconcile_role(by, part.site_id)
    note = _require_note(note)
    _quantities(counts)  # refuse bad numbers before taking any lock
    part = lock_part(part)
    require_stock_part(part)
    lines = _counted_lines(part, counts)
    rows = _book(part, lines, by=by, note=note)
    return CountOutcome(lines=lines, on_hand=part.on_hand, rows=rows)


# --- Counts reported for a manager ----------------------------------------------------------------


def _new_count(part: Part, line: CountedLine, *, by: User, note: str, **decision) -> StockCount:
    return StockCount(
        site_id=part.site_id,
        part=part,
        stock_item=line.item,
        location_id=line.location_id,
        counted=line.counted,
        expected=line.before,
        note=note.strip(),
        reported_by=by,
        **decision,
    )


@transaction.atomic
def stock_counts_report(
    *, part: Part, by: User, counts: Sequence[Counted], note: str
) -> list[StockCount]:
    """Report counts, one ``StockCount`` per line, with what the system held at that moment.

    A reporter who may reconcile (a manager, or a technician where the site allows it) has the
    counts booked at once (``part_counts_apply``) and recorded as confirmed by themselves;
    anyone else's wait, pending, for a manager (``stock_count_confirm``).
    """
    membership = require_role(by, part.site_id, Role.TECHNICIAN)
    note = _require_note(note)
    direct = membership.allows(Role.MANAGER) or (
        Site.objects.filter(pk=part.site_id, technicians_may_reconcile=True).exists()
    )
    if direct:
        outcome = part_counts_apply(part=part, by=by, counts=counts, note=note)
        decided = {"status": CountStatus.CONFIRMED, "decided_by": by, "decided_at": timezone.now()}
        reports = [
            _new_count(part, line, by=by, note=note, transaction=line.row, **decided)
            for line in outcome.lines
        ]
    else:
        _quantities(counts)
        # Under the part's lock, so each ``expected`` is the stock between two ledger rows.
        part = lock_part(part)
        require_stock_part(part)
        lines = _counted_lines(part, counts)
        reports = [_new_count(part, line, by=by, note=note) for line in lines]
    StockCount.objects.bulk_create(reports)
    data_changed(part.site_id, COUNTS_DATA)
    return reports


def _lock_pending(count: StockCount) -> StockCount:
    """The count, row-locked, if nobody has decided it yet: a count is decided once."""
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    if not locked.is_pending:
        decider = locked.decided_by if locked.decided_by_id else None
        who = (decider.get_full_name() or decider.get_username()) if decider else _("someone")
        message = (
            _("This count was already confirmed by %(who)s.")
            if locked.status == CountStatus.CONFIRMED
            else _("This count was already rejected by %(who)s.")
        )
        raise ServiceError(message % {"who": who})
    return locked


def _decide(count: StockCount, by: User, **changes) -> StockCount:
    changes.update(decided_by=by, decided_at=timezone.now())
    for name, value in changes.items():
        setattr(count, name, value)
    count.save(update_fields=list(changes))
    data_changed(count.site_id, COUNTS_DATA)
    return count


@transaction.atomic
def stock_count_confirm(*, count: StockCount, by: User) -> StockCount:
    """Confirm a reported count: book the difference the counter found, ``counted -
    expected``, as a ``reconcile`` row on the counted stock item (nothing when they match).

    Not ``quantity := counted``: stock that moved between the count and this confirmation
    (a restock, a work order's usage) is already in the ledger, and setting the quantity would
    silently undo it. A difference that would now take the item below zero is refused; reject
    the count and count again.
    """
    require_role(by, count.site_id, Role.MANAGER)
    part = lock_part(count.part_id)  # the part first, as every stock action does
    count = _lock_pending(count)
    require_stock_part(part)
    delta = count.difference
    row = None
    if delta != 0:
        row = _book_confirmed(part, count, delta, by)
    return _decide(count, by, status=CountStatus.CONFIRMED, transaction=row)


def _book_confirmed(part: Part, count: StockCount, delta: Decimal, by: User) -> StockTransaction:
    if count.stock_item_id is not None:
        item = StockItem.objects.select_for_update(of=("self",)).select_related("location")
        item = item.get(pk=count.stock_item_id)
        if not item.counts_on_hand:
            raise ServiceError(_("The counted stock item is no longer in stock."))
    else:  # a location that held none of the part when it was counted
        item = _plain_stock_at(part, count.location_id)
    held = item.quantity if item is not None else ZERO
    if held + delta < 0:
        raise ServiceError(
            _(
                "Since the count, the stock there went down to %(n)s %(units)s: booking "
                "%(delta)s would take it below zero. Reject the count and count again."
            )
            % {"n": format_quantity(held), "units": part.units, "delta": format_quantity(delta)}
        )
    if item is not None and item.serial and held + delta not in (0, 1):
        raise ServiceError(_("A serialised item holds one unit or none."))
    if item is None:
        item = add_to_plain_item(part, count.location_id, "", delta, by)
    else:
        add_to_item(item, delta, by)
    who = count.reported_by.get_username() if count.reported_by_id else "?"
    return post(
        part,
        type=TransactionType.RECONCILE,
        by=by,
        quantity=delta,
        item=item,
        location_id=item.location_id,  # where the item is now: it may have moved since
        note=_("Count by %(who)s: %(note)s") % {"who": who, "note": count.note},
        on_hand_after=part.on_hand + delta,
    )


@transaction.atomic
def stock_count_reject(*, count: StockCount, by: User, reason: str) -> StockCount:
    """Reject a reported count with a reason; nothing is booked. A count is decided once."""
    require_role(by, count.site_id, Role.MANAGER)
    if not (reason or "").strip():
        raise ServiceError({"reason": [_("Say why the count is rejected.")]})
    count = _lock_pending(count)
    return _decide(count, by, status=CountStatus.REJECTED, reason=reason.strip())
