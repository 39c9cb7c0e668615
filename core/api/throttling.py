"""Per-user request limits over a fixed window, counted in the shared cache (Redis in production).

The counters live in the cache, not in process memory, so several web processes on several hosts
share one budget per user. The numbers are kept on the request for ``RateLimitHeadersMiddleware``.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


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
        key = f"ratelimit:{ident}:{start}"
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.add(key, 1, timeout=window + 5)
            count = 1
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
