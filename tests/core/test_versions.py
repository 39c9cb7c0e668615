"""Answers cached under data versions (``core.versions.cached_answer``) and the Redis cache
backend they are read through (``core.cache``)."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from core.versions import _key, cached_answer, data_changed, data_version
from tests.helpers import ON_BOTH

pytestmark = pytest.mark.django_db


class Counter:
    """A computation that says how often it ran."""

    def __init__(self):
        self.runs = 0

    def __call__(self):
        self.runs += 1
        return f"answer {self.runs}"


def ask(site_id, compute, topics=("stock",), parts=("q",)):
    return cached_answer((site_id, topics), parts, compute, 60)


@ON_BOTH
def test_an_answer_is_reused_until_its_data_changes(site, database):
    compute = Counter()
    assert ask(site.pk, compute) == "answer 1"
    assert ask(site.pk, compute) == "answer 1"

    data_changed(site.pk, "stock")

    assert ask(site.pk, compute) == "answer 2"
    assert compute.runs == 2


@ON_BOTH
def test_a_change_to_any_topic_of_an_answer_renews_it(site, database):
    compute = Counter()
    ask(site.pk, compute, topics=("parts", "stock"))
    data_changed(site.pk, "parts")
    assert ask(site.pk, compute, topics=("parts", "stock")) == "answer 2"


@ON_BOTH
def test_answers_are_kept_apart_by_site_question_and_topic(site, other_site, database):
    compute = Counter()
    ask(site.pk, compute)
    ask(other_site.pk, compute)
    ask(site.pk, compute, parts=("another question",))
    ask(site.pk, compute, topics=("parts",))
    assert compute.runs == 4

    data_changed(other_site.pk, "stock")
    assert ask(site.pk, compute) == "answer 1"


@ON_BOTH
def test_a_lost_token_never_brings_back_an_old_answer(site, database):
    """The cache may evict a token (or restart); the answer stored with it must not count as
    current for the token made in its place."""
    compute = Counter()
    ask(site.pk, compute)
    cache.delete(_key(site.pk, "stock"))

    assert ask(site.pk, compute) == "answer 2"
    assert ask(site.pk, compute) == "answer 2"


class Boom(Exception):
    pass


@pytest.fixture
def asked(site):
    """An answer about the site's stock, asked once (``answer 1``), and the stock token then."""
    compute = Counter()
    ask(site.pk, compute)
    return compute, data_version(site.pk, "stock")


@ON_BOTH
@pytest.mark.django_db(transaction=True)
def test_a_writer_sees_its_own_change_and_others_see_it_once_committed(site, asked, database):
    compute, token = asked

    with transaction.atomic():
        data_changed(site.pk, "stock")
        assert data_version(site.pk, "stock") == token  # not committed: nothing to see yet
        assert ask(site.pk, compute) == "answer 2"  # the writer reads its own write
        assert ask(site.pk, compute) == "answer 3"  # ... and caches nothing from it

    assert data_version(site.pk, "stock") != token
    assert ask(site.pk, compute) == "answer 4"
    assert ask(site.pk, compute) == "answer 4"


@ON_BOTH
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_changes_nothing(site, asked, database):
    compute, token = asked

    with pytest.raises(Boom), transaction.atomic():
        data_changed(site.pk, "stock")
        raise Boom

    assert data_version(site.pk, "stock") == token
    assert ask(site.pk, compute) == "answer 1"


@pytest.mark.postgres
def test_on_redis_a_cached_answer_is_one_round_trip_through_one_client(site):
    backend = caches["default"]
    assert isinstance(backend, RedisCache), "the second stage runs with Redis (REDIS_URL)"
    client = backend._cache.get_client(None)
    assert backend._cache.get_client(None, write=True) is client  # built once, not per call
    question = (uuid.uuid4().hex,)
    ask(site.pk, Counter(), parts=question)

    def commands() -> int:
        stats = client.info("commandstats")
        return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")

    before = commands()
    assert ask(site.pk, Counter(), parts=question) == "answer 1"
    assert commands() - before == 1  # MGET of the token and the stored answer
