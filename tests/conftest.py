"""Actors and helpers shared by every test.

Two sites: ``site`` (where the tests act) and ``other_site`` (whose data must stay invisible).
``tech_api``, ``manager_api`` and ``admin_api`` are token-authenticated API clients of ``site``;
``other_site_api`` is an admin of ``other_site`` only; ``anon_api`` has no credentials.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import Role
from core.services import api_token_create
from tests.factories import LocationFactory, MembershipFactory, SiteFactory, UserFactory
from tests.helpers import count_queries, page_client


def _clear_cache() -> None:
    """Empty the default cache. On Redis only the cache's own keys go: ``cache.clear()`` would
    FLUSHDB, which also wipes the Celery broker's queues and bindings sharing that database."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()
        return
    client = backend._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _isolated_cache(_require_marked_services):
    """Rate-limit counters live in the cache; each test starts with a clean budget.

    (After the service checks, so that a dead Redis is reported as such.)"""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def site(db):
    return SiteFactory(name="Main Plant")


@pytest.fixture
def other_site(db):
    return SiteFactory(name="North Plant")


def _member(site, role, username):
    return MembershipFactory(site=site, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def tech_user(site):
    return _member(site, Role.TECHNICIAN, "tech")


@pytest.fixture
def manager_user(site):
    return _member(site, Role.MANAGER, "manager")


@pytest.fixture
def admin_user(site):
    return _member(site, Role.ADMIN, "admin")


@pytest.fixture
def other_site_user(other_site):
    return _member(other_site, Role.ADMIN, "other-admin")


def token_client(user, site=None) -> APIClient:
    """An API client that authenticates with a fresh token, as an integration would."""
    _token, key = api_token_create(user=user, name="tests")
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    if site is not None:
        headers["HTTP_X_SITE_ID"] = str(site.pk)
    client.credentials(**headers)
    client.user = user
    return client


@pytest.fixture
def api_for():
    return token_client


@pytest.fixture
def tech_api(tech_user):
    return token_client(tech_user)


@pytest.fixture
def manager_api(manager_user):
    return token_client(manager_user)


@pytest.fixture
def admin_api(admin_user):
    return token_client(admin_user)


@pytest.fixture
def other_site_api(other_site_user):
    return token_client(other_site_user)


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def foreign_location(other_site):
    """A location of ``other_site`` (QR value ``L-FOREIGN``): never visible or usable from
    ``site``."""
    return LocationFactory(site=other_site, name="Foreign Hall", qr_code="L-FOREIGN")


@pytest.fixture
def query_count():
    return count_queries


# =================================================================================================
# Services: PostgreSQL, Redis + a real Celery worker, Chromium. A test that needs one of them and
# does not get it FAILS; nothing in this suite is ever skipped (see the hooks below).
# =================================================================================================

CHROMIUM = os.environ.get("SHOPWRIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parent.parent

# The live server listens on loopback only; the browser must never need anything else.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

_SERVICE_HELP = "`make test` provides it; see README.md (Quickstart)."


def _redis_problem() -> str | None:
    """Why Redis cannot be used (REDIS_URL unset or not answering), or None when it answers."""
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        return "REDIS_URL is not set."
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        return f"Redis at {url} does not answer: {exc}"
    return None


def _chromium_problem() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)."
    return None


@pytest.fixture(autouse=True)
def _require_marked_services(request):
    """Markers are promises: postgres, celery_worker and e2e tests fail without their service."""
    node = request.node
    if node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.fail(
            f"This test is marked `postgres` but the database is {connection.vendor}. "
            f"Run it with DATABASE_URL pointing at PostgreSQL; {_SERVICE_HELP}",
            pytrace=False,
        )
    if node.get_closest_marker("celery_worker"):
        problem = _redis_problem()
        if problem:
            pytest.fail(
                f"This test is marked `celery_worker` and needs Redis: {problem} {_SERVICE_HELP}",
                pytrace=False,
            )
    if node.get_closest_marker("e2e"):
        problem = _chromium_problem()
        if problem:
            pytest.fail(f"This test is marked `e2e`: {problem}", pytrace=False)
    uses_worker = any(name in request.fixturenames for name in WORKER_FIXTURES)
    if uses_worker and not _is_transactional(request):
        pytest.fail(
            "A test using a Celery worker needs @pytest.mark.django_db(transaction=True): "
            "the worker is another process and sees only committed rows.",
            pytrace=False,
        )


def _is_transactional(request) -> bool:
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return True
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))


