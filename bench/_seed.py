"""Seeding at the scale of issue 7: a large site (10,000 parts, 100,000 stock items, 200,000 ledger
rows, ~1,000 locations, 20,000 task records) and a small second site, so that every site filter
has rows to leave out.

Catalogue, stock and ledger go in with ``bulk_create`` in rounds of 500 parts (services would take
an hour); locations go through ``location_create`` so their paths and lineages are the real ones.
The ledger is consistent: every part's rows sum to its stock items, with the running balance in
``on_hand_after``, which ``check_consistency`` verifies before anything is measured.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from bench._support import say

WORDS = [
    "bearing", "filter", "belt", "valve", "gasket", "seal", "fuse", "relay", "sensor", "hose",
    "pump", "motor", "gear", "chain", "bolt", "nut", "washer", "spring", "switch", "coupling",
]  # fmt: skip
SEED_CHUNK = 500  # parts per bulk insert round
CENTS = Decimal("0.01")
TASK_STATES = [("SUCCESS", 80), ("FAILURE", 10), ("STARTED", 5), ("PENDING", 5)]


@dataclass
class Scale:
    """How much to seed on the large site; the small site gets a fiftieth of the parts."""

    parts: int = 10_000
    items_per_part: int = 10
    ledger_per_item: int = 2
    heavy_ledger_rows: int = 2_000  # one part with a long ledger, to page through
    tasks: int = 20_000
    buildings: int = 10
    rooms: int = 10
    bins: int = 9

    @property
    def vendors(self) -> int:
        return max(10, self.parts // 20)

    @property
    def heavy_per_item(self) -> int:
        per_item = max(self.ledger_per_item, self.heavy_ledger_rows // self.items_per_part)
        return per_item + per_item % 2  # restocks and reconciles in pairs

    def ledger_rows(self) -> int:
        plain = self.parts * self.items_per_part * self.ledger_per_item
        return plain + self.items_per_part * (self.heavy_per_item - self.ledger_per_item)


@dataclass
class Seeded:
    """What the measurements need from the seeded data (ids, not model instances)."""

    site_id: int
    other_site_id: int
    manager_id: int
    admin_id: int
    heavy_part_id: int
    many_vendor_id: int
    building_id: int
    part_ids: list[int] = field(default_factory=list)
    bin_ids: list[int] = field(default_factory=list)
    location_ids: list[int] = field(default_factory=list)
    vendor_ids: list[int] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def seed(scale: Scale, rng: random.Random) -> Seeded:
    """Both sites, their people, locations, catalogue, stock, ledger and task records; then the
    statistics a production database would have (``VACUUM ANALYZE`` / ``ANALYZE``)."""
    from core.models import Location, Site

    site = Site.objects.create(name="Bench Plant")
    other = Site.objects.create(name="Bench Annex")
    admin, manager = people(site, other)
    buildings, bins = location_tree(site, admin, scale.buildings, scale.rooms, scale.bins)
    say(f"{len(bins) + scale.buildings * (scale.rooms + 1)} locations")
    catalogue = Catalogue(site, admin, scale, rng, bins, prefix="BP")
    catalogue.seed()
    say("small second site")
    _other_buildings, other_bins = location_tree(other, admin, 1, 2, 3)
    small = Scale(
        parts=max(50, scale.parts // 50),
        items_per_part=2,
        ledger_per_item=2,
        heavy_ledger_rows=0,
        tasks=max(100, scale.tasks // 100),
    )
    Catalogue(other, admin, small, rng, other_bins, prefix="AX").seed()
    task_ids = task_records(site, admin, scale.tasks, rng)
    task_records(other, admin, small.tasks, rng)
    analyze()
    return Seeded(
        site_id=site.pk,
        other_site_id=other.pk,
        manager_id=manager.pk,
        admin_id=admin.pk,
        heavy_part_id=catalogue.part_ids[0],
        many_vendor_id=catalogue.vendor_ids[0],
        building_id=buildings[0],
        part_ids=catalogue.part_ids,
        bin_ids=bins,
        location_ids=list(Location.objects.filter(site=site).values_list("pk", flat=True)),
        vendor_ids=catalogue.vendor_ids,
        task_ids=task_ids,
    )


def people(site, other):
    """An admin and a manager of both sites (so ``/api/sites/`` lists two), a few technicians,
    and the small site's own manager. The bench signs in as the manager, working in ``site``."""
    from django.contrib.auth.hashers import make_password

    from core.models import Membership, Role, User

    def user(name: str, default_site) -> User:
        return User.objects.create(
            username=name, password=make_password(None), default_site=default_site
        )

    admin, manager = user("bench-admin", site), user("bench-manager", site)
    for person, role in ((admin, Role.ADMIN), (manager, Role.MANAGER)):
        Membership.objects.create(user=person, site=site, role=role)
        Membership.objects.create(user=person, site=other, role=role)
    for n in range(5):
        Membership.objects.create(
            user=user(f"bench-tech-{n + 1}", site), site=site, role=Role.TECHNICIAN
        )
    Membership.objects.create(user=user("annex-manager", other), site=other, role=Role.MANAGER)
    return admin, manager


