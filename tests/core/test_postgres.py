"""Concurrency on PostgreSQL: real threads, each with its own database connection.

SQLite serialises every writer, so these races only exist (and are only proved absent) on
PostgreSQL. They run in the second stage of ``make test``, where the cache (and so the rate-limit
counters) is Redis, shared by all threads as it is by several web processes in production.
"""

import time
from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.errors import ServiceError
from core.models import Location, Site, User
from core.services import api_token_create, location_create, location_paths_rebuild, location_update
from tests.factories import LocationFactory, admin_of
from tests.helpers import in_parallel, split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


# --- (a) one name per tree level, however many requests race for it ------------------------------


@pytest.mark.parametrize("level", ["top level", "under a parent"])
def test_parallel_creates_of_one_name_leave_exactly_one_location(site, manager_user, level):
    parent = LocationFactory(site=site, name="Building A") if level == "under a parent" else None

    def create(_i, go):
        by = User.objects.get(pk=manager_user.pk)
        at = Site.objects.get(pk=site.pk)
        under = Location.objects.get(pk=parent.pk) if parent else None
        go()
        return location_create(site=at, by=by, name="Line 7", parent=under)

    created, errors = split(in_parallel(create, range(THREADS)))

    assert len(created) == 1, errors
    assert len(errors) == THREADS - 1
    assert all(isinstance(exc, ServiceError) for exc in errors), errors
    assert all("name" in exc.errors for exc in errors), errors
    same = Location.objects.filter(site=site, parent=parent, name__iexact="Line 7")
    assert list(same.values_list("pk", flat=True)) == [created[0].pk]
    expected_path = "Building A > Line 7" if parent else "Line 7"
    assert created[0].path == expected_path


# --- (b) the per-user rate limit holds across threads (counters in Redis) -------------------------


def test_parallel_requests_share_one_rate_limit_budget(site, manager_user, settings):
    assert isinstance(caches["default"], RedisCache), (
        "This test proves the limit holds across processes, so the counters must be in Redis: "
        f"set REDIS_URL (it is {settings.REDIS_URL!r})."
    )
    settings.API_RATE_LIMIT = 5
    window = settings.API_RATE_WINDOW
    if window - time.time() % window < 15:  # do not let the burst straddle two windows
        time.sleep(window - time.time() % window + 0.5)
    _token, key = api_token_create(user=manager_user, name="burst")

    def call(_i, go):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        go()
        return client.get("/api/user/me/")

    responses, errors = split(in_parallel(call, range(THREADS)))

    assert not errors, errors
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [429] * (THREADS - 5), statuses
    resets = {r.headers["X-RateLimit-Reset"] for r in responses}
    assert len(resets) == 1, resets
    assert all(r.headers["X-RateLimit-Limit"] == "5" for r in responses)
    ok = [r for r in responses if r.status_code == 200]
    remaining_ok = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in ok)
    assert remaining_ok == [0, 1, 2, 3, 4]
    for r in responses:
        if r.status_code == 429:
            assert r.headers["X-RateLimit-Remaining"] == "0"
            assert 1 <= int(r.headers["Retry-After"]) <= window
            assert "detail" in r.json()


# --- (c) concurrent moves keep every stored path true to the tree --------------------------------


def _forest(site, count):
    """``count`` subtrees S<i> > C<i> > G<i> and ``count`` targets T<i> > U<i>, all top-level."""
    subtrees, targets = [], []
    for i in range(count):
        top = LocationFactory(site=site, name=f"S{i}")
        child = LocationFactory(parent=top, name=f"C{i}")
        grandchild = LocationFactory(parent=child, name=f"G{i}")
        subtrees.append((top, child, grandchild))
        target = LocationFactory(site=site, name=f"T{i}")
        targets.append((target, LocationFactory(parent=target, name=f"U{i}")))
    return subtrees, targets


def _move_all(manager_user, moves):
    """Move location -> new parent for every pair at once."""

    def move(pair, go):
        location_pk, parent_pk = pair
        by = User.objects.get(pk=manager_user.pk)
        location = Location.objects.get(pk=location_pk)
        go()
        # Load the new parent as late as possible, as a request would.
        return location_update(location=location, by=by, parent=Location.objects.get(pk=parent_pk))

    return in_parallel(move, [(loc.pk, parent.pk) for loc, parent in moves])


