"""``core.api.filtering.FilterBackend``: a list asked for without a filter parameter is not put
through a FilterSet at all, and one with a filter parameter is filtered (and checked) as
before."""

import pytest
from django.http import QueryDict

from core.api.filtering import names_a_filter
from core.filters import LocationFilter
from inventory.filters import PartFilter
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def params(query: str) -> QueryDict:
    return QueryDict(query)


def test_only_a_filters_own_parameters_name_it():
    assert not names_a_filter(PartFilter, params(""))
    assert not names_a_filter(PartFilter, params("limit=50&offset=100&ordering=-name"))
    assert names_a_filter(PartFilter, params("limit=50&active=true"))
    assert names_a_filter(PartFilter, params("q=bearing"))
    assert names_a_filter(LocationFilter, params("depth=2"))


def test_a_suffixed_parameter_of_a_range_filter_names_it():
    import django_filters

    class Ranged(django_filters.FilterSet):
        depth = django_filters.RangeFilter()

    assert names_a_filter(Ranged, params("depth_min=1"))
    assert not names_a_filter(Ranged, params("depths=1"))


def test_lists_are_filtered_only_when_asked_and_a_bad_filter_value_is_still_refused(tech_api, site):
    top = LocationFactory(site=site, name="Hall")
    LocationFactory(site=site, name="Shelf", parent=top)
    everything = tech_api.get("/api/locations/?limit=50").json()
    assert everything["count"] == 2
    children = tech_api.get(f"/api/locations/?limit=50&parent={top.pk}").json()
    assert [row["name"] for row in children["results"]] == ["Shelf"]
    refused = tech_api.get("/api/locations/?depth=deep")
    assert refused.status_code == 400 and "depth" in refused.json()
