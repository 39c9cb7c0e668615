"""``core.api.serializers.FastOutputMixin`` writes exactly what DRF's own output writes, for every
serializer of the API, and the fields it shares between requests never carry one request's
context into another."""

import pytest
from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import (
    LocationSerializer,
    MemberSerializer,
    SiteSerializer,
    TaskRecordSerializer,
)
from core.models import Membership, TaskRecord
from inventory import selectors, services
from inventory.api.serializers import (
    LowStockPartSerializer,
    PartDetailSerializer,
    PartSerializer,
    PartTypeSerializer,
    StockItemSerializer,
    StockTransactionSerializer,
    VendorSerializer,
)
from inventory.models import PartType, StockTransaction
from tests.inventory.factories import supplied_by


def drf_output(serializer, instance) -> dict:
    """What DRF writes for ``instance``, field by field, without the mixin."""
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.fixture
def records(site, manager_user, store, part):
    vendor = supplied_by(
        part,
        manager_user,
        "Acme",
        "A-1",
        min_qty="50",
        part_type=PartType.objects.create(site=site, name="Filters"),
    )
    listed = selectors.parts_for_list(site=site).get(pk=part.pk)
    return {
        PartSerializer: listed,
        PartDetailSerializer: listed,
        LowStockPartSerializer: listed,
        PartTypeSerializer: listed.part_type,
        VendorSerializer: selectors.vendors_for_list(site=site).get(pk=vendor.pk),
        StockItemSerializer: part.stock_items.get(),
        StockTransactionSerializer: StockTransaction.objects.filter(part=part).first(),
        LocationSerializer: store.shelf,
        SiteSerializer: site,
        MemberSerializer: Membership.objects.filter(site=site).first(),
        TaskRecordSerializer: TaskRecord.objects.create(site=site, name="job", result={"n": 1}),
    }


def test_every_api_serializer_writes_what_drf_writes(records, site):
    for serializer_class, instance in records.items():
        serializer = serializer_class(context={"site": site, "roles": {site.pk: "manager"}})
        assert serializer.to_representation(instance) == drf_output(serializer, instance), (
            serializer_class.__name__
        )


@pytest.mark.parametrize("zone", ["UTC", "America/Chicago", "Asia/Kolkata"])
def test_times_are_written_in_the_request_time_zone_as_drf_writes_them(records, site, zone):
    """The output plan looks the time zone up once per serializer, where DRF asks per value."""
    with timezone.override(zone):
        for serializer_class, instance in records.items():
            serializer = serializer_class(context={"site": site})
            written = serializer.to_representation(instance)
            assert written == drf_output(serializer, instance), serializer_class.__name__
    if zone == "Asia/Kolkata":
        assert written["created_at"].endswith("+05:30")


def test_shared_fields_carry_no_context_from_one_request_to_the_next(records, site):
    first = SiteSerializer(context={"roles": {site.pk: "admin"}}).to_representation(site)
    second = SiteSerializer(context={"roles": {}}).to_representation(site)
    assert (first["role"], second["role"]) == ("admin", None)
    nested = PartDetailSerializer(context={"site": site}).to_representation(
        records[PartDetailSerializer]
    )
    assert nested["vendors"][0]["vendor_part_number"] == "A-1" and nested["stock"]


def test_a_user_named_by_many_rows_is_written_once_and_each_row_gets_its_own_copy(
    records, site, manager_user
):
    part = records[PartSerializer]
    second = selectors.parts_for_list(site=site).get(
        pk=services.part_create(site=site, by=manager_user, name="Second part").pk
    )
    serializer = PartSerializer([part, second], many=True, context={"site": site})
    first_row, second_row = serializer.data
    assert (
        first_row["created_by"]
        == second_row["created_by"]
        == {
            "id": manager_user.pk,
            "username": manager_user.username,
            "first_name": manager_user.first_name,
            "last_name": manager_user.last_name,
        }
    )
    first_row["created_by"]["username"] = "changed"  # a caller may edit its output
    assert second_row["created_by"]["username"] == manager_user.username
    # A new serializer (the next request) writes the user afresh.
    manager_user.first_name = "Renamed"
    manager_user.save()
    again = PartSerializer(
        selectors.parts_for_list(site=site).filter(pk=second.pk), many=True, context={}
    ).data
    assert again[0]["created_by"]["first_name"] == "Renamed"
