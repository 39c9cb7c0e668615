"""``core.backends.MemberBackend``: a signed-in page reads its user with the memberships in one
query, and otherwise behaves as Django's ``ModelBackend``."""

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.backends import MemberBackend
from core.models import Membership, Role, User
from core.sites import user_memberships

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_every_membership_and_its_site(manager_user, site, other_site):
    Membership.objects.create(user=manager_user, site=other_site, role=Role.TECHNICIAN)
    with CaptureQueriesContext(connection) as ctx:
        user = MemberBackend().get_user(manager_user.pk)
        memberships = user_memberships(user)
        names = [m.site.name for m in memberships]
    assert len(ctx.captured_queries) == 1
    assert user == manager_user and names == sorted([site.name, other_site.name])
    assert all(m.user is user for m in memberships)


def test_a_user_without_memberships_is_read_alone_and_has_none(db):
    user = User.objects.create_user("newcomer", password="pw-123456789")
    loaded = MemberBackend().get_user(user.pk)
    assert loaded == user and user_memberships(loaded) == []


def test_inactive_and_unknown_users_are_not_signed_in(manager_user):
    User.objects.filter(pk=manager_user.pk).update(is_active=False)
    assert MemberBackend().get_user(manager_user.pk) is None
    assert MemberBackend().get_user(10**9) is None


def test_passwords_are_checked_as_by_django(manager_user):
    manager_user.set_password("right-password-1")
    manager_user.save()
    assert authenticate(username=manager_user.username, password="right-password-1") == manager_user
    assert authenticate(username=manager_user.username, password="wrong") is None


def test_a_page_reads_user_and_memberships_in_one_query(client, manager_user, site):
    client.force_login(manager_user)
    client.get("/parts/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/parts/").status_code == 200
    user_reads = [q["sql"] for q in ctx.captured_queries if '"core_user"' in q["sql"]]
    assert len(user_reads) == 1 and '"core_membership"' in user_reads[0]
    membership_reads = [q for q in ctx.captured_queries if '"core_membership"' in q["sql"]]
    assert len(membership_reads) == 1
