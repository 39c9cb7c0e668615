"""Helpers shared by every app's tests: one definition each.

- API answers: ``assert_field_error``;
- site isolation, role and auth proofs for API endpoints: ``assert_site_isolated``,
  ``assert_needs_role``, ``assert_needs_auth`` (and ``list_ids``, which follows a list's pages);
- query counts: ``count_queries``, ``queries_for``;
- page clients: ``page_client`` and the ``HTMX`` request header;
- HTML read with a real parser, elements picked by ``data-testid`` (or id): ``html``,
  ``by_testid``, ``all_by_testid``, ``texts_by_testid``, ``by_id``, ``text``, ``field_error``,
  ``cell``; what an HTMX answer is: ``root``, ``is_full_page``;
- QR codes drawn as SVG read back into modules: ``rendered_matrix``, ``expected_matrix``,
  ``svg_in``; a label page's paper size: ``label_page_size``;
- a part's stock as the database holds it (inventory): ``ledger``, ``on_hand``, ``item_at``;
- threads with a database connection each (PostgreSQL tests): ``in_parallel``, ``split``,
  ``Competitor`` and ``race``, which proves a second writer waited on the first one's lock.
"""

import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from unittest import mock

import pytest
from bs4 import BeautifulSoup, Tag
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import pagination, qr
from inventory.models import Part, StockItem, StockTransaction

# A test that must hold on both databases: once in the first stage of ``make test`` (SQLite) and
# once in the PostgreSQL stage (its ``database`` argument names the stage).
ON_BOTH = pytest.mark.parametrize(
    "database", ["first stage", pytest.param("second stage", marks=pytest.mark.postgres)]
)


# =================================================================================================
# API answers
# =================================================================================================


def assert_field_error(response, field: str) -> list[str]:
    """A validation error: 400 with ``{field: [non-empty messages]}``; returns the messages."""
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    assert field in body, body
    messages = body[field]
    assert isinstance(messages, list) and messages, body
    assert all(isinstance(message, str) and message for message in messages), body
    return messages


# =================================================================================================
# Site isolation, roles and auth (API)
# =================================================================================================
# ``assert_site_isolated`` takes a client of a user who is an *admin of another site* (so a refusal
# cannot be a role refusal) and proves the object is invisible and untouchable: 404 on read, on
# every write and on every action, and absent from the list.

UNSAFE = ("put", "patch", "delete")


def list_ids(api, list_url: str, key: str = "id") -> list:
    """Every ``key`` a list endpoint returns, following its pages."""
    ids, url = [], list_url
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content)
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        ids += [row[key] for row in rows]
        url = body.get("next") if isinstance(body, dict) else None
    return ids


def assert_site_isolated(
    other_site_api,
    *,
    detail_url: str,
    list_url: str | None = None,
    obj_id=None,
    methods: Iterable[str] = ("get", *UNSAFE),
    actions: Iterable[str] = (),
    key: str = "id",
):
    for method in methods:
        response = getattr(other_site_api, method)(detail_url, {}, format="json")
        assert response.status_code == 404, (method, detail_url, response.status_code)
        assert "detail" in response.json()
    for action_url in actions:
        response = other_site_api.post(action_url, {}, format="json")
        assert response.status_code == 404, (action_url, response.status_code)
    if list_url is not None:
        assert obj_id not in list_ids(other_site_api, list_url, key), list_url


def assert_needs_role(api, method: str, url: str, data=None):
    """The caller's role is too low: 403 with a message, never a silent success."""
    response = getattr(api, method)(url, data or {}, format="json")
    assert response.status_code == 403, (method, url, response.status_code, response.content)
    assert "detail" in response.json()
    return response


def assert_needs_auth(anon_api, method: str, url: str, data=None):
    response = getattr(anon_api, method)(url, data or {}, format="json")
    assert response.status_code in (401, 403), (method, url, response.status_code)
    return response


