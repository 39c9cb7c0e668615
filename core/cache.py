"""The Redis cache backend: Django's, keeping one Redis client per server.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object for every cache operation (its
connection pool is kept; the client object is not). Building one sets up redis-py's table of
~200 response handlers, and on the benchmark machine that doubled the cost of a cache read: a
page does four to six of them (its session, counts, cached options) and every API request one
(its rate-limit counter). A ``redis.Redis`` object holds no connection of its own and is safe to
share between threads, so one per server is kept and reused. (Django's cache handler already
gives each thread its own backend object.)
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # Django's: the writer, or a replica at random
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with a reused client (see the module)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
