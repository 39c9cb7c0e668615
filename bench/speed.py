"""Speed benchmark (issue 7): every API list and list page at page 1, a middle page and the last,
every ordering the API offers, details, stock actions, restock throughput, and a load run through
gunicorn, against the budget in DESIGN.md ("Speed") on seeded data at the scale of a large plant.

    python bench/speed.py --backend sqlite       # or postgres; `make bench` runs both
    python bench/speed.py --backend postgres --parts 2000 --requests 10   # a quicker run

Server time is measured in process through Django's test ``Client`` (token auth for the API, a
session for pages, DEBUG off); each row also shows the SQL queries of one more request and the
ratio to the floor, a trivial view behind the same middleware and authentication
(``bench/_urls.py``). See bench/README.md for what each column means.
"""

import argparse
import datetime
import gc
import os
import platform
import random
import sys
import threading
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where a benchmark named like an app would
# shadow it: the project root takes its place.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from bench import _load, _pages, _seed  # noqa: E402
from bench._report import table, write_json  # noqa: E402
from bench._support import (  # noqa: E402
    count_queries,
    load_average,
    say,
    setup_django,
    source_revision,
    summary_ms,
    throwaway_database,
)

PAGE_SIZE = 50
LIST_BUDGET_MS = 15.0  # a page of 50 at any depth (DESIGN.md, "Speed")
DETAIL_BUDGET_MS = 8.0
ACTION_QUERY_BUDGET = 6  # queries per stock action (service call)
RESTOCK_BUDGET = 500  # restocks per second from 4 threads on PostgreSQL
MIN_SAMPLES = 5  # a row stops early (``--row-seconds``) only once it has this many
FLOOR_URLS = {"api": "/bench/floor/", "page": "/bench/floor/page/"}  # bench/_urls.py
FLOOR_SAMPLES = 5  # floor requests timed before and after each row


# The stock actions through the API: path and JSON body, ids filled in per call.
API_ACTIONS = {
    "POST /api/parts/{id}/restock/": (
        "/api/parts/{part}/restock/",
        {"quantity": "1", "cost": "12.34"},
    ),
    "POST /api/parts/{id}/reconcile/": (
        "/api/parts/{part}/reconcile/",
        {"quantity": "1", "note": "bench count", "stock_item": "{item}"},
    ),
    "POST /api/parts/{id}/unit-cost/": ("/api/parts/{part}/unit-cost/", {"cost": "10.00"}),
    "POST /api/parts/{id}/avg-cost/": ("/api/parts/{part}/avg-cost/", {"cost": "10.00"}),
    "POST /api/stock/{id}/transfer/": (
        "/api/stock/{item}/transfer/",
        {"location": "{bin}", "quantity": "0.001"},
    ),
    "POST /api/stock/{id}/scrap/": ("/api/stock/{item}/scrap/", {"quantity": "0.001", "note": "b"}),
}