# =================================================================================================
# Query counts
# =================================================================================================


def count_queries(fn) -> int:
    """How many queries ``fn()`` runs on the default connection."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def queries_for(client, url: str) -> int:
    """How many queries a GET of ``url`` runs (the answer must be a 200), in the steady state:
    after one request that fills what is cached between writes (the token's last use, a list's
    count since the last stock action), so that a count at N rows and one at 2N compare alike."""

    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content)

    fetch()
    return count_queries(fetch)


def page_ids_query(client, url: str) -> str:
    """The SQL of the query that picks a list's page of ids (``core.pagination.page_ids``): the
    one that selects only the key, ordered and limited. The few rows of a test are read as a
    long list is (a list all on its first page is otherwise read whole, without it)."""
    response = None
    with (
        mock.patch.object(pagination, "READ_SHORT_LISTS_WHOLE", False),
        CaptureQueriesContext(connection) as ctx,
    ):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = [
        q["sql"]
        for q in ctx.captured_queries
        if re.match(r'SELECT (DISTINCT )?"\w+"\."id" AS "pk"', q["sql"])
        and "ORDER BY" in q["sql"]
        and "LIMIT" in q["sql"]
    ]
    assert len(found) == 1, (url, [q["sql"][:120] for q in ctx.captured_queries])
    return found[0]


def plan_without_full_sort(sql: str) -> str:
    """PostgreSQL's plan for ``sql`` when sorting and scanning whole tables are priced out: it
    still has a Sort node exactly when no index yields the rows in the query's order."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET {setting} = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"RESET {setting}")
    return plan


def assert_order_served_by_an_index(client, url: str) -> None:
    """A page of ``url`` is read in its order from an index, never by sorting the table."""
    sql = page_ids_query(client, url)
    plan = plan_without_full_sort(sql)
    assert "Sort" not in plan, f"{url} sorts:\n{plan}\n{sql}"
    assert "Index" in plan, f"{url} reads no index:\n{plan}"


# =================================================================================================
# Pages
# =================================================================================================

HTMX = {"HX-Request": "true"}


def page_client(user) -> Client:
    """A browser-like client with a session for ``user`` (no token, no site header)."""
    client = Client()
    client.force_login(user)
    return client


# =================================================================================================
# HTML, read with a parser
# =================================================================================================
# Elements are picked by ``data-testid`` (or by a role or id), never by a substring of the markup,
# so that renaming what a test relies on fails the test instead of letting it pass by accident.


def html(source) -> BeautifulSoup | Tag:
    """The parsed page or fragment of a response (or of markup, or an element as it is)."""
    if isinstance(source, Tag):
        return source
    if hasattr(source, "content"):
        source = source.content
    if isinstance(source, bytes):
        source = source.decode()
    return BeautifulSoup(source, "html.parser")


def root(source) -> Tag:
    """The first top-level element of a fragment (an HTMX answer): what gets swapped in."""
    element = html(source).find(True, recursive=False)
    assert element is not None, "the answer holds no element"
    return element


def is_full_page(source) -> bool:
    """Whether the answer is a whole page (``<html>``) rather than an HTMX fragment."""
    return html(source).find("html") is not None


def text(element) -> str:
    """An element's text with runs of white space folded to one space."""
    return " ".join(element.get_text(" ", strip=True).split())


def all_by_testid(source, testid: str) -> list[Tag]:
    return html(source).find_all(attrs={"data-testid": testid})


def by_testid(source, testid: str) -> Tag:
    """The one element with this ``data-testid`` (fails if there is none or more than one)."""
    found = all_by_testid(source, testid)
    assert len(found) == 1, f"{len(found)} elements with data-testid={testid!r}"
    return found[0]


def texts_by_testid(source, testid: str) -> list[str]:
    """The text of every element with this ``data-testid``, in document order."""
    return [text(element) for element in all_by_testid(source, testid)]


