"""Shared plumbing for the benchmarks: a throwaway database, Django set up on it, timing.

A benchmark script calls ``throwaway_database(backend)`` BEFORE importing anything from Django
or the project: it points the settings at a fresh database (an SQLite file in a temporary folder,
or a new database on a PostgreSQL server) and removes it again when the block ends.

PostgreSQL comes from ``BENCH_DATABASE_URL`` (any server where that user may CREATE DATABASE; the
benchmark creates and drops its own database there and touches nothing else), else from a
throwaway server started with ``scripts/test-services`` and stopped afterwards.

The settings are ``bench._settings``: the test settings with ``DEBUG`` off and the benchmark's own
URLconf (``bench._urls``: the project's URLs plus the floor views).
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
    """``(PostgreSQL URL, Redis URL or "")``: ``BENCH_DATABASE_URL`` and ``BENCH_REDIS_URL``, or
    a throwaway loopback PostgreSQL and Redis."""
    given = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if given:
        yield given, os.environ.get("BENCH_REDIS_URL", "").strip()
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
        yield exports["TEST_DATABASE_URL"], exports["TEST_REDIS_URL"]
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
        DJANGO_SETTINGS_MODULE="bench._settings",
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
    with postgres_server() as (server, redis):
        name = f"shopwright_bench_{uuid.uuid4().hex[:10]}"
        _admin(server, f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = _with_database(server, name)
        # Production's default (config/settings.py): a web process keeps its connection, so a
        # request's server time does not include opening one. The restock threads close theirs.
        os.environ["CONN_MAX_AGE"] = "60"
        if redis:
            # Production runs PostgreSQL with Redis (DESIGN.md): the cache, the sessions
            # (cached_db) and the API rate-limit counters are read there, a loopback round trip
            # each, as they would be. Tasks are queued there; nothing the benchmark does waits
            # for one.
            os.environ["REDIS_URL"] = redis
        where = "with Redis" if redis else "cache in process memory (no BENCH_REDIS_URL)"
        try:
            yield f"PostgreSQL, throwaway database {name}; {where}"
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


# --- Measuring ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary_ms(seconds: list[float]) -> dict:
    """n, median and p95 in milliseconds: the figures every table row shows."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
    }


# Transaction control is not a query: BEGIN and COMMIT (logged by Django on PostgreSQL) and
# savepoints are counted by neither ``assertNumQueries`` on SQLite nor the budget.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def count_queries(call) -> tuple[object, int]:
    """Run ``call()`` once and count the SQL statements it sends on every configured connection
    (PostgreSQL has a second alias for task progress), leaving out transaction control."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with contextlib.ExitStack() as stack:
        captured = [
            stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections
        ]
        result = call()
    statements = [q["sql"] for c in captured for q in c.captured_queries]
    return result, sum(1 for sql in statements if not sql.startswith(TRANSACTION_CONTROL))


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def source_revision() -> str:
    """The commit the benchmarked code is at, ``+dirty`` with uncommitted changes outside bench/
    (the app code being measured, not the benchmark itself)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "-uno", "--", ".", ":(exclude)bench"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}+dirty" if dirty else commit
