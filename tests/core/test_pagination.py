"""The one way lists are paged (``core.pagination``): ids first, the second half read from the
end, rows loaded for the page only, and counts cached under a data version that writes change."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import TaskRecord
from core.pagination import Paginator, counted, page_of
from core.versions import data_changed, data_version
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(site):
    """23 records, some with equal creation times: the primary key must break the ties."""
    records = [TaskRecord.objects.create(site=site, name=f"T{i:02d}") for i in range(23)]
    TaskRecord.objects.filter(pk__in=[r.pk for r in records[5:10]]).update(
        created_at=records[5].created_at
    )
    return TaskRecord.objects.for_site(site).order_by("-created_at", "-pk")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 30), limit=st.integers(1, 12))
def test_a_page_is_the_slice_of_the_whole_list(tasks, offset, limit):
    page = page_of(tasks, offset=offset, limit=limit)

    assert [r.pk for r in page.rows] == [r.pk for r in list(tasks)[offset : offset + limit]]
    assert page.count == 23


def test_walking_the_pages_gives_every_row_once_in_order(tasks):
    seen = []
    for offset in range(0, 23, 5):
        seen += [r.pk for r in page_of(tasks, offset=offset, limit=5).rows]

    assert seen == [r.pk for r in tasks]


def test_a_page_loads_only_its_rows_with_what_the_list_adds(tasks, site):
    annotated = tasks.select_related("site")

    rows = page_of(annotated, offset=20, limit=5).rows

    assert len(rows) == 3
    assert count_queries(lambda: [r.site.name for r in rows]) == 0


def test_the_page_paginator_pages_the_same_way(tasks):
    paginator = Paginator(tasks, 10)

    assert paginator.count == 23 and paginator.num_pages == 3
    assert [r.pk for r in paginator.page(3)] == [r.pk for r in list(tasks)[20:]]


def test_a_versioned_count_is_reused_until_the_data_changes(tasks, site):
    versioned = (site.pk, "tasks")
    assert counted(tasks, versioned=versioned) == 23
    assert count_queries(lambda: counted(tasks, versioned=versioned)) == 0

    TaskRecord.objects.create(site=site, name="late")
    assert counted(tasks, versioned=versioned) == 23  # not announced: still the cached count
    data_changed(site.pk, "tasks")

    assert counted(tasks, versioned=versioned) == 24


def test_a_data_version_is_per_site_and_topic(site, other_site, django_capture_on_commit_callbacks):
    before = (data_version(site.pk, "stock"), data_version(other_site.pk, "stock"))
    with django_capture_on_commit_callbacks(execute=True):  # the token changes at the commit
        data_changed(site.pk, "stock")

    assert data_version(site.pk, "stock") != before[0]
    assert data_version(other_site.pk, "stock") == before[1]


def test_a_list_all_on_its_first_page_is_read_in_one_query_as_it_is(tasks):
    """Its ids would be all of them: the count and the rows, no ids query first."""
    everything = [r.pk for r in tasks]
    page = None

    def read():
        nonlocal page
        page = page_of(tasks.all(), offset=0, limit=30)  # .all(): not the evaluated list

    assert count_queries(read) == 2  # the count, the rows
    assert [r.pk for r in page.rows] == everything and page.count == 23
    assert count_queries(lambda: page_of(tasks.all(), offset=0, limit=10)) == 3  # + page's ids
    paged = Paginator(tasks.all(), 50).page(1)
    assert [r.pk for r in paged.object_list] == everything
