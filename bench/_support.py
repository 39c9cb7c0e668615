"""Shared plumbing for the benchmarks: a throwaway database, Django set up on it, timing, tables.

A benchmark script calls ``throwaway_database(backend)`` BEFORE importing anything from Django
or the project: it points the settings at a fresh database (an SQLite file in a temporary folder,
or a new database on a PostgreSQL server) and removes it again when the block ends.

PostgreSQL comes from ``BENCH_DATABASE_URL`` (any server where that user may CREATE DATABASE; the
benchmark creates and drops its own database there and touches nothing else), else from a
throwaway server started with ``scripts/test-services`` and stopped afterwards.
"""

import contextlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def postgres_server():
    """A PostgreSQL server URL: ``BENCH_DATABASE_URL``, or a throwaway loopback server."""
    given = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    state_dir = tempfile.mkdtemp(prefix="shopwright-bench-services.")
    env = {**os.environ, "TEST_SERVICES_STATE": f"{state_dir}/state"}
    script = str(ROOT / "scripts" / "test-services")
    try:
        say("starting a throwaway PostgreSQL (scripts/test-services)")
        out = subprocess.run(
            ["bash", script, "start"], env=env, check=True, capture_output=True, text=True
        ).stdout
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in out.splitlines()
            if line.startswith("export ")
        )
        yield exports["TEST_DATABASE_URL"]
    finally:
        subprocess.run(["bash", script, "stop"], env=env, check=False, capture_output=True)
        shutil.rmtree(state_dir, ignore_errors=True)
        say("stopped the throwaway PostgreSQL")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def throwaway_database(backend: str):
    """Configure Django (settings only, not yet set up) on a new, empty database; drop it after.

    Yields a short description of the database for the report.
    """
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        SECRET_KEY="bench-only-secret-key",
        DEBUG="false",
        SHOPWRIGHT_READ_DOT_ENV="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        API_RATE_LIMIT="100000000",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # cache in process memory, tasks in process: no Redis
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="shopwright-bench-sqlite.")
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = f"{folder}/bench.sqlite3"
        try:
            yield "SQLite (WAL), temporary file"
        finally:
            _close_connections()
            shutil.rmtree(folder, ignore_errors=True)
        return
    with postgres_server() as server:
        name = f"shopwright_bench_{uuid.uuid4().hex[:10]}"
        _admin(server, f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = _with_database(server, name)
        os.environ["CONN_MAX_AGE"] = "0"
        try:
            yield f"PostgreSQL, throwaway database {name}"
        finally:
            _close_connections()
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def setup_django() -> None:
    """``django.setup()`` and migrate the (empty) database."""
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated in {time.perf_counter() - started:.1f} s")


# --- Measuring and reporting ----------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Report:
    """Rows of a table: latencies (median, p95, max in ms) and throughputs (operations/s)."""

    def __init__(self, title: str):
        self.title = title
        self.notes: list[str] = []
        self.notes_after: list[str] = []
        self.rows: list[tuple[str, str, str, str, str, str]] = []

    def latency(self, label: str, seconds: list[float]) -> None:
        ms = [s * 1000 for s in seconds]
        self.rows.append(
            (
                label,
                str(len(ms)),
                f"{statistics.median(ms):.1f}",
                f"{percentile(ms, 0.95):.1f}",
                f"{max(ms):.1f}",
                "",
            )
        )

    def throughput(self, label: str, operations: int, seconds: float) -> None:
        per_op = seconds / operations * 1000
        self.rows.append((label, str(operations), "", "", "", f"{operations / seconds:.0f}"))
        self.notes_after.append(f"{label}: {per_op:.2f} ms per operation on average")

    def print(self) -> None:
        header = ("measurement", "n", "median ms", "p95 ms", "max ms", "ops/s")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(6)]
        line = "  ".join("-" * w for w in widths)
        print()
        print(self.title)
        for note in self.notes:
            print(f"  {note}")
        print(line)
        for row in [header, None, *self.rows]:
            if row is None:
                print(line)
                continue
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            print("  ".join(cells).rstrip())
        print(line)
        for note in self.notes_after:
            print(f"  {note}")
        sys.stdout.flush()
