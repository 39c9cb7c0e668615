"""Two revisions side by side, at the same moment: is B faster than A?

    python bench/_ab.py A [B] [--backend postgres|sqlite] [--parts N] [--rounds N]

On the 2-core VM the same code measures 20-50 % apart from one minute to the next, so two runs
of ``speed.py`` made one after the other cannot tell a 10 % change from the machine's drift.
Here both revisions serve the same seeded database at once, each from its own gunicorn (one sync
worker, loopback), and every request to A is followed by the same request to B (or B then A,
alternating): whatever the machine does, it does to both. ``B`` defaults to the working tree;
``A`` is checked out into a temporary git worktree. The two must have the same migrations.

Figures are client round trips through gunicorn (the same HTTP overhead on both sides), so they
sit above ``speed.py``'s in-process server times; the B/A ratio is the figure to read.
"""

import argparse
import contextlib
import http.client
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _load
from bench._support import ROOT, say, setup_django, throwaway_database


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="the revision to compare against (a commit, tag or branch)")
    parser.add_argument("b", nargs="?", default=None, help="default: the working tree")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--parts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per URL and revision")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


@contextlib.contextmanager
def checkout(revision: str | None):
    """The source tree of ``revision`` (a temporary worktree), or the working tree for None."""
    if revision is None:
        yield ROOT
        return
    folder = Path(tempfile.mkdtemp(prefix="shopwright-ab."))
    git("worktree", "add", "--detach", str(folder / "tree"), revision)
    try:
        yield folder / "tree"
    finally:
        git("worktree", "remove", "--force", str(folder / "tree"))
        shutil.rmtree(folder, ignore_errors=True)


def same_migrations(a: str, b: str | None) -> bool:
    compared = [a] if b is None else [a, b]
    changed = subprocess.run(
        ["git", "diff", "--quiet", *compared, "--", ":(glob)**/migrations/**"], cwd=ROOT
    )
    return changed.returncode == 0


def urls(seeded, count_of) -> list[tuple[str, str]]:
    """``(label, path)``: the lists at page 1 and in the middle, pages and details."""
    rng = random.Random(1)
    middle = {path: (count_of(path) or 0) // 2 // 50 * 50 for path in ("parts", "stock")}
    part, location = rng.choice(seeded.part_ids), rng.choice(seeded.location_ids)
    return [
        ("floor  API", "/bench/floor/"),
        ("floor  page", "/bench/floor/page/"),
        ("API   parts p1", "/api/parts/?limit=50"),
        ("API   parts middle", f"/api/parts/?limit=50&offset={middle['parts']}"),
        ("API   low stock p1", "/api/parts/low-stock/?limit=50"),
        ("API   stock p1", "/api/stock/?limit=50"),
        ("API   stock middle", f"/api/stock/?limit=50&offset={middle['stock']}"),
        ("API   ledger p1", "/api/part-transactions/?limit=50"),
        ("API   vendors p1", "/api/vendors/?limit=50"),
        ("API   tasks p1", "/api/tasks/?limit=50"),
        ("API   part detail", f"/api/parts/{part}/"),
        ("page  parts p1", "/parts/"),
        ("page  reorder p1", "/reorder/"),
        ("page  stock p1", "/stock/"),
        ("page  vendors p1", "/vendors/"),
        ("page  part", f"/parts/{part}/"),
        ("page  location", f"/locations/{location}/"),
        ("page  dashboard", "/"),
    ]


def timed_get(port: int, path: str, headers: dict) -> float:
    connection = http.client.HTTPConnection(_load.HOST, port, timeout=60)
    started = time.perf_counter()
    answered = _load.answers_200(connection, path, headers)
    elapsed = time.perf_counter() - started
    connection.close()
    if not answered:
        raise RuntimeError(f"GET {path} on port {port} did not answer 200")
    return elapsed


def compare(ports: dict, targets: list, headers_for, rounds: int) -> list[list]:
    rows = []
    for label, path in targets:
        headers = headers_for(path)
        samples: dict[str, list[float]] = {"A": [], "B": []}
        for side in ("A", "B", "A", "B"):  # warm both (templates, caches, connections)
            timed_get(ports[side], path, headers)
        for n in range(rounds):
            for side in ("A", "B") if n % 2 else ("B", "A"):
                samples[side].append(timed_get(ports[side], path, headers))
        a, b = (statistics.median(samples[s]) * 1000 for s in ("A", "B"))
        rows.append([label, round(a, 1), round(b, 1), f"{b / a:.2f}"])
        say(f"{label}: A {a:.1f} ms, B {b:.1f} ms")
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    if not same_migrations(args.a, args.b):
        print("The two revisions' migrations differ: they cannot share one database.")
        return 2
    with throwaway_database(args.backend) as where:
        setup_django()
        from django.test import Client

        from bench import _seed
        from bench._report import table
        from core.models import User
        from core.services import api_token_create

        scale = _seed.Scale(parts=args.parts, tasks=args.parts)
        seeded = _seed.seed(scale, random.Random(args.seed))
        _seed.check_consistency(seeded, scale, random.Random(args.seed))  # also fills the counts
        manager = User.objects.get(pk=seeded.manager_id)
        _token, token = api_token_create(user=manager, name="ab")
        browser = Client()
        browser.force_login(manager)
        cookie = f"sessionid={browser.cookies['sessionid'].value}"

        def headers_for(path: str) -> dict:
            if path.startswith(("/api/", "/bench/floor/")) and not path.endswith("page/"):
                return {"Authorization": f"Token {token}"}
            return {"Cookie": cookie}

        def count_of(name: str) -> int:
            return seeded.counts["stock_items" if name == "stock" else name]

        with (
            checkout(args.a) as tree_a,
            checkout(args.b) as tree_b,
            _load.gunicorn(workers=1, root=tree_a) as port_a,
            _load.gunicorn(workers=1, root=tree_b) as port_b,
        ):
            ports = {"A": port_a, "B": port_b}
            rows = compare(ports, urls(seeded, count_of), headers_for, args.rounds)
    b_name = args.b or f"working tree ({git('rev-parse', '--short', 'HEAD').strip()}+)"
    print(
        table(
            f"A = {args.a}, B = {b_name}; {where}; {args.parts:,} parts; "
            f"median of {args.rounds} alternating requests each (ms, through gunicorn)",
            ["request", "A", "B", "B/A"],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