def location_tree(site, by, buildings: int, rooms: int, bins: int) -> tuple[list[int], list[int]]:
    """Buildings > rooms > bins through the location service; returns building and bin ids."""
    from core.services import location_create

    building_ids, bin_ids = [], []
    for b in range(buildings):
        building = location_create(site=site, by=by, name=f"Building {b + 1:02d}")
        building_ids.append(building.pk)
        for r in range(rooms):
            room = location_create(site=site, by=by, name=f"Room {r + 1:02d}", parent=building)
            bin_ids += [
                location_create(site=site, by=by, name=f"Bin {n + 1:02d}", parent=room).pk
                for n in range(bins)
            ]
    return building_ids, bin_ids


class Catalogue:
    """One site's part types, vendors, parts, vendor links, stock items and ledger.

    Part 0 is the heavy part (``heavy_ledger_rows`` ledger rows); vendor 0 supplies one part in
    ten besides the parts it is preferred for (a vendor page with many parts).
    """

    def __init__(self, site, by, scale: Scale, rng: random.Random, bins: list[int], prefix: str):
        self.site, self.by, self.scale, self.rng = site, by, scale, rng
        self.bins, self.prefix = bins, prefix
        self.part_ids: list[int] = []
        self.vendor_ids: list[int] = []
        self.rows_written = 0

    def seed(self) -> None:
        from django.db import transaction
        from django.utils import timezone

        from inventory.models import PartType, StockTransaction, Vendor

        self.types = PartType.objects.bulk_create(
            PartType(site=self.site, name=f"{word.title()}s") for word in WORDS
        )
        self.vendors = Vendor.objects.bulk_create(
            Vendor(site=self.site, name=f"Vendor {n:04d}", created_by=self.by)
            for n in range(self.scale.vendors)
        )
        self.vendor_ids = [v.pk for v in self.vendors]
        self.start = timezone.now() - timedelta(days=200)
        created_at = StockTransaction._meta.get_field("created_at")
        created_at.auto_now_add = False  # back-dated history: seeded rows carry their own times
        try:
            for first in range(0, self.scale.parts, SEED_CHUNK):
                count = min(SEED_CHUNK, self.scale.parts - first)
                with transaction.atomic():
                    self.chunk(first, count)
                if (first // SEED_CHUNK) % 4 == 3:
                    say(f"seeded {first + count:,} parts ({self.site.name})")
        finally:
            created_at.auto_now_add = True

    def chunk(self, first: int, count: int) -> None:
        from inventory.models import PartVendor, StockItem, StockTransaction

        rng, per_part = self.rng, self.scale.items_per_part
        stock = [  # per part: (location, quantity) of each of its stock items
            [
                (bin_id, Decimal(rng.randint(1_000, 200_000)) / 1000)
                for bin_id in rng.sample(self.bins, per_part)
            ]
            for _ in range(count)
        ]
        parts = self.bulk_parts(first, stock)
        self.part_ids += [p.pk for p in parts]
        links = PartVendor.objects.bulk_create(self.vendor_links(first, parts))
        self.fill_search_text(parts, links)
        items = StockItem.objects.bulk_create(
            StockItem(site=self.site, part=part, location_id=location, quantity=quantity)
            for part, held in zip(parts, stock, strict=True)
            for location, quantity in held
        )
        rows = []
        for p, part in enumerate(parts):
            mine = items[p * per_part : (p + 1) * per_part]
            heavy = first + p == 0 and self.scale.heavy_ledger_rows > 0
            per_item = self.scale.heavy_per_item if heavy else self.scale.ledger_per_item
            rows += self.ledger(part, mine, per_item // 2)
        StockTransaction.objects.bulk_create(rows, batch_size=2000)

    def bulk_parts(self, first: int, stock: list) -> list:
        """The chunk's parts. If the model stores ``on_hand`` (a column kept by the stock
        actions, instead of a sum over stock items), it is seeded equal to the items' sum."""
        from inventory.models import Part

        stored = any(f.name == "on_hand" for f in Part._meta.concrete_fields)
        parts = []
        for n, held in enumerate(stock, start=first):
            part = self.new_part(n)
            if stored:
                part.on_hand = sum((q for _location, q in held), Decimal(0))
            parts.append(part)
        return Part.objects.bulk_create(parts)

    @staticmethod
    def fill_search_text(parts: list, links: list) -> None:
        """If the model keeps a search text (what the search box matches), it is written as the
        parts service writes it."""
        from inventory.models import Part

        if not hasattr(Part, "search_text_with"):
            return
        numbers: dict[int, list[str]] = {}
        for link in links:
            numbers.setdefault(link.part_id, []).append(link.vendor_part_number)
        for part in parts:
            part.search_text = part.search_text_with(numbers.get(part.pk, []))
        Part.objects.bulk_update(parts, ["search_text"])

    @property
    def low_stock_minimum(self) -> Decimal:
        """A minimum above any seeded on-hand: one part in five is on the reorder list."""
        return Decimal(250 * self.scale.items_per_part)

    def new_part(self, n: int):
        from inventory.models import Part

        rng = self.rng
        word = WORDS[n % len(WORDS)]
        cost = Decimal(rng.randint(50, 50_000)) / 100
        return Part(
            site=self.site,
            number=f"{self.prefix}-{n:05d}",
            name=f"{word.title()} {rng.choice(WORDS)} {n}",
            description=f"Bench part {n}: {word} for line {n % 17}",
            part_type=self.types[n % len(self.types)],
            default_location_id=rng.choice(self.bins),
            unit_cost=cost,
            avg_unit_cost=cost,
            min_qty=self.low_stock_minimum if n % 5 == 2 else Decimal(rng.randint(0, 50)),
            desired_qty=self.low_stock_minimum + Decimal(rng.randint(0, 500)),
            created_by=self.by,
            updated_by=self.by,
        )

    def vendor_links(self, first: int, parts: list):
        from inventory.models import PartVendor

        vendors = self.vendors
        for n, part in enumerate(parts, start=first):
            preferred = vendors[n % len(vendors)]
            yield PartVendor(
                part=part,
                vendor=preferred,
                vendor_part_number=f"V-{part.number}",
                is_preferred=True,
            )
            if n % 10 == 5 and preferred != vendors[0]:
                yield PartVendor(
                    part=part, vendor=vendors[0], vendor_part_number=f"W-{part.number}"
                )

    def ledger(self, part, items: list, per_item: int) -> list:
        """Per item ``per_item`` restocks in, then as many counted differences out, leaving the
        item's seeded quantity; the running on-hand goes into ``on_hand_after``."""
        from inventory.models import StockTransaction, TransactionType

        rng = self.rng
        moves = []
        for item in items:
            extra = [Decimal(rng.randint(1, 20_000)) / 1000 for _ in range(per_item)]
            received = item.quantity + sum(extra)
            share = (received / per_item).quantize(Decimal("0.001"))
            ins = [share] * (per_item - 1) + [received - share * (per_item - 1)]
            moves += [(TransactionType.RESTOCK, item, q) for q in ins]
            moves += [(TransactionType.RECONCILE, item, -q) for q in extra]
        moves.sort(key=lambda move: move[0] != TransactionType.RESTOCK)
        rows, on_hand = [], Decimal(0)
        for kind, item, quantity in moves:
            on_hand += quantity
            self.rows_written += 1
            rows.append(
                StockTransaction(
                    site=self.site,
                    part=part,
                    stock_item=item,
                    location_id=item.location_id,
                    type=kind,
                    quantity=quantity,
                    unit_cost=part.unit_cost,
                    total_cost=(quantity * part.unit_cost).quantize(CENTS),
                    on_hand_after=on_hand,
                    note="Bench seed" if kind == TransactionType.RESTOCK else "count",
                    created_by=self.by,
                    created_at=self.start + timedelta(seconds=30 * self.rows_written),
                )
            )
        return rows


def task_records(site, by, count: int, rng: random.Random) -> list[str]:
    """Background-task records in mixed states over the last 200 days (``/api/tasks/``)."""
    from django.utils import timezone

    from core.models import TaskRecord

    states = [state for state, weight in TASK_STATES for _ in range(weight)]
    now = timezone.now()
    ids = []
    for first in range(0, count, 5_000):
        batch = []
        for n in range(first, min(count, first + 5_000)):
            state = rng.choice(states)
            created = now - timedelta(seconds=rng.randint(60, 200 * 86_400))
            started = created + timedelta(seconds=rng.randint(1, 30))
            finished = state in ("SUCCESS", "FAILURE")
            batch.append(
                TaskRecord(
                    site=site,
                    name=rng.choice(["inventory.rebuild", "locations.paths", "builds.allocate"]),
                    state=state,
                    progress=100 if finished else rng.randint(0, 99),
                    message=f"bench task {n}",
                    result={"done": n} if state == "SUCCESS" else None,
                    error="bench failure" if state == "FAILURE" else "",
                    created_by=by,
                    created_at=created,
                    queued_at=created,
                    started_at=None if state == "PENDING" else started,
                    finished_at=started + timedelta(seconds=rng.randint(1, 600))
                    if finished
                    else None,
                )
            )
        ids += [str(t.pk) for t in TaskRecord.objects.bulk_create(batch)]
    return ids


def analyze() -> None:
    """Statistics as production's autovacuum would have them: ``VACUUM ANALYZE`` on PostgreSQL
    (it also sets the visibility map, which index-only scans rely on), ``ANALYZE`` on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def check_consistency(seeded: Seeded, scale: Scale, rng: random.Random) -> None:
    """The seeded ledger sums to the stock: in total, and part by part for a sample (with the
    heavy part); the row counts are the ones asked for."""
    from django.db.models import Sum

    from core.models import TaskRecord
    from inventory.models import Part, StockItem, StockTransaction

    site = seeded.site_id
    counts = (
        Part.objects.filter(site=site).count(),
        StockItem.objects.filter(site=site).count(),
        StockTransaction.objects.filter(site=site).count(),
        TaskRecord.objects.filter(site=site).count(),
    )
    expected = (
        scale.parts,
        scale.parts * scale.items_per_part,
        scale.ledger_rows(),
        scale.tasks,
    )
    assert counts == expected, (counts, expected)
    sample = [seeded.heavy_part_id, *rng.sample(seeded.part_ids, min(50, len(seeded.part_ids)))]
    for pk in sample:
        ledger_part(pk)
    for site_id in (seeded.site_id, seeded.other_site_id):
        items = StockItem.objects.filter(site=site_id).aggregate(t=Sum("quantity"))["t"]
        ledger = StockTransaction.objects.filter(site=site_id).aggregate(t=Sum("quantity"))["t"]
        assert abs(items - ledger) < Decimal("0.001"), (items, ledger)  # SQLite sums as floats
    seeded.counts = {
        "parts": counts[0],
        "stock_items": counts[1],
        "ledger_rows": counts[2],
        "task_records": counts[3],
        "locations": len(seeded.location_ids),
        "vendors": len(seeded.vendor_ids),
        "heavy_part_ledger_rows": StockTransaction.objects.filter(
            part=seeded.heavy_part_id
        ).count(),
        "other_site_parts": Part.objects.filter(site=seeded.other_site_id).count(),
    }


def ledger_part(pk: int) -> None:
    """One part's ledger sums to its on-hand (summed from its stock items), its last row says so
    too, and so does the part's stored ``on_hand`` where the model has one."""
    from inventory import services
    from inventory.models import Part, StockTransaction

    ledger = StockTransaction.objects.filter(part_id=pk)
    total = sum(ledger.values_list("quantity", flat=True), Decimal(0))
    last = ledger.order_by("-pk").first()
    assert total == services.on_hand_of(pk) == last.on_hand_after, pk
    if any(f.name == "on_hand" for f in Part._meta.concrete_fields):
        stored = Part.objects.filter(pk=pk).values_list("on_hand", flat=True).get()
        assert stored == total, (pk, stored, total)
