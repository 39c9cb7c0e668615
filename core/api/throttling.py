"""Per-user request limits over a fixed window, counted in the shared cache (Redis in production).

The counters live in the cache, not in process memory, so several web processes on several hosts
share one budget per user. The numbers are kept on the request for ``RateLimitHeadersMiddleware``.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


def count_request(key: str, ttl: int) -> int:
    """Add one to the counter ``key`` (kept ``ttl`` seconds) and return its new value.

    On Redis this is one round trip: ``INCR`` and ``EXPIRE`` in a pipeline. Django's cache API
    takes three (``add`` to create the key, then ``incr``, which first asks whether the key
    exists), on every API request. Elsewhere (the cache in process memory) it is ``add`` and
    ``incr``."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        # The client of Django's Redis backend: its public methods cannot pipeline.
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        count, _expiry_set = pipeline.incr(full_key).expire(full_key, ttl).execute()
        return count
    backend.add(key, 0, timeout=ttl)
    try:
        return backend.incr(key)
    except ValueError:  # the key expired between add() and incr()
        backend.add(key, 1, timeout=ttl)
        return 1


class WindowRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        user = request.user
        if user is not None and user.is_authenticated:
            ident, limit = f"user:{user.pk}", settings.API_RATE_LIMIT
        else:
            ident, limit = f"addr:{self.get_ident(request)}", settings.API_RATE_LIMIT_ANON
        window = settings.API_RATE_WINDOW
        now = time.time()
        start = int(now // window) * window
        count = count_request(f"ratelimit:{ident}:{start}", ttl=window + 5)
        reset = start + window
        request._request.rate_limit = (limit, max(0, limit - count), reset)
        self._wait = max(1.0, reset - now)
        return count <= limit

    def wait(self) -> float:
        return self._wait

    def get_ident(self, request) -> str:
        """The client address. X-Forwarded-For counts only behind as many proxies as
        ``NUM_PROXIES`` names; trusted blindly, any client could pick a fresh budget per request.
        """
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)
