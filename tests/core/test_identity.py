"""``core.identity`` reads the records the ORM would read (every field, times in UTC and aware),
in one query, on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.identity import token_with_user, user_with_memberships
from core.models import APIToken, Membership, Role, User
from core.services import api_token_create
from core.sites import user_memberships
from tests.helpers import ON_BOTH

pytestmark = pytest.mark.django_db


def values(record) -> dict:
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


@pytest.fixture
def member(manager_user, site, other_site):
    Membership.objects.create(user=manager_user, site=other_site, role=Role.TECHNICIAN)
    User.objects.filter(pk=manager_user.pk).update(last_login=timezone.now())
    return User.objects.get(pk=manager_user.pk)


@ON_BOTH
def test_a_user_is_read_as_the_orm_reads_it(member, database):
    with CaptureQueriesContext(connection) as ctx:
        user = user_with_memberships(member.pk)
        memberships = user_memberships(user)
    assert len(ctx.captured_queries) == 1
    assert values(user) == values(member) and user.last_login.tzinfo is not None
    expected = list(Membership.objects.filter(user=member).select_related("site"))
    assert [values(m) for m in memberships] == [values(m) for m in expected]
    assert [values(m.site) for m in memberships] == [values(m.site) for m in expected]
    assert all(m.user is user for m in memberships)


@ON_BOTH
def test_a_token_is_read_with_its_user_and_memberships(member, database):
    token, key = api_token_create(user=member, name="sync")
    with CaptureQueriesContext(connection) as ctx:
        read = token_with_user(APIToken.hash_key(key))
        sites = [m.site_id for m in user_memberships(read.user)]
    assert len(ctx.captured_queries) == 1
    assert values(read) == values(APIToken.objects.get(pk=token.pk))
    assert values(read.user) == values(member) and len(sites) == 2


@ON_BOTH
def test_nothing_is_found_for_unknown_or_impossible_ids(db, database):
    lonely = User.objects.create_user("lonely", password="pw-123456789")
    assert user_memberships(user_with_memberships(lonely.pk)) == []
    for nothing in (10**9, 2**70, -1, "x", None):
        assert user_with_memberships(nothing) is None
    assert token_with_user(APIToken.hash_key("no-such-key")) is None
