"""Data versions: a token per site and kind of data that changes after every committed write of it.

Expensive answers that depend only on that data (the exact count of a site's 100,000 stock items,
say) are cached under the current token (``versioned_key``) and are therefore never stale: a
write makes a new token, and the next reader computes the answer afresh. The token is random, not
a counter, so a token lost from the cache (eviction, a restart) can never bring back an answer
cached under an older one.

The tokens live in the default cache: several web processes need a shared cache (Redis, as for
the rate limits); a single embedded process is fine with its own memory.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 24 * 3600  # an idle token may go; a new one is simply made

# (site id, topic or topics): what a cached answer depends on.
Versioned = tuple[int, str | tuple[str, ...]]


def _key(site_id: int, topic: str) -> str:
    return f"dataversion:{site_id}:{topic}"


def data_version(site_id: int, topic: str) -> str:
    return data_versions(site_id, (topic,))[topic]


def data_versions(site_id: int, topics: tuple[str, ...]) -> dict[str, str]:
    """The current token of each topic, read in one round trip to the cache (a list of parts
    depends on three); a topic without one gets one."""
    keys = {_key(site_id, topic): topic for topic in topics}
    found = cache.get_many(list(keys))
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=TIMEOUT)
            found[key] = cache.get(key)
    return {topic: found[key] for key, topic in keys.items()}


def data_changed(site_id: int, topic: str) -> None:
    """Call inside the writing transaction. The token changes now and again once the write has
    committed: an answer a reader cached in between (from before the commit) is left behind
    with the middle token."""

    def renew() -> None:
        cache.set(_key(site_id, topic), uuid.uuid4().hex, TIMEOUT)

    renew()
    transaction.on_commit(renew)


def versioned_key(site_id: int, topics: str | tuple[str, ...], *parts: str) -> str:
    """A cache key for an answer about ``topics`` at the site (one kind of data, or several an
    answer depends on), valid until the next write of any of them."""
    topics = (topics,) if isinstance(topics, str) else topics
    versions = ":".join(f"{t}={token}" for t, token in data_versions(site_id, topics).items())
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()
    return f"versioned:{site_id}:{versions}:{digest}"