def by_id(source, element_id: str) -> Tag:
    found = html(source).find_all(id=element_id)
    assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
    return found[0]


def field_error(source, field_id: str) -> str:
    """The error text shown under the input ``field_id`` (``<ul id="<field_id>_error">``), which
    must come after that input in the form."""
    page = html(source)
    error = by_id(page, f"{field_id}_error")
    field = by_id(page, field_id)
    before_error = error.find_all_previous()
    assert any(element is field for element in before_error), f"{field_id}'s error is above it"
    return text(error)


def cell(row: Tag, label: str) -> Tag:
    """The cell of a stacked table row whose ``data-label`` starts with ``label``."""
    found = [td for td in row.find_all("td") if td.get("data-label", "").startswith(label)]
    assert len(found) == 1, f"{len(found)} cells labelled {label!r}"
    return found[0]


# =================================================================================================
# QR codes drawn as SVG
# =================================================================================================

SVG_NS = "{http://www.w3.org/2000/svg}"


def rendered_matrix(svg: str) -> list[list[int]]:
    """Read the modules back out of a segno SVG: the inverse of what the renderer drew.

    segno draws each row's dark runs as horizontal strokes of width 1 on the line y = row + 0.5,
    with absolute ``M``, relative ``m`` moves and ``h`` runs, inside ``viewBox="0 0 n n"``.
    """
    svg_root = ET.fromstring(svg)
    assert svg_root.tag == f"{SVG_NS}svg"
    size = int(svg_root.get("viewBox").split()[2])
    matrix = [[0] * size for _ in range(size)]
    dark = [p for p in svg_root.iter(f"{SVG_NS}path") if p.get("stroke")]
    assert len(dark) == 1
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", dark[0].get("d")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            run = float(a) if cmd == "h" else float(a) - x
            for col in range(int(x), int(x + run)):
                matrix[int(y)][col] = 1
            x += run
    return matrix


def expected_matrix(data: str) -> list[list[int]]:
    """segno's own matrix for the same data, with the four-module quiet zone around it."""
    code = qr.qr_code(data)
    border = qr.QUIET_ZONE
    width = len(code.matrix) + 2 * border
    rows = [[0] * width for _ in range(border)]
    rows += [[0] * border + [int(bool(m)) for m in row] + [0] * border for row in code.matrix]
    rows += [[0] * width for _ in range(border)]
    return rows


def label_page_size(source) -> str:
    """The paper a label page prints on: the ``size`` of its ``@page`` rule."""
    styles = " ".join(style.get_text() for style in html(source).find_all("style"))
    match = re.search(r"@page\s*{[^}]*?size:\s*([^;}]+)", styles)
    assert match, "the page has no @page size"
    return match.group(1).strip()


def svg_in(page: str) -> str:
    """The inline SVG of a page, as text."""
    match = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert match, "no inline SVG in the page"
    return match.group(0)


# =================================================================================================
# A part's stock, as the database holds it (inventory)
# =================================================================================================


def ledger(part) -> list[tuple]:
    """The part's ledger rows, oldest first: ``(type, quantity, on_hand_after)`` each."""
    return list(
        StockTransaction.objects.filter(part=part)
        .order_by("pk")
        .values_list("type", "quantity", "on_hand_after")
    )


def on_hand(part) -> Decimal:
    """The part's stored on-hand figure, read afresh."""
    return Part.objects.get(pk=part.pk).on_hand


def item_at(part, location) -> StockItem:
    """The part's one stock item at ``location``."""
    return StockItem.objects.get(part=part, location=location)


# =================================================================================================
# Threads, each with its own database connection (PostgreSQL)
# =================================================================================================