def _assert_paths_consistent(site):
    total = Location.objects.filter(site=site).count()
    report = location_paths_rebuild(site=site, by=admin_of(site))
    assert report == {"locations": total, "repaired": 0}, report
    for node in Location.objects.filter(site=site).select_related("parent"):
        if node.parent is None:
            assert (node.path, node.depth, node.lineage) == (node.name, 0, f"/{node.pk}/")
        else:
            assert node.path == f"{node.parent.path} > {node.name}"
            assert node.depth == node.parent.depth + 1
            assert node.lineage == f"{node.parent.lineage}{node.pk}/"


def test_parallel_moves_of_separate_subtrees_keep_paths_consistent(site, manager_user):
    count = 10
    subtrees, targets = _forest(site, count)

    _done, errors = split(
        _move_all(manager_user, [(subtrees[i][0], targets[i][1]) for i in range(count)])
    )

    assert not errors, errors
    _assert_paths_consistent(site)
    assert Location.objects.get(pk=subtrees[3][2].pk).path == "T3 > U3 > S3 > C3 > G3"


def test_parallel_moves_into_subtrees_that_are_moving_too_keep_paths_consistent(site, manager_user):
    """S<i> moves under C<i+1>, which itself moves (with S<i+1>) under C<i+2>, and so on; the
    last one moves under U0. Each move rewrites a subtree that another move is writing into."""
    count = 10
    subtrees, targets = _forest(site, count)
    moves = [(subtrees[i][0], subtrees[i + 1][1]) for i in range(count - 1)]
    moves.append((subtrees[count - 1][0], targets[0][1]))

    _done, errors = split(_move_all(manager_user, moves))

    assert not errors, errors
    _assert_paths_consistent(site)
    chain = " > ".join(f"S{i} > C{i}" for i in reversed(range(count)))
    assert Location.objects.get(pk=subtrees[0][2].pk).path == f"T0 > U0 > {chain} > G0"


def test_parallel_creates_inside_subtrees_that_are_moving_keep_paths_consistent(site, manager_user):
    """While S<i> moves under U<i>, another request adds a location under G<i> (inside it)."""
    count = 10
    subtrees, targets = _forest(site, count)
    jobs = [("move", subtrees[i][0].pk, targets[i][1].pk) for i in range(count)]
    jobs += [("create", None, subtrees[i][2].pk) for i in range(count)]

    def work(job, go):
        kind, location_pk, parent_pk = job
        by = User.objects.get(pk=manager_user.pk)
        location = Location.objects.get(pk=location_pk) if location_pk else None
        at = Site.objects.get(pk=site.pk)
        go()
        parent = Location.objects.get(pk=parent_pk)
        if kind == "move":
            return location_update(location=location, by=by, parent=parent)
        return location_create(site=at, by=by, name="New bin", parent=parent)

    _done, errors = split(in_parallel(work, jobs))

    assert not errors, errors
    _assert_paths_consistent(site)
    assert Location.objects.filter(site=site, path="T4 > U4 > S4 > C4 > G4 > New bin").exists()


# --- (c) repeated queries run as prepared statements ----------------------------------------------


def test_a_query_sent_again_runs_as_a_prepared_statement(site):
    """``config.settings`` turns on server-side binding with a prepare threshold: from its third
    run on, PostgreSQL runs a repeated query from its prepared plan instead of planning it again
    (bench/README.md, fourth round)."""
    from django.db import connection

    for _ in range(3):
        list(Location.objects.filter(site=site, name="Line 7"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    location_reads = [sql for sql in prepared if 'FROM "core_location"' in sql]
    assert any('"core_location"."name" = $1' in sql for sql in location_reads), prepared


# --- (d) timestamps are read by psycopg's C parser, as Django would read them ---------------------


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_timestamps_read_in_c_equal_what_django_reads(moment):
    from psycopg.pq import Format

    from core.timestamps import TIMESTAMPTZ_OID, FastTzLoader

    aware = moment.replace(tzinfo=UTC)
    with connection.cursor() as cursor:
        loader = cursor.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert issubclass(loader, FastTzLoader)
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz AT TIME ZONE 'UTC'", [aware, aware])
        read, naive = cursor.fetchone()
    assert read == aware and read.tzinfo is UTC  # Django's loader pins it to the connection's
    assert naive == moment
