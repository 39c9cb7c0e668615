"""``field__any`` (``core.lookups``) selects what ``field__in`` selects, on both databases, and on
PostgreSQL sends the values as one parameter, so the statement is the same for any number."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Location
from core.services.locations import location_create
from tests.helpers import ON_BOTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def locations(site, admin_user):
    top = location_create(site=site, by=admin_user, name="Hall")
    rooms = [location_create(site=site, by=admin_user, name=f"R{i}", parent=top) for i in range(8)]
    return Location.objects.filter(pk__in=[top.pk, *(r.pk for r in rooms)])


@ON_BOTH
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(picks=st.lists(st.integers(0, 12), max_size=12))
def test_any_selects_what_in_selects(locations, database, picks):
    ids = sorted(locations.values_list("pk", flat=True))
    wanted = [ids[i] if i < len(ids) else 10**9 + i for i in picks]  # and ids that do not exist
    by_in = set(Location.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert set(Location.objects.filter(pk__any=wanted).values_list("pk", flat=True)) == by_in
    # A foreign key too, and the same as its ``__in``.
    parents = set(Location.objects.filter(parent_id__in=wanted).values_list("pk", flat=True))
    assert set(Location.objects.filter(parent__any=wanted).values_list("pk", flat=True)) == parents


@pytest.mark.postgres
def test_on_postgresql_any_number_of_values_is_one_statement(locations):
    ids = list(locations.values_list("pk", flat=True))
    statements = set()

    def sent(execute, sql, params, many, context):
        statements.add(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(sent):
        for n in (1, 3, len(ids)):
            assert len(Location.objects.filter(pk__any=ids[:n])) == n
    assert len(statements) == 1, statements
    assert "= ANY(" in statements.pop() and connection.vendor == "postgresql"