_NO_SKIPS = (
    "Skipping is not allowed in this suite: a missing service or tool is an error, so that a "
    "green run always means every test ran. Reason given: {reason}"
)


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """No silent skips; keep each phase's report on the item; attach the worker log on failure."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = _NO_SKIPS.format(reason=_skip_reason(report))
    setattr(item, f"_report_{report.when}", report)
    if report.failed:
        for worker in getattr(item, "_celery_workers", ()):
            report.sections.append((f"Celery worker {worker.hostname} log", worker.log_tail()))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """A module that skips itself (importorskip, allow_module_level) fails instead."""
    report = yield
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = _NO_SKIPS.format(reason=_skip_reason(report))
    return report


# --- A real Celery worker on the test database ---------------------------------------------------

WORKER_FIXTURES = ("celery_worker_process", "celery_worker_factory")


def _database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database described by a Django connection's settings."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = user + (f":{quote(password, safe='')}" if password else "")
    host = settings_dict.get("HOST") or "localhost"
    host = f"[{host}]" if ":" in host else quote(host, safe="")
    port = settings_dict.get("PORT")
    netloc = (f"{auth}@" if auth else "") + host + (f":{port}" if port else "")
    return f"postgres://{netloc}/{quote(settings_dict['NAME'], safe='')}"


class CeleryWorker:
    """A ``celery worker`` subprocess; ``hostname`` is what tasks record as their worker."""

    def __init__(self, process: subprocess.Popen, hostname: str, log_path: Path):
        self.process = process
        self.hostname = hostname
        self.log_path = log_path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()  # warm shutdown: finish the current task, then exit
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug does: no acknowledgement, no clean-up."""
        if self.alive:
            self.process.kill()
        self.process.wait(timeout=10)


def _require_worker_services() -> None:
    if connection.vendor != "postgresql":
        pytest.fail(
            "A Celery worker process must share the test database, which needs PostgreSQL "
            f"(this run uses {connection.vendor}); {_SERVICE_HELP}",
            pytrace=False,
        )
    problem = _redis_problem()
    if problem:
        pytest.fail(f"The Celery worker needs Redis: {problem} {_SERVICE_HELP}", pytrace=False)


