"""Actors and helpers shared by every test.

Two sites: ``site`` (where the tests act) and ``other_site`` (whose data must stay invisible).
``tech_api``, ``manager_api`` and ``admin_api`` are token-authenticated API clients of ``site``;
``other_site_api`` is an admin of ``other_site`` only; ``anon_api`` has no credentials.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Role
from core.services import api_token_create
from tests.factories import MembershipFactory, SiteFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate-limit counters live in the cache; each test starts with a clean budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return SiteFactory(name="Main Plant")


@pytest.fixture
def other_site(db):
    return SiteFactory(name="North Plant")


def _member(site, role, username):
    return MembershipFactory(site=site, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def tech_user(site):
    return _member(site, Role.TECHNICIAN, "tech")


@pytest.fixture
def manager_user(site):
    return _member(site, Role.MANAGER, "manager")


@pytest.fixture
def admin_user(site):
    return _member(site, Role.ADMIN, "admin")


@pytest.fixture
def other_site_user(other_site):
    return _member(other_site, Role.ADMIN, "other-admin")


def token_client(user, site=None) -> APIClient:
    """An API client that authenticates with a fresh token, as an integration would."""
    _token, key = api_token_create(user=user, name="tests")
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    if site is not None:
        headers["HTTP_X_SITE_ID"] = str(site.pk)
    client.credentials(**headers)
    client.user = user
    return client


@pytest.fixture
def api_for():
    return token_client


@pytest.fixture
def tech_api(tech_user):
    return token_client(tech_user)


@pytest.fixture
def manager_api(manager_user):
    return token_client(manager_user)


@pytest.fixture
def admin_api(admin_user):
    return token_client(admin_user)


@pytest.fixture
def other_site_api(other_site_user):
    return token_client(other_site_user)


@pytest.fixture
def anon_api():
    return APIClient()


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.fixture
def query_count():
    return count_queries
