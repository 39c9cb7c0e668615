"""Inventory benchmark: the parts list and part page (HTML and API) and restock throughput, at
the scale of a large plant: 10,000 parts with 10 stock items each (100,000) across a location tree,
and 200,000 ledger rows.

    python bench/inventory.py --backend sqlite      # or postgres; `make bench` runs both
    python bench/inventory.py --backend postgres --parts 2000   # a quicker, smaller run

The data is seeded with ``bulk_create`` into a throwaway database (see ``bench/_support.py``) and
is consistent: every part's ledger sums to its stock items, with the running balance on each row.
Requests go through Django's test ``Client`` (in process, no network) as a signed-in manager.
"""

import argparse
import random
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where this file would shadow the
# ``inventory`` app: the project root takes its place.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from bench._support import Report, say, setup_django, throwaway_database  # noqa: E402

WORDS = [
    "bearing", "filter", "belt", "valve", "gasket", "seal", "fuse", "relay", "sensor", "hose",
    "pump", "motor", "gear", "chain", "bolt", "nut", "washer", "spring", "switch", "coupling",
]  # fmt: skip
SEED_CHUNK = 500  # parts per bulk insert round (x10 items, x20 ledger rows)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--parts", type=int, default=10_000)
    parser.add_argument("--items-per-part", type=int, default=10)
    parser.add_argument("--ledger-per-item", type=int, default=2, help="even; default 2")
    parser.add_argument("--requests", type=int, default=50, help="per measured endpoint")
    parser.add_argument("--restocks", type=int, default=500)
    parser.add_argument("--threads", type=int, default=4, help="parallel restocks (PostgreSQL)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


# --- Seeding --------------------------------------------------------------------------------------


def seed(args, rng: random.Random):
    """Site, users, a location tree, part types, vendors, parts, stock items and the ledger."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Membership, Role, Site, User
    from core.services import location_create
    from inventory.models import (
        Part,
        PartType,
        PartVendor,
        StockItem,
        StockTransaction,
        TransactionType,
        Vendor,
    )

    site = Site.objects.create(name="Bench Plant")
    admin = User.objects.create(username="bench-admin", password=make_password(None))
    manager = User.objects.create(
        username="bench-manager", password=make_password(None), default_site=site
    )
    Membership.objects.create(user=admin, site=site, role=Role.ADMIN)
    Membership.objects.create(user=manager, site=site, role=Role.MANAGER)

    bins = []  # 5 buildings > 4 rooms > 5 bins: 125 locations, stock in the 100 bins
    for b in range(5):
        building = location_create(site=site, by=admin, name=f"Building {b + 1}")
        for r in range(4):
            room = location_create(site=site, by=admin, name=f"Room {r + 1}", parent=building)
            bins += [
                location_create(site=site, by=admin, name=f"Bin {n + 1}", parent=room).pk
                for n in range(5)
            ]
    types = PartType.objects.bulk_create(
        PartType(site=site, name=f"{word.title()}s") for word in WORDS
    )
    vendors = Vendor.objects.bulk_create(
        Vendor(site=site, name=f"Vendor {n:02d}", created_by=admin) for n in range(50)
    )

    created_at = StockTransaction._meta.get_field("created_at")
    created_at.auto_now_add = False  # back-dated history: seeded rows carry their own times
    start = timezone.now() - timedelta(days=200)
    per_item = args.ledger_per_item // 2
    row_number = 0
    cents = Decimal("0.01")
    try:
        for first in range(0, args.parts, SEED_CHUNK):
            count = min(SEED_CHUNK, args.parts - first)
            with transaction.atomic():
                parts = []
                for n in range(first, first + count):
                    word = WORDS[n % len(WORDS)]
                    cost = Decimal(rng.randint(50, 50_000)) / 100
                    parts.append(
                        Part(
                            site=site,
                            number=f"BP-{n:05d}",
                            name=f"{word.title()} {rng.choice(WORDS)} {n}",
                            description=f"Bench part {n}: {word} for line {n % 17}",
                            part_type=types[n % len(types)],
                            default_location_id=rng.choice(bins),
                            unit_cost=cost,
                            avg_unit_cost=cost,
                            min_qty=Decimal(rng.randint(0, 40)),
                            desired_qty=Decimal(rng.randint(40, 120)),
                            created_by=admin,
                            updated_by=admin,
                        )
                    )
                parts = Part.objects.bulk_create(parts)
                PartVendor.objects.bulk_create(
                    PartVendor(
                        part=part,
                        vendor=vendors[(part.pk * 7) % len(vendors)],
                        vendor_part_number=f"V-{part.number}",
                        is_preferred=True,
                    )
                    for part in parts
                )
                items = StockItem.objects.bulk_create(
                    StockItem(
                        site=site,
                        part=part,
                        location_id=location,
                        quantity=Decimal(rng.randint(0, 200_000)) / 1000,
                    )
                    for part in parts
                    for location in rng.sample(bins, args.items_per_part)
                )
                rows = []
                for p, part in enumerate(parts):
                    mine = items[p * args.items_per_part : (p + 1) * args.items_per_part]
                    on_hand = Decimal(0)
                    moves = []  # per item: restocks in, then counted differences out
                    for item in mine:
                        extra = [Decimal(rng.randint(1, 20_000)) / 1000 for _ in range(per_item)]
                        received = item.quantity + sum(extra)
                        share = (received / per_item).quantize(Decimal("0.001"))
                        ins = [share] * (per_item - 1) + [received - share * (per_item - 1)]
                        moves += [(TransactionType.RESTOCK, item, q) for q in ins]
                        moves += [(TransactionType.RECONCILE, item, -q) for q in extra]
                    moves.sort(key=lambda move: move[0] != TransactionType.RESTOCK)
                    for kind, item, quantity in moves:
                        on_hand += quantity
                        row_number += 1
                        rows.append(
                            StockTransaction(
                                site=site,
                                part=part,
                                stock_item=item,
                                location_id=item.location_id,
                                type=kind,
                                quantity=quantity,
                                unit_cost=part.unit_cost,
                                total_cost=(quantity * part.unit_cost).quantize(cents),
                                on_hand_after=on_hand,
                                note="Bench seed" if kind == TransactionType.RESTOCK else "count",
                                created_by=admin,
                                created_at=start + timedelta(seconds=60 * row_number),
                            )
                        )
                StockTransaction.objects.bulk_create(rows, batch_size=2000)
            if (first // SEED_CHUNK) % 4 == 3:
                say(f"seeded {first + count:,} parts")
    finally:
        created_at.auto_now_add = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return site, manager


def check_consistency(site, rng: random.Random, args) -> None:
    """The seeded ledger sums to the stock: in total, and part by part for a sample."""
    from django.db.models import Sum

    from inventory import services
    from inventory.models import Part, StockItem, StockTransaction

    counts = (
        Part.objects.filter(site=site).count(),
        StockItem.objects.filter(site=site).count(),
        StockTransaction.objects.filter(site=site).count(),
    )
    expected = (
        args.parts,
        args.parts * args.items_per_part,
        args.parts * args.items_per_part * args.ledger_per_item,
    )
    assert counts == expected, (counts, expected)
    ids = list(Part.objects.filter(site=site).values_list("pk", flat=True))
    for pk in rng.sample(ids, min(50, len(ids))):
        ledger = StockTransaction.objects.filter(part_id=pk).values_list("quantity", flat=True)
        last = StockTransaction.objects.filter(part_id=pk).order_by("-pk").first()
        assert sum(ledger, Decimal(0)) == services.on_hand_of(pk) == last.on_hand_after, pk
    items = StockItem.objects.filter(site=site).aggregate(t=Sum("quantity"))["t"]
    ledger = StockTransaction.objects.filter(site=site).aggregate(t=Sum("quantity"))["t"]
    assert abs(items - ledger) < Decimal("0.001"), (items, ledger)  # SQLite sums as floats


# --- Measuring ------------------------------------------------------------------------------------


def timed_requests(client, urls: list[str], *, warmup: int = 3) -> list[float]:
    for url in urls[:warmup]:
        client.get(url)
    durations = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return durations


def route_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).url_name not in (None, "")
    except Resolver404:
        return False


def measure(args, site, manager, rng: random.Random, report: Report) -> None:
    from django.core.paginator import Paginator
    from django.test import Client

    from inventory import selectors
    from inventory.models import Part

    ids = list(Part.objects.filter(site=site).values_list("pk", flat=True))
    n = args.requests
    terms = [rng.choice(WORDS) for _ in range(n // 2)]
    terms += [f"BP-{rng.randrange(args.parts):05d}"[: rng.choice([5, 6, 8])] for _ in range(n // 2)]
    page_numbers = [rng.randint(1, max(1, args.parts // 50)) for _ in range(n)]
    detail_ids = [rng.choice(ids) for _ in range(n)]
    client = Client()
    client.force_login(manager)

    # The selector itself (a page of 50 with derived quantities), as every page and API list use.
    durations = []
    for number in page_numbers:
        started = time.perf_counter()
        page = Paginator(selectors.parts_for_list(site=site).order_by("name", "pk"), 50)
        list(page.page(min(number, page.num_pages)).object_list)
        durations.append(time.perf_counter() - started)
    report.latency("selector parts_for_list, one page of 50", durations)

    if route_exists("/parts/"):
        report.latency(
            "page  /parts/?page=N",
            timed_requests(client, [f"/parts/?page={p}" for p in page_numbers]),
        )
        report.latency(
            "page  /parts/?q=... (search)",
            timed_requests(client, [f"/parts/?q={t}" for t in terms]),
        )
    else:
        report.notes.append("The parts list page (/parts/) does not exist yet: not measured.")
    if route_exists("/api/parts/"):
        listed = client.get("/api/parts/?limit=1").json()["count"]
        assert listed == args.parts, f"/api/parts/ lists {listed} parts, not {args.parts}"
        report.latency(
            "API   /api/parts/?limit=50&offset=N",
            timed_requests(
                client, [f"/api/parts/?limit=50&offset={(p - 1) * 50}" for p in page_numbers]
            ),
        )
        report.latency(
            "API   /api/parts/?search=...",
            timed_requests(client, [f"/api/parts/?search={t}" for t in terms]),
        )
    else:
        report.notes.append("The parts API (/api/parts/) does not exist yet: not measured.")
    if route_exists(f"/parts/{ids[0]}/"):
        report.latency(
            "page  /parts/{id}/", timed_requests(client, [f"/parts/{pk}/" for pk in detail_ids])
        )
    if route_exists(f"/api/parts/{ids[0]}/"):
        report.latency(
            "API   /api/parts/{id}/",
            timed_requests(client, [f"/api/parts/{pk}/" for pk in detail_ids]),
        )


def restock_throughput(args, site, manager, rng: random.Random, report: Report, backend: str):
    from django.db import connection

    from core.models import User
    from inventory import services
    from inventory.models import Part

    ids = list(Part.objects.filter(site=site).values_list("pk", flat=True))

    def restocks(part_ids: list[int], costs: list[str]) -> None:
        by = User.objects.get(pk=manager.pk)
        try:
            for pk, cost in zip(part_ids, costs, strict=True):
                services.part_restock(part=Part(pk=pk, site=site), by=by, quantity="1", cost=cost)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    total = args.restocks
    costs = [f"{rng.randint(100, 9_999) / 100:.2f}" for _ in range(total)]
    started = time.perf_counter()
    restocks([rng.choice(ids) for _ in range(total)], costs)
    report.throughput(
        "restock, services, 1 thread (random parts)", total, time.perf_counter() - started
    )

    if backend != "postgres" or args.threads < 2:
        return
    per_thread = total // args.threads
    for label, pick in (
        (f"restock, services, {args.threads} threads (random parts)", lambda: rng.choice(ids)),
        (f"restock, services, {args.threads} threads (one part)", lambda: ids[0]),
    ):
        jobs = [
            ([pick() for _ in range(per_thread)], costs[:per_thread]) for _ in range(args.threads)
        ]
        threads = [threading.Thread(target=restocks, args=job) for job in jobs]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.throughput(label, per_thread * args.threads, time.perf_counter() - started)
    # Still consistent after all that writing?
    part = Part.objects.get(pk=ids[0])
    assert services.on_hand_of(part) == part.transactions.order_by("-pk").first().on_hand_after


def database_version(connection) -> str:
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10_000)
        return f"PostgreSQL {major}.{minor}"
    return f"SQLite {connection.Database.sqlite_version}"


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.ledger_per_item < 2 or args.ledger_per_item % 2:
        raise SystemExit("--ledger-per-item must be even and at least 2")
    rng = random.Random(args.seed)
    with throwaway_database(args.backend) as where:
        total_started = time.perf_counter()
        setup_django()
        from django.db import connection

        started = time.perf_counter()
        site, manager = seed(args, rng)
        seeded = time.perf_counter() - started
        check_consistency(site, rng, args)
        say(f"seeded and checked in {seeded:.1f} s; measuring")
        report = Report(f"Inventory benchmark on {database_version(connection)}")
        report.notes.append(
            f"{args.parts:,} parts, {args.parts * args.items_per_part:,} stock items in 100 bins, "
            f"{args.parts * args.items_per_part * args.ledger_per_item:,} ledger rows; "
            f"seeded (bulk_create) in {seeded:.1f} s; {where}"
        )
        measure(args, site, manager, rng, report)
        restock_throughput(args, site, manager, rng, report, args.backend)
        report.notes_after.append(f"whole run: {time.perf_counter() - total_started:.0f} s")
        report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
