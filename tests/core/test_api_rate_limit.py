"""Per-user request budgets per window, shown in X-RateLimit-* headers; 429 with Retry-After."""

import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from core.api import throttling
from tests.helpers import ON_BOTH

NOW = 1_700_000_030.0  # 50 s into a 60 s window: the test never straddles a window boundary
WINDOW_END = 1_700_000_040  # NOW rounded up to the next multiple of 60


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: NOW))


limited = override_settings(API_RATE_LIMIT=3, API_RATE_LIMIT_ANON=2, API_RATE_WINDOW=60)


@ON_BOTH
def test_a_window_counter_counts_and_expires_on_the_cache_in_use(database):
    backend = caches["default"]
    # The PostgreSQL stage runs with Redis (one round trip per count); the first with the cache
    # in process memory.
    assert isinstance(backend, RedisCache) == (database == "second stage")
    key = f"ratelimit:test:{uuid.uuid4().hex}"
    assert [throttling.count_request(key, ttl=5) for _ in range(3)] == [1, 2, 3]
    assert backend.get(key) == 3  # the same number through Django's cache
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        assert 0 < backend._cache.get_client(full_key).ttl(full_key) <= 5


@ON_BOTH
@limited
def test_requests_within_the_budget_count_down_in_headers(tech_api, database):
    remaining = []
    for _ in range(3):
        response = tech_api.get("/api/user/me/")
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "3"
        assert response["X-RateLimit-Reset"] == str(WINDOW_END)
        remaining.append(response["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]


@ON_BOTH
@limited
def test_the_request_over_the_budget_is_429_with_retry_after(tech_api, database):
    for _ in range(3):
        tech_api.get("/api/locations/")
    response = tech_api.get("/api/locations/")
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert response["Retry-After"] == "10"
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"] == str(WINDOW_END)


@limited
def test_a_refused_write_changes_nothing(manager_api, site, location_rows):
    for _ in range(3):
        manager_api.get("/api/user/me/")
    assert manager_api.post("/api/locations/", {"name": "Hall"}).status_code == 429
    assert location_rows(site) == []


@limited
def test_the_budget_is_per_user(tech_api, manager_api):
    for _ in range(4):
        tech_api.get("/api/user/me/")
    response = manager_api.get("/api/user/me/")
    assert response.status_code == 200 and response["X-RateLimit-Remaining"] == "2"


@limited
def test_the_budget_is_shared_by_all_of_a_users_tokens(tech_user, api_for):
    for _ in range(3):
        assert api_for(tech_user).get("/api/user/me/").status_code == 200
    assert api_for(tech_user).get("/api/user/me/").status_code == 429


@limited
def test_the_budget_renews_in_the_next_window(tech_api, monkeypatch):
    for _ in range(4):
        tech_api.get("/api/user/me/")
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: NOW + 60))
    assert tech_api.get("/api/user/me/").status_code == 200


@limited
def test_anonymous_requests_are_limited_per_address(anon_api, db):
    for _ in range(2):
        assert anon_api.get("/api/", REMOTE_ADDR="10.0.0.1").status_code == 200
    refused = anon_api.get("/api/", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429 and refused["X-RateLimit-Limit"] == "2"
    assert anon_api.get("/api/", REMOTE_ADDR="10.0.0.2").status_code == 200


@limited
def test_anonymous_callers_cannot_dodge_the_limit_with_a_forwarded_for_header(anon_api, db):
    for i in range(2):
        anon_api.get("/api/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    response = anon_api.get("/api/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@limited
def test_each_batch_operation_counts_against_the_budget(tech_api):
    ops = [{"method": "GET", "url": "/api/user/me/"}] * 3
    response = tech_api.post("/api/batch/", {"ops": ops})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [200, 200, 429]


def test_the_limit_is_read_when_the_request_arrives(tech_api):
    with override_settings(API_RATE_LIMIT=1):
        assert tech_api.get("/api/user/me/")["X-RateLimit-Limit"] == "1"
    with override_settings(API_RATE_LIMIT=7):
        assert tech_api.get("/api/user/me/")["X-RateLimit-Limit"] == "7"