def in_parallel(work, items, workers: int | None = None) -> list[tuple]:
    """Run ``work(item, go)`` for every item on its own thread and database connection.

    ``go()`` is a barrier: each thread prepares (loads its own rows), calls ``go()`` and then does
    the racing part, so all racing parts start together. At most ``workers`` threads (default:
    one per item). Returns ``(result, exception)`` pairs in the order of ``items``.
    """
    items = list(items)
    workers = workers or len(items)
    barrier = threading.Barrier(min(len(items), workers))

    def go():
        barrier.wait(timeout=30)

    def run(item):
        try:
            return work(item, go), None
        except Exception as exc:
            return None, exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, items))


def split(outcomes) -> tuple[list, list[Exception]]:
    """``in_parallel``'s outcomes as (results of the calls that returned, exceptions raised)."""
    done = [result for result, exc in outcomes if exc is None]
    errors = [exc for _result, exc in outcomes if exc is not None]
    return done, errors


def backend_pid() -> int:
    """The PostgreSQL server process of this thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Competitor(threading.Thread):
    """Runs ``fn`` in its own thread and database connection; keeps its backend pid (known once
    ``started`` is set, before ``fn`` runs), its result or its error."""

    def __init__(self, fn: Callable):
        super().__init__(daemon=True)
        self.fn, self.result, self.error, self.pid = fn, None, None, None
        self.started = threading.Event()

    def run(self):
        try:
            self.pid = backend_pid()
            self.started.set()
            self.result = self.fn()
        except Exception as exc:
            self.error = exc
        finally:
            self.started.set()
            connection.close()


LOCK_WAIT_QUERY = """
    SELECT a.wait_event_type, a.wait_event, pg_blocking_pids(a.pid),
           EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
    FROM pg_stat_activity a WHERE a.pid = %s
"""


def wait_until_blocked(pid: int, *, by: int, timeout: float = 10.0) -> dict:
    """Watch backend ``pid`` from a connection of its own until it waits on a lock held by
    backend ``by``: ``pg_stat_activity`` says it waits on a Lock, ``pg_locks`` holds a lock it
    asked for and was not granted, and ``pg_blocking_pids`` names ``by``. Fails after
    ``timeout`` seconds. Returns what it saw last."""
    seen: dict = {}

    def watch():
        try:
            deadline = time.monotonic() + timeout
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    # Each statement is its own transaction (autocommit), so each sees the
                    # activity as it is now, not a snapshot from the first read.
                    cursor.execute(LOCK_WAIT_QUERY, [pid])
                    row = cursor.fetchone()
                    if row is not None:
                        seen.update(
                            wait_event_type=row[0],
                            wait_event=row[1],
                            blockers=row[2],
                            ungranted=row[3],
                        )
                        if row[0] == "Lock" and row[3] and by in row[2]:
                            seen["blocked"] = True
                            return
                    time.sleep(0.02)
        finally:
            connection.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watcher.join(timeout + 10)
    assert seen.get("blocked"), (
        f"backend {pid} was never seen waiting on a lock held by {by}: {seen}"
    )
    return seen


def race(first: Callable, second: Callable, *, timeout: float = 20.0) -> Competitor:
    """Prove that ``second`` waits for the lock ``first`` takes, then sees what ``first`` wrote.

    This thread runs ``first`` in an open transaction (so it holds its locks); ``second`` starts on
    another thread and connection; a third connection watches until ``second``'s backend waits on a
    lock held by this one, and ``second`` must not have returned by then. Then ``first`` commits,
    ``second`` finishes, and its ``Competitor`` (result or error) is returned for the test to show
    that it saw the committed write. Every wait is bounded.
    """
    with transaction.atomic():
        first()
        holder = backend_pid()
        competitor = Competitor(second)
        competitor.start()
        assert competitor.started.wait(timeout), "the competing thread did not start"
        assert competitor.pid is not None, competitor.error
        wait_until_blocked(competitor.pid, by=holder, timeout=timeout)
        assert competitor.is_alive(), "the competing write returned while the lock was held"
    competitor.join(timeout)
    assert not competitor.is_alive(), "the competing write did not finish after the commit"
    return competitor
