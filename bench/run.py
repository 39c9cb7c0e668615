"""Run every benchmark in bench/ on SQLite and on PostgreSQL: what ``make bench`` does.

    python bench/run.py                      # all benchmarks, both backends (= make bench)
    python bench/run.py --backend sqlite     # one backend: make bench ARGS="--backend sqlite"
    python bench/run.py --parts 2000 --requests 10      # unknown options go to each benchmark
    python bench/run.py --json-dir /tmp/before          # where the JSON results go

A benchmark is any ``bench/*.py`` except this file and ``_*.py`` helpers; each runs in its own
process (Django is configured once per process) with ``--backend sqlite|postgres`` and seeds its
own throwaway database. For PostgreSQL this script starts one throwaway loopback server
(``scripts/test-services``) for all of them and stops it at the end, unless
``BENCH_DATABASE_URL`` names a server to use instead. Each benchmark writes its results as JSON
to ``--json-dir`` (default ``bench/results/``), one file per benchmark and backend.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from bench._support import postgres_server, say  # noqa: E402


def benchmarks(only: list[str] | None) -> list[Path]:
    found = sorted(
        path
        for path in BENCH.glob("*.py")
        if path.name != "run.py" and not path.stem.startswith("_")
    )
    if only:
        unknown = set(only) - {path.stem for path in found}
        if unknown:
            raise SystemExit(f"No such benchmark: {', '.join(sorted(unknown))}")
        found = [path for path in found if path.stem in only]
    return found


def run(
    paths: list[Path], backend: str, extra: list[str], env: dict, json_dir: Path
) -> list[tuple]:
    results = []
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in paths:
        say(f"{path.stem} on {backend}")
        started = time.perf_counter()
        json_path = json_dir / f"{stamp}-{path.stem}-{backend}.json"
        command = [sys.executable, str(path), "--backend", backend, "--json", str(json_path)]
        status = subprocess.call([*command, *extra], env=env, cwd=BENCH.parent)
        results.append((path.stem, backend, status, time.perf_counter() - started))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--json-dir", type=Path, default=BENCH / "results", help="where the JSON results go"
    )
    args, extra = parser.parse_known_args()
    paths = benchmarks(args.only)
    if not paths:
        print("No benchmarks in bench/.")
        return 0
    results = []
    env = dict(os.environ)
    if args.backend in ("sqlite", "both"):
        results += run(paths, "sqlite", extra, env, args.json_dir)
    if args.backend in ("postgres", "both"):
        with postgres_server() as (url, redis):
            pg_env = {**env, "BENCH_DATABASE_URL": url, "BENCH_REDIS_URL": redis}
            results += run(paths, "postgres", extra, pg_env, args.json_dir)
    print()
    print(f"Benchmarks run (JSON results in {args.json_dir}):")
    for name, backend, status, seconds in results:
        verdict = "ok" if status == 0 else f"FAILED (exit {status})"
        print(f"  {name:<20} {backend:<9} {verdict:<18} {seconds:6.0f} s")
    return 0 if all(status == 0 for *_rest, status, _s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