def start_celery_worker(hostname: str, log_path: Path, *, timeout: float = 60) -> CeleryWorker:
    """Start ``celery worker`` (solo pool) on the SAME database and Redis as this test session
    and return once it answers a ping. Messages already queued (by earlier tests that had no
    worker) are purged first, so the new worker only runs what is sent from now on."""
    from django.conf import settings

    from config.celery import app as celery_app

    _require_worker_services()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "SHOPWRIGHT_READ_DOT_ENV": "false",
        "PYTHONUNBUFFERED": "1",
    }
    celery_app.control.purge()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker"),
                *("--pool=solo", "--concurrency=1", "--loglevel=info", "-n", hostname),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(process, hostname, log_path)
    deadline = time.monotonic() + timeout
    while not celery_app.control.ping(destination=[hostname], timeout=1.0):
        if not worker.alive:
            pytest.fail(
                f"The Celery worker exited with status {process.returncode}:\n{worker.log()}",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            worker.kill()
            pytest.fail(
                f"The Celery worker did not answer a ping within {timeout:.0f} s:\n{worker.log()}",
                pytrace=False,
            )
    return worker


class CeleryWorkers:
    """The session's workers. At most one consumes the queue at any time, so a test knows which
    worker ran its task: the shared one (started once, kept for the tests that need *a* worker)
    or the ones a test starts for itself (to kill them), which stop the shared one first."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.shared_worker: CeleryWorker | None = None
        self.own: list[CeleryWorker] = []
        self._count = 0

    def _start(self, label: str) -> CeleryWorker:
        self._count += 1
        name = f"pytest-{os.getpid()}-{label}{self._count}"
        return start_celery_worker(f"{name}@{socket.gethostname()}", self.directory / f"{name}.log")

    def shared(self) -> CeleryWorker:
        self.stop_own()
        if self.shared_worker is None or not self.shared_worker.alive:
            self.shared_worker = self._start("shared")
        return self.shared_worker

    def start_own(self) -> CeleryWorker:
        if self.shared_worker is not None:
            self.shared_worker.stop()
            self.shared_worker = None
        worker = self._start("own")
        self.own.append(worker)
        return worker

    def stop_own(self) -> None:
        while self.own:
            self.own.pop().stop()

    def stop_all(self) -> None:
        self.stop_own()
        if self.shared_worker is not None:
            self.shared_worker.stop()
            self.shared_worker = None


@pytest.fixture(scope="session")
def _celery_workers(django_db_setup, tmp_path_factory):
    """Stopped before pytest-django drops the test database (this depends on its setup)."""
    workers = CeleryWorkers(tmp_path_factory.mktemp("celery-workers"))
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def celery_worker_process(_celery_workers, request):
    """A running worker on the test database and Redis, shared with other tests (started once).

    It sees only committed rows, so tests using it need ``django_db(transaction=True)``.
    """
    worker = _celery_workers.shared()
    request.node._celery_workers = [worker]
    return worker


@pytest.fixture
def celery_worker_factory(_celery_workers, request):
    """``start()`` a worker of this test's own, e.g. to SIGKILL it mid-task (``worker.kill()``).

    The shared worker is stopped first, so only this test's workers consume the queue; all are
    stopped when the test ends. Needs ``django_db(transaction=True)`` like the shared one.
    """
    started: list[CeleryWorker] = []
    request.node._celery_workers = started

    def start() -> CeleryWorker:
        worker = _celery_workers.start_own()
        started.append(worker)
        return worker

    yield start
    _celery_workers.stop_own()


# --- Browser: Playwright (sync API) driving the system's Chromium --------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module (never a downloaded browser)."""
    problem = _chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test
    # itself (factories, assertions) would otherwise be refused as "async unsafe".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _is_loopback(url: str) -> bool:
    scheme = url.partition(":")[0]
    if scheme in ("data", "blob", "about"):
        return True
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


@contextlib.contextmanager
def guarded_page(browser, live_server, request, *, timeout=10_000, **context_options):
    """A fresh page of ``browser`` on the live server, in a context of its own
    (``context_options`` as ``browser.new_context`` takes them, e.g. ``java_script_enabled``).

    Fails the test if a page tries to load anything from outside the live server (plants run
    air-gapped) or throws an uncaught JavaScript error. Saves a screenshot of a failed test in
    test-results/ (when used as a fixture) and always closes the context.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-US", **context_options)
    context.set_default_timeout(timeout)
    outside: list[str] = []
    js_errors: list[str] = []

    def _guard(route):
        if _is_loopback(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", _guard)
    new_page = context.new_page()
    new_page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        yield new_page
        report = getattr(request.node, "_report_call", None)
        if report is not None and report.failed:
            shots = ROOT / "test-results"
            shots.mkdir(exist_ok=True)
            name = "".join(c if c.isalnum() else "_" for c in request.node.nodeid)[-150:]
            # The page may be gone; the test's own failure is what matters then.
            with contextlib.suppress(Exception):
                new_page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not outside, f"The page tried to load resources from outside the server: {outside}"
    assert not js_errors, f"Uncaught JavaScript errors on the page: {js_errors}"


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page on the live server (``page.goto("/login/")`` works), held to the
    rules of ``guarded_page``."""
    with guarded_page(browser, live_server, request) as new_page:
        yield new_page


@pytest.fixture
def tech_page(tech_user):
    """Page clients: signed-in sessions of the actors above."""
    return page_client(tech_user)


@pytest.fixture
def manager_page(manager_user):
    return page_client(manager_user)


@pytest.fixture
def admin_page(admin_user):
    return page_client(admin_user)
