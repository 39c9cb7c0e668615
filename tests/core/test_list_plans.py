"""Guard rails for the speed of core's lists, on PostgreSQL: a page of each, in its default
order and every order the API offers, is read from an index, never by sorting the table."""

import pytest

from core.api.views import LocationViewSet, TaskRecordViewSet
from core.models import TaskRecord
from tests.helpers import assert_order_served_by_an_index

pytestmark = pytest.mark.postgres


@pytest.fixture
def rows(site, tree):
    for name in ("Import", "Rebuild"):
        TaskRecord.objects.create(site=site, name=name)


def orderings(viewset) -> list[str]:
    return ["", *(f"{sign}{field}" for field in viewset.ordering_fields for sign in ("", "-"))]


@pytest.mark.parametrize(
    ("url", "ordering"),
    [
        (url, ordering)
        for url, viewset in {
            "/api/locations/": LocationViewSet,
            "/api/tasks/": TaskRecordViewSet,
        }.items()
        for ordering in orderings(viewset)
    ],
)
def test_every_order_a_core_list_offers_is_read_from_an_index(tech_api, rows, url, ordering):
    query = f"?ordering={ordering}" if ordering else ""
    assert_order_served_by_an_index(tech_api, url + query)