class RequestFailed(Exception):
    pass


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--parts", type=int, default=10_000)
    parser.add_argument("--items-per-part", type=int, default=10)
    parser.add_argument("--ledger-per-item", type=int, default=2, help="even; default 2")
    parser.add_argument("--heavy-ledger-rows", type=int, default=2_000, help="one part's ledger")
    parser.add_argument("--tasks", type=int, help="task records; default 2 per part")
    parser.add_argument("--requests", type=int, default=30, help="per measured row")
    parser.add_argument(
        "--ordering-requests", type=int, help="per ordering row; default requests / 3, at least 5"
    )
    parser.add_argument(
        "--row-seconds",
        type=float,
        default=3.0,
        help=f"stop a row early after this long (once it has {MIN_SAMPLES} samples)",
    )
    parser.add_argument("--restocks", type=int, default=500)
    parser.add_argument("--threads", type=int, default=4, help="parallel restocks (PostgreSQL)")
    parser.add_argument("--walk-cap", type=int, default=40, help="keyset pages to follow")
    parser.add_argument("--load-seconds", type=float, default=5.0, help="per concurrency level")
    parser.add_argument("--load-levels", default="1,8,32", help="concurrency levels")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load run")
    parser.add_argument("--no-orderings", action="store_true", help="skip the orderings table")
    parser.add_argument("--json", help="write the results here ({backend} is replaced)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.ledger_per_item < 2 or args.ledger_per_item % 2:
        parser.error("--ledger-per-item must be even and at least 2")
    if args.tasks is None:
        args.tasks = 2 * args.parts
    if args.ordering_requests is None:
        args.ordering_requests = max(MIN_SAMPLES, args.requests // 3)
    return args


def verdict(median_ms: float | None, budget_ms: float | None) -> str:
    if median_ms is None or budget_ms is None:
        return ""
    return "OK" if median_ms <= budget_ms else "OVER"


def position(step: str) -> str:
    """Where a measured page is in its list (first, middle, last, single), whatever its label
    says: ``bench/_compare.py`` matches rows of two runs by it, so a list that changed from
    ``?page=N`` to keyset pages is still compared with itself."""
    if step.startswith("not paginated"):
        return "single"
    if step == "page 1":
        return "first"
    return "last" if "last" in step else "middle"


class Bench:
    """The measurements of one run, on one backend; ``results`` is what goes to JSON."""

    def __init__(self, args, seeded: _seed.Seeded, rng: random.Random):
        from django.test import Client

        from core.models import User
        from core.services import api_token_create

        self.args, self.seeded, self.rng = args, seeded, rng
        self.manager = User.objects.get(pk=seeded.manager_id)
        _token, self.token = api_token_create(user=self.manager, name="bench")
        self.api = Client(headers={"authorization": f"Token {self.token}"})
        self.page = Client()
        self.page.force_login(self.manager)
        self.htmx = Client(headers={"hx-request": "true"})  # HTMX swaps: only a partial
        self.htmx.force_login(self.manager)
        self.floor: dict[str, float | None] = {"api": None, "page": None}
        self.touched: set[int] = set()  # parts the stock actions wrote to
        self.results: dict[str, list] = {
            "requests": [],
            "orderings": [],
            "actions": [],
            "throughput": [],
            "load": [],
        }

    # --- Timing one row ---------------------------------------------------------------------------

    def fetch(self, client, url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise RequestFailed(f"GET {url} answered {response.status_code}")
        return response

    def time_gets(
        self, client, urls: list[str], *, warmup=2, least=MIN_SAMPLES, cap=None, floor_key=None
    ) -> dict:
        """``warmup`` untimed requests (the last of them counts the queries), then one timed GET
        per URL; after ``cap`` seconds (``--row-seconds``) the row stops once it has ``least``
        samples, so that a slow endpoint does not hold the whole run up.

        With ``floor_key``, that floor is timed just before and just after the row, and the
        row's ``floor_ms`` is the median of those requests: the row and its floor are measured at
        the same moment, so their ratio holds when the machine's speed drifts (on the 2-core VM
        the same code measured 20-50 % apart from one minute to the next). The floor is not
        timed between the row's requests: right after a heavy request it pays for that request's
        garbage collection, and would measure more than doing nothing."""
        cap = self.args.row_seconds if cap is None else cap
        for url in urls[: warmup - 1]:
            self.fetch(client, url)
        _response, queries = count_queries(lambda: self.fetch(client, urls[0]))
        floor_durations = self.time_floor(floor_key) if floor_key else []
        durations = []
        started = time.perf_counter()
        for url in urls:
            begin = time.perf_counter()
            self.fetch(client, url)
            durations.append(time.perf_counter() - begin)
            if len(durations) >= least and begin - started > cap:
                break
        result = {**summary_ms(durations), "queries": queries}
        if floor_key:
            floor_durations += self.time_floor(floor_key)
            result["floor_ms"] = summary_ms(floor_durations)["median_ms"]
        return result

    def time_floor(self, key: str) -> list[float]:
        client, url = (
            (self.api, FLOOR_URLS["api"]) if key == "api" else (self.page, FLOOR_URLS["page"])
        )
        self.fetch(client, url)  # untimed: the row's last request may leave garbage behind
        durations = []
        for _ in range(FLOOR_SAMPLES):
            begin = time.perf_counter()
            self.fetch(client, url)
            durations.append(time.perf_counter() - begin)
        return durations

    def row(self, section: str, label: str, client, urls: list[str], budget, floor_key=None):
        """Measure ``urls`` and record the row; a failing endpoint is recorded, not fatal (the
        code under test may be half-way through a change)."""
        record = {"label": label, "url": urls[0], "budget_ms": budget}
        try:
            record.update(self.time_gets(client, urls, floor_key=floor_key))
        except Exception as exc:
            record.update(error=f"{type(exc).__name__}: {exc}"[:300], n=0)
            say(f"{label}: {record['error']}")
        floor = record.get("floor_ms") or (self.floor.get(floor_key) if floor_key else None)
        median = record.get("median_ms")
        record["x_floor"] = round(median / floor, 1) if median and floor else None
        record["verdict"] = "ERROR" if "error" in record else verdict(median, budget)
        self.results[section].append(record)
        return record

    # --- Floors, lists, pages, details ------------------------------------------------------------

    def floors(self, when: str = "") -> None:
        """The floors the "x floor" column divides by. Measured again after the requests
        (``when="again"``): if the machine's speed drifted during the run, the two differ, and
        the rows in between are to be read with that in mind."""
        n, suffix = self.args.requests, f" {when}" if when else ""
        apis = [FLOOR_URLS["api"]] * n
        api = self.row("requests", f"floor  API (APIView, {{}}){suffix}", self.api, apis, None)
        pages = [FLOOR_URLS["page"]] * n
        page = self.row("requests", f"floor  page (site_required){suffix}", self.page, pages, None)
        if not when:
            self.floor = {"api": api.get("median_ms"), "page": page.get("median_ms")}
        for key, record in (("api", api), ("page", page)):
            median, floor = record.get("median_ms"), self.floor.get(key)
            record["x_floor"] = round(median / floor, 1) if median and floor else None

    def floors_again(self) -> None:
        self.floors("again")

    def api_lists(self) -> list[str]:
        heavy = self.seeded.heavy_part_id
        return [
            "/api/parts/",
            "/api/parts/low-stock/",
            "/api/stock/",
            "/api/part-transactions/",
            f"/api/parts/{heavy}/transactions/",
            "/api/vendors/",
            "/api/locations/",
            "/api/tasks/",
            "/api/part-types/",
            "/api/users/",
            "/api/sites/",
        ]

    def list_count(self, path: str, query: str = "") -> int | None:
        try:
            data = self.fetch(self.api, f"{path}?{query}limit={PAGE_SIZE}").json()
        except RequestFailed as exc:
            say(str(exc))
            return None
        return data.get("count") if isinstance(data, dict) else None

    def offsets(self, count: int | None) -> list[tuple[str, int]]:
        """Page 1, the middle page and the last page of a list of ``count`` rows, as offsets."""
        pages = max(1, -(-(count or 0) // PAGE_SIZE))
        steps = [("page 1", 0)]
        if pages >= 3:
            steps.append((f"page {(pages + 1) // 2}", (pages - 1) // 2 * PAGE_SIZE))
        if pages >= 2:
            steps.append((f"page {pages} (last)", (pages - 1) * PAGE_SIZE))
        return steps

    def measure_api_lists(self) -> None:
        n = self.args.requests
        for path in self.api_lists():
            count = self.list_count(path)
            for step, offset in self.offsets(count):
                url = f"{path}?limit={PAGE_SIZE}&offset={offset}"
                label = f"API   {self.short(path)} {step}"
                record = self.row("requests", label, self.api, [url] * n, LIST_BUDGET_MS, "api")
                record.update(rows=count, key=f"API {self.short(path)} {position(step)}")

    def measure_searches(self) -> None:
        """The parts list searched (API ``search=``, page ``q=``): words and number prefixes."""
        n, rng, parts = self.args.requests, self.rng, self.args.parts
        terms = [rng.choice(_seed.WORDS) for _ in range(n // 2)]
        terms += [f"BP-{rng.randrange(parts):05d}"[: rng.choice([5, 6, 8])] for _ in range(n // 2)]
        api = [f"/api/parts/?search={t}&limit={PAGE_SIZE}" for t in terms]
        self.row("requests", "API   /api/parts/?search=...", self.api, api, LIST_BUDGET_MS, "api")
        pages = [f"/parts/?q={t}" for t in terms]
        self.row("requests", "page  /parts/?q=...", self.page, pages, LIST_BUDGET_MS, "page")

    def short(self, path: str) -> str:
        """The path with the seeded ids replaced by ``{id}``, for labels."""
        for pk in (self.seeded.heavy_part_id, self.seeded.many_vendor_id):
            path = path.replace(f"/{pk}/", "/{id}/")
        return path

    def page_lists(self) -> list[tuple[str, str]]:
        s = self.seeded
        return [
            ("/parts/", "/parts/"),
            ("/reorder/", "/reorder/"),
            ("/stock/ all locations", "/stock/"),
            ("/stock/ one building (cascade)", f"/stock/?location={s.building_id}&cascade=true"),
            ("/vendors/", "/vendors/"),
            ("/locations/ (tree)", "/locations/"),
            ("/vendors/{id}/ (many parts)", f"/vendors/{s.many_vendor_id}/"),
            # What the part page loads after itself, and paging through its ledger requests: the
            # ledger partial alone.
            ("/parts/{id}/ ledger (HTMX partial)", f"/parts/{s.heavy_part_id}/?ledger_page=1"),
        ]

    def measure_pages(self) -> None:
        n = self.args.requests
        for name, url in self.page_lists():
            client = self.htmx if "HTMX" in name else self.page
            try:
                steps, how = _pages.plan(
                    lambda u, c=client: self.fetch(c, u).content.decode(), url, self.args.walk_cap
                )
            except Exception as exc:
                steps, how = [("page 1", url)], f"pager not read: {exc}"
            for step, step_url in steps:
                label, urls = f"page  {name} {step}", [step_url] * n
                record = self.row("requests", label, client, urls, LIST_BUDGET_MS, "page")
                record.update(list=name, pagination=how, key=f"page {name} {position(step)}")

    def measure_details(self) -> None:
        from core.models import Location, TaskRecord
        from inventory.models import StockItem

        s, n, rng = self.seeded, self.args.requests, self.rng
        items = list(StockItem.objects.filter(site=s.site_id).values_list("pk", flat=True)[:5000])
        locations = list(Location.objects.filter(site=s.site_id).values_list("pk", flat=True))
        tasks = list(TaskRecord.objects.filter(site=s.site_id).values_list("pk", flat=True)[:5000])

        def sample(ids) -> list:
            return [rng.choice(ids) for _ in range(n)]

        # A location's page lists the stock stored there, up to a page of 50 items (a seeded bin
        # holds about 110): it is a list page, and has the list budget.
        details = [
            ("API   /api/parts/{id}/", self.api, "/api/parts/{}/", s.part_ids, "api", None),
            ("page  /parts/{id}/", self.page, "/parts/{}/", s.part_ids, "page", None),
            ("API   /api/stock/{id}/", self.api, "/api/stock/{}/", items, "api", None),
            ("API   /api/vendors/{id}/", self.api, "/api/vendors/{}/", s.vendor_ids, "api", None),
            ("API   /api/locations/{id}/", self.api, "/api/locations/{}/", locations, "api", None),
            (
                "page  /locations/{id}/ (and 50 of its stock)",
                self.page,
                "/locations/{}/",
                locations,
                "page",
                LIST_BUDGET_MS,
            ),
            ("API   /api/tasks/{id}/", self.api, "/api/tasks/{}/", tasks, "api", None),
        ]
        for label, client, pattern, ids, floor, budget in details:
            urls = [pattern.format(pk) for pk in sample(ids)]
            self.row("requests", label, client, urls, budget or DETAIL_BUDGET_MS, floor)
        self.row("requests", "page  / (dashboard)", self.page, ["/"] * n, DETAIL_BUDGET_MS, "page")

    # --- Right after a write -------------------------------------------------------------------

    def measure_cold(self) -> None:
        """Middle pages read right after a write of their data: the exact count and the page's
        key are not known yet (``core.pagination.Listing``), so the request counts the list and
        walks the offset. The rows above read them warm, as every request does until the next
        write; these show what the first one after a write costs."""
        from core.versions import data_changed
        from inventory.services.ledger import STOCK_DATA, STOCK_LIST_DATA
        from inventory.services.parts import PARTS_DATA

        n = max(MIN_SAMPLES, self.args.requests // 3)
        cold = [
            ("API   /api/parts/", self.api, "/api/parts/?", PARTS_DATA),
            ("API   /api/stock/", self.api, "/api/stock/?", STOCK_DATA),
            ("API   /api/part-transactions/", self.api, "/api/part-transactions/?", STOCK_DATA),
            ("page  /stock/ all locations", self.page, "/stock/?", STOCK_LIST_DATA[0]),
        ]
        for label, client, prefix, topic in cold:
            path = prefix.rstrip("?")
            count = self.list_count(path if path.startswith("/api/") else "/api/stock/")
            steps = self.offsets(count)
            _step, offset = steps[1] if len(steps) > 2 else steps[-1]
            if client is self.api:
                url = f"{prefix}limit={PAGE_SIZE}&offset={offset}"
            else:
                url = f"{prefix}page={offset // PAGE_SIZE + 1}"
            record = {
                "label": f"cold  {label} middle, after a write",
                "url": url,
                "budget_ms": None,
            }
            durations = []
            for _ in range(n + 1):
                data_changed(self.seeded.site_id, topic)
                begin = time.perf_counter()
                self.fetch(client, url)
                durations.append(time.perf_counter() - begin)
            record.update(summary_ms(durations[1:]))
            self.results["requests"].append(record)

    # --- Orderings --------------------------------------------------------------------------------

    def measure_orderings(self) -> None:
        """Every ``ordering=`` value of every API list (ascending and descending) at page 1 and
        at the last page: an ordering no index serves is slow at the last page."""
        from django.urls import resolve

        n = self.args.ordering_requests
        for path in self.api_lists():
            view = getattr(resolve(path).func, "cls", None)
            fields = getattr(view, "ordering_fields", None) or []
            if fields == "__all__":
                fields = []
            default = ",".join(getattr(view, "ordering", None) or []) or "model default"
            count = self.list_count(path)
            for field in fields:
                for value in (field, f"-{field}"):
                    self.ordering_row(path, value, default, n, count)

    def ordering_row(self, path: str, value: str, default: str, n: int, count) -> None:
        """One ordering at page 1 and the last page: fewer samples than the main rows (one
        warm-up, at least 3, half the time cap), as there are about a hundred of them."""
        record = {"list": self.short(path), "ordering": value, "default": default, "rows": count}
        steps = self.offsets(count)
        for _step, offset in (steps[0], steps[-1]) if len(steps) > 1 else steps:
            key = "first" if offset == 0 else "last"
            url = f"{path}?ordering={value}&limit={PAGE_SIZE}&offset={offset}"
            try:
                record[key] = self.time_gets(
                    self.api, [url] * n, warmup=1, least=3, cap=self.args.row_seconds / 2
                )
            except Exception as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"[:300]
                break
        medians = [record[k]["median_ms"] for k in ("first", "last") if k in record]
        record["verdict"] = "ERROR" if "error" in record else verdict(max(medians), LIST_BUDGET_MS)
        if "first" in record and "last" in record:
            record["last_over_first"] = round(
                record["last"]["median_ms"] / record["first"]["median_ms"], 1
            )
        self.results["orderings"].append(record)

    # --- Stock actions and throughput -------------------------------------------------------------

    def action_targets(self, count: int) -> list[tuple]:
        """``count`` pairs (stock item with its part, another bin to move to), loaded before the
        clock starts; each item holds enough to scrap or move a little of it."""
        from core.models import Location
        from inventory.models import StockItem

        part_ids = self.seeded.part_ids[1:]  # not the heavy part: its ledger is measured
        ids = self.rng.sample(part_ids, min(count, len(part_ids)))
        items = {}
        rows = StockItem.objects.filter(part_id__in=ids, quantity__gte=1)
        for item in rows.select_related("part", "location"):
            items.setdefault(item.part_id, item)
        bins = Location.objects.in_bulk(self.seeded.bin_ids[:50])
        return [
            (item, bins[self.rng.choice([b for b in bins if b != item.location_id])])
            for item in items.values()
        ]

    def measure_actions(self) -> None:
        """Each stock action through its service (memberships already loaded, as in a request)
        and through the API, ``--requests`` times on different parts."""
        from core.sites import user_memberships
        from inventory import services as sv

        by = self.manager
        user_memberships(by)
        service_calls = {
            "restock": lambda i, _: sv.part_restock(part=i.part, by=by, quantity="1", cost="12.3"),
            "reconcile": lambda i, _: sv.part_reconcile(
                part=i.part, by=by, quantity="1", note="bench count", stock_item=i
            ),
            "unit-cost": lambda i, _: sv.part_unit_cost_set(part=i.part, by=by, cost="10.00"),
            "avg-cost": lambda i, _: sv.part_avg_cost_set(part=i.part, by=by, cost="10.00"),
            "transfer": lambda i, to: sv.stock_transfer(
                item=i, by=by, location=to, quantity="0.001"
            ),
            "scrap": lambda i, _: sv.stock_scrap(item=i, by=by, quantity="0.001", note="bench"),
        }
        for name, call in service_calls.items():
            self.action_row(f"service {name}", call, ACTION_QUERY_BUDGET)
        for name, (url, body) in API_ACTIONS.items():
            self.action_row(f"API     {name}", self.api_post(url, body), None)
        for pk in list(self.touched)[:200]:  # after all that writing: still consistent?
            _seed.ledger_part(pk)

    def api_post(self, url: str, body: dict):
        """A call that POSTs ``body`` to ``url`` for one stock item (ids filled in)."""

        def call(item, to):
            ids = {"part": item.part_id, "item": item.pk, "bin": to.pk}
            data = {k: v.format(**ids) for k, v in body.items()}
            response = self.api.post(url.format(**ids), data, content_type="application/json")
            if response.status_code != 200:
                detail = response.content[:200]
                raise RequestFailed(f"POST {url} answered {response.status_code}: {detail}")
            return response

        return call

    def action_row(self, label: str, call, query_budget: int | None) -> None:
        """Time ``call(item, bin)`` on ``--requests`` different items after one warm-up, then
        count the queries of one more."""
        record = {"label": label, "query_budget": query_budget}
        try:
            targets = self.action_targets(self.args.requests + 2)
            call(*targets[0])
            durations = []
            for target in targets[1:-1]:
                begin = time.perf_counter()
                call(*target)
                durations.append(time.perf_counter() - begin)
            _result, queries = count_queries(lambda: call(*targets[-1]))
            record.update(summary_ms(durations), queries=queries)
            self.touched.update(item.part_id for item, _bin in targets)
        except Exception as exc:
            record.update(error=f"{type(exc).__name__}: {exc}"[:300], n=0)
            say(f"{label}: {record['error']}")
        if "error" in record:
            record["verdict"] = "ERROR"
        elif query_budget is not None:
            record["verdict"] = "OK" if record["queries"] <= query_budget else "OVER"
        else:
            record["verdict"] = ""
        self.results["actions"].append(record)

    def measure_throughput(self) -> None:
        from django.db import connection

        from core.models import User
        from inventory import services
        from inventory.models import Part

        site_id, manager_id = self.seeded.site_id, self.seeded.manager_id
        ids = self.seeded.part_ids[1:]
        rng, total = self.rng, self.args.restocks

        def restocks(part_ids: list[int]) -> None:
            by = User.objects.get(pk=manager_id)
            try:
                for pk in part_ids:
                    cost = f"{rng.randint(100, 9_999) / 100:.2f}"
                    part = Part(pk=pk, site_id=site_id)
                    services.part_restock(part=part, by=by, quantity="1", cost=cost)
            finally:
                if threading.current_thread() is not threading.main_thread():
                    connection.close()

        started = time.perf_counter()
        restocks([rng.choice(ids) for _ in range(total)])
        self.throughput("restock, 1 thread (random parts)", total, started, None)
        if connection.vendor != "postgresql" or self.args.threads < 2:
            return
        per_thread, threads = total // self.args.threads, self.args.threads
        for label, pick, budget in (
            (
                f"restock, {threads} threads (random parts)",
                lambda: rng.choice(ids),
                RESTOCK_BUDGET,
            ),
            (f"restock, {threads} threads (one part)", lambda: ids[0], None),
        ):
            jobs = [[pick() for _ in range(per_thread)] for _ in range(threads)]
            workers = [threading.Thread(target=restocks, args=(job,)) for job in jobs]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            self.throughput(label, per_thread * threads, started, budget)
        _seed.ledger_part(ids[0])

    def throughput(self, label: str, operations: int, started: float, budget) -> None:
        seconds = time.perf_counter() - started
        rate = operations / seconds
        self.results["throughput"].append(
            {
                "label": label,
                "operations": operations,
                "seconds": round(seconds, 2),
                "ops_per_s": round(rate, 1),
                "ms_per_op": round(seconds / operations * 1000, 2),
                "budget_ops_per_s": budget,
                "verdict": "" if budget is None else ("OK" if rate >= budget else "OVER"),
            }
        )

    # --- Load run ---------------------------------------------------------------------------------

    def measure_load(self) -> None:
        from django.conf import settings

        api = {"Authorization": f"Token {self.token}"}
        cookie = self.page.cookies[settings.SESSION_COOKIE_NAME].value
        page = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
        targets = [
            ("floor /bench/floor/", "/bench/floor/", api),
            ("/api/parts/?limit=50", "/api/parts/?limit=50", api),
            ("/parts/", "/parts/", page),
        ]
        levels = [int(level) for level in self.args.load_levels.split(",") if level.strip()]
        try:
            self.results["load"] = _load.load_run(targets, levels, self.args.load_seconds)
        except Exception as exc:
            self.results["load"] = [{"label": "load run", "error": f"{exc}"[:500]}]
            say(f"load run failed: {exc}")


# --- Printing -------------------------------------------------------------------------------------


def print_tables(title: str, notes: list[str], results: dict) -> None:
    print(f"\n{'=' * 100}\n{title}")
    for note in notes:
        print(f"  {note}")
    rows = [
        [r["label"], r.get("n"), r.get("median_ms"), r.get("p95_ms"), r.get("queries"),
         r.get("floor_ms"), r.get("x_floor"), r.get("budget_ms"), r.get("verdict") or ""]
        for r in results["requests"]
    ]  # fmt: skip
    errors = [f"{r['label']}: {r['error']}" for r in results["requests"] if "error" in r]
    paging = sorted({f"{r['list']}: {r['pagination']}" for r in results["requests"] if "list" in r})
    print(
        table(
            "Requests (server time in process; ms)",
            [
                "measurement",
                "n",
                "median",
                "p95",
                "queries",
                "floor",
                "x floor",
                "budget",
                "verdict",
            ],
            rows,
            notes=[*paging, *errors],
        )
    )
    print_orderings(results["orderings"])
    print_actions(results["actions"], results["throughput"])
    print_load(results["load"])


ORDERING_HEADERS = ["list", "ordering", "rows", "p1 med", "p1 p95", "last med", "last p95"]
ORDERING_HEADERS += ["queries", "last/p1", "verdict"]


def print_orderings(records: list[dict]) -> None:
    if not records:
        return
    rows = []
    for r in records:
        first, last = r.get("first", {}), r.get("last", {})
        rows.append(
            [r["list"], r["ordering"], r.get("rows"), first.get("median_ms"), first.get("p95_ms"),
             last.get("median_ms"), last.get("p95_ms"), last.get("queries", first.get("queries")),
             r.get("last_over_first"), r.get("verdict") or ""]
        )  # fmt: skip
    defaults = sorted({f"{r['list']}: default ordering {r['default']}" for r in records})
    errors = [f"{r['list']} {r['ordering']}: {r['error']}" for r in records if "error" in r]
    print(
        table(
            "Orderings (?ordering=..., page 1 and last page; ms)",
            ORDERING_HEADERS,
            rows,
            left=2,
            notes=[*defaults, *errors],
        )
    )


def print_actions(actions: list[dict], throughput: list[dict]) -> None:
    rows = [
        [r["label"], r.get("n"), r.get("median_ms"), r.get("p95_ms"), r.get("queries"),
         r.get("query_budget"), r.get("verdict") or ""]
        for r in actions
    ]  # fmt: skip
    errors = [f"{r['label']}: {r['error']}" for r in actions if "error" in r]
    print(
        table(
            "Stock actions (ms; query budget for the service call)",
            ["action", "n", "median", "p95", "queries", "max queries", "verdict"],
            rows,
            notes=errors,
        )
    )
    rows = [
        [r["label"], r["operations"], r["seconds"], r["ops_per_s"], r["ms_per_op"],
         r.get("budget_ops_per_s"), r.get("verdict") or ""]
        for r in throughput
    ]  # fmt: skip
    print(
        table(
            "Restock throughput (services.part_restock)",
            ["measurement", "restocks", "seconds", "per s", "ms each", "budget /s", "verdict"],
            rows,
        )
    )


def print_load(records: list[dict]) -> None:
    if not records:
        return
    rows = [
        [r["label"], r.get("concurrency"), r.get("n"), r.get("errors"), r.get("rps"),
         r.get("median_ms"), r.get("p95_ms")]
        for r in records
        if "error" not in r
    ]  # fmt: skip
    errors = [f"{r['label']}: {r['error']}" for r in records if "error" in r]
    print(
        table(
            "Load run: gunicorn, 4 sync workers, loopback (client threads on the same 2 cores)",
            ["endpoint", "concurrency", "requests", "errors", "req/s", "median ms", "p95 ms"],
            rows,
            notes=errors,
        )
    )


# --- Main -----------------------------------------------------------------------------------------


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10_000)
        return f"PostgreSQL {major}.{minor}"
    return f"SQLite {connection.Database.sqlite_version}"


def run(args, where: str) -> dict:
    rng = random.Random(args.seed)
    scale = _seed.Scale(
        parts=args.parts,
        items_per_part=args.items_per_part,
        ledger_per_item=args.ledger_per_item,
        heavy_ledger_rows=args.heavy_ledger_rows,
        tasks=args.tasks,
    )
    run_started = time.perf_counter()
    setup_django()
    started = time.perf_counter()
    seeded = _seed.seed(scale, rng)
    _seed.check_consistency(seeded, scale, rng)
    seeding = time.perf_counter() - started
    say(f"seeded and checked in {seeding:.0f} s; measuring (load average {load_average()})")
    bench = Bench(args, seeded, rng)
    # As config/wsgi.py does in a web process: what is loaded by now is left out of collections.
    gc.collect()
    gc.freeze()
    steps = [bench.floors, bench.measure_api_lists, bench.measure_pages, bench.measure_searches]
    steps += [bench.measure_details, bench.measure_cold, bench.floors_again]
    steps += [] if args.no_orderings else [bench.measure_orderings]
    steps += [bench.measure_actions, bench.measure_throughput]
    steps += [] if args.no_load else [bench.measure_load]
    for step in steps:
        begin = time.perf_counter()
        step()
        say(f"{step.__name__} took {time.perf_counter() - begin:.0f} s")
    return {
        "benchmark": "speed",
        "backend": args.backend,
        "database": f"{database_version()}; {where}",
        "revision": source_revision(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "args": vars(args),
        "counts": seeded.counts,
        "seeding_s": round(seeding, 1),
        "total_s": round(time.perf_counter() - run_started, 1),
        "floor_ms": bench.floor,
        **bench.results,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    load_before = load_average()
    with throwaway_database(args.backend) as where:
        data = run(args, where)
    data["load_average"] = {"start": load_before, "end": load_average()}
    c = data["counts"]
    notes = [
        f"{data['database']}; code at {data['revision']}; {data['date']}",
        f"{c['parts']:,} parts, {c['stock_items']:,} stock items, {c['ledger_rows']:,} ledger rows "
        f"({c['heavy_part_ledger_rows']:,} on one part), {c['locations']:,} locations, "
        f"{c['vendors']:,} vendors, {c['task_records']:,} task records; "
        f"second site {c['other_site_parts']:,} parts",
        f"seeded in {data['seeding_s']:.0f} s; whole run {data['total_s']:.0f} s; load average "
        f"{data['load_average']['start']} at start, {data['load_average']['end']} at end",
        f"budget: list page of 50 {LIST_BUDGET_MS:g} ms median, detail {DETAIL_BUDGET_MS:g} ms; "
        f"x floor = median / floor median (API rows: API floor; pages: page floor)",
    ]
    print_tables(f"Speed benchmark on {data['database'].split(';')[0]}", notes, data)
    if args.json:
        path = args.json.replace("{backend}", args.backend)
        write_json(path, data)
        print(f"\n  results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
