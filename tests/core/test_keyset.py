"""Deep pages sought from known keys (``core.keyset`` through ``core.pagination.Listing``) are
the same rows as pages read by offset, on both databases, in orders with ties."""

import random

import pytest
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import pagination
from core.keyset import seekable_order
from core.models import Location, TaskRecord
from core.pagination import Listing, page_of
from core.versions import data_changed
from inventory.models import StockItem, StockTransaction
from tests.helpers import ON_BOTH, count_queries

pytestmark = pytest.mark.django_db

ORDERS = [
    ("-created_at", "-pk"),
    ("created_at", "pk"),
    ("name", "-pk"),
    ("state", "name", "pk"),
    # A first column with NULLs, which sort last on PostgreSQL and first on SQLite.
    ("finished_at", "pk"),
    ("-finished_at", "-pk"),
    ("periodic_seq", "-pk"),
    ("-periodic_seq", "name", "pk"),
]


@pytest.fixture
def records(site, monkeypatch):
    """40 records whose names, creation and finishing times tie in runs (some never finished),
    so that the later columns of an order decide."""
    made = [TaskRecord.objects.create(site=site, name=f"T{i % 7}") for i in range(40)]
    monkeypatch.setattr(pagination, "SEEK_BEYOND", 0)  # seek at any depth of this short list
    for i, record in enumerate(made):
        TaskRecord.objects.filter(pk=record.pk).update(
            created_at=made[i - i % 5].created_at,
            state=["PENDING", "SUCCESS"][i % 2],
            finished_at=None if i % 3 == 0 else made[i - i % 4].created_at,
            periodic_seq=None if i % 4 == 0 else i % 3,
            periodic_key=f"job {i}",  # (key, seq) is unique per site
        )
    return TaskRecord.objects.for_site(site)


def offset_pages(queryset, limit):
    everything = list(queryset.values_list("pk", flat=True))
    return [everything[i : i + limit] for i in range(0, len(everything), limit)]


@ON_BOTH
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.sampled_from(ORDERS), limit=st.integers(1, 9), seed=st.integers(0, 10**6))
def test_pages_read_in_any_sequence_are_the_pages_by_offset(
    records, site, database, order, limit, seed
):
    queryset = records.order_by(*order)
    expected = offset_pages(queryset, limit)
    offsets = [i * limit for i in range(len(expected))]
    random.Random(seed).shuffle(offsets)
    versioned = (site.pk, f"keyset-test-{seed}-{limit}-{'.'.join(order)}")
    for offset in offsets + offsets:  # the second round finds every key known
        page = page_of(queryset, offset=offset, limit=limit, versioned=versioned)
        assert [row.pk for row in page.rows] == expected[offset // limit]


@ON_BOTH
def test_walking_a_list_seeks_each_next_page(records, site, database):
    queryset = records.order_by("-created_at", "-pk")
    versioned = (site.pk, "tasks")
    Listing(queryset, versioned).page_ids(0, 10)  # learns the key at 10

    listing = Listing(queryset, versioned)
    sought = listing.page_ids(10, 10)

    assert sought == offset_pages(queryset, 10)[1]
    assert 20 in listing.state["known"]  # ... and the next page's


def test_a_sought_page_reads_from_its_key_not_from_an_offset(records, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queryset = records.order_by("-created_at", "-pk")
    versioned = (site.pk, "tasks")
    Listing(queryset, versioned).page_ids(20, 10)
    with CaptureQueriesContext(connection) as queries:
        Listing(queryset, versioned).page_ids(20, 10)
    reads = [q["sql"] for q in queries.captured_queries]
    assert reads and not [sql for sql in reads if "OFFSET" in sql]
    # One row comparison on PostgreSQL; on SQLite the ties, then the rows beyond them.
    assert ('"created_at", "core_taskrecord"."id") <= (' in reads[0]) or (
        '"created_at" = ' in reads[0] and '"id" <= ' in reads[0]
    )


def test_keys_are_forgotten_when_the_data_changes(
    records, site, django_capture_on_commit_callbacks
):
    queryset = records.order_by("name", "pk")
    versioned = (site.pk, "tasks")
    Listing(queryset, versioned).page_ids(0, 10)
    TaskRecord.objects.filter(pk=queryset[5].pk).update(name="AAA")  # moves to the front
    with django_capture_on_commit_callbacks(execute=True):
        data_changed(site.pk, "tasks")

    assert Listing(queryset, versioned).page_ids(10, 10) == offset_pages(queryset, 10)[1]


def test_orders_that_cannot_be_sought():
    assert seekable_order(TaskRecord.objects.order_by("-created_at", "-pk")) == [
        ("created_at", True, False),
        ("pk", True, False),
    ]
    assert seekable_order(Location.objects.all()) == [("path", False, False), ("pk", False, False)]
    assert seekable_order(StockTransaction.objects.order_by("part__name", "pk")) is not None
    assert seekable_order(StockItem.objects.order_by("location_id", "pk")) == [
        ("location_id", False, True),
        ("pk", False, False),
    ]  # a nullable first column
    assert seekable_order(StockItem.objects.order_by("pk", "location_id")) is None  # not first
    assert seekable_order(StockItem.objects.order_by("location", "pk")) is None  # its own order
    assert seekable_order(TaskRecord.objects.order_by(F("name").desc())) is None  # expression
    assert seekable_order(TaskRecord.objects.order_by("?")) is None
    annotated = TaskRecord.objects.annotate(n=F("attempts") + 1).order_by("n", "pk")
    assert seekable_order(annotated) is None


def test_a_sought_page_costs_the_queries_of_a_first_page(records, site):
    queryset = records.order_by("-created_at", "-pk")
    versioned = (site.pk, "tasks")
    page_of(queryset, offset=30, limit=10, versioned=versioned)
    first = count_queries(lambda: page_of(queryset, offset=0, limit=10, versioned=versioned))
    deep = count_queries(lambda: page_of(queryset, offset=30, limit=10, versioned=versioned))
    # The ids (on SQLite, the ties of the key, then the rows beyond them) and the rows; the count
    # and the keys are cached.
    assert first == 2 and deep in (2, 3)
