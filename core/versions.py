"""Data versions: a token per site and kind of data that changes after every committed write of it.

Expensive answers that depend only on that data (the exact count of a site's 100,000 stock items,
say) are cached together with the tokens they were computed under (``cached_answer``) and are
therefore never stale: a write makes a new token, and the next reader, finding the stored tokens
differ, computes the answer afresh. The token is random, not a counter, so a token lost from the
cache (eviction, a restart) can never bring back an answer cached under an older one.

The tokens live in the default cache: several web processes need a shared cache (Redis, as for
the rate limits); a single embedded process is fine with its own memory.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import QuerySet

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
    """Call inside the writing transaction (or after the write, outside one). The token changes
    once the write has committed: from then on every reader computes afresh. Until then the
    writing transaction itself reads past the cache (``cached_answer``), so that it sees its own
    write; everyone else sees the committed data, which the old token still describes.

    One cache write per change. (Renewing the token at the write as well, so that the writer
    would see its own change, cost every stock action a second round trip to Redis.)"""
    transaction.on_commit(_Renewal(site_id, topic))


@dataclass(frozen=True)
class _Renewal:
    """The new token of a topic, due when the transaction that changed it commits."""

    site_id: int
    topic: str

    def __call__(self) -> None:
        cache.set(_key(self.site_id, self.topic), uuid.uuid4().hex, TIMEOUT)


def _changed_in_this_transaction(site_id: int, topics: tuple[str, ...]) -> bool:
    """Whether the open transaction changed one of ``topics``: a renewal of it is still waiting
    for the commit. (Django drops the callbacks of a rolled-back transaction or savepoint, so a
    write that was undone no longer counts.)"""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(
        isinstance(callback, _Renewal) and callback.site_id == site_id and callback.topic in topics
        for _savepoints, callback, _robust in connection.run_on_commit
    )


def cached_answer(versioned: Versioned, parts: tuple[str, ...], compute: Callable, timeout: int):
    """The answer about ``versioned`` (site id, the topic or topics it depends on) that ``parts``
    name, from the cache if it was computed since the last write of that data, else ``compute()``
    stored for the next reader (see ``CachedAnswer``)."""
    return CachedAnswer(versioned, parts, timeout).get(compute)


class CachedAnswer:
    """One answer about ``versioned`` data, cached with the tokens it was computed under.

    ``get`` is one round trip to the cache for a hit: the topics' tokens and the stored answer
    are read together, and the answer is used only if it was stored with the tokens read now.
    (Keying the answer by the tokens instead takes two: the tokens first, then the answer.)
    ``put`` stores a changed answer (more known about the same data) under the tokens ``get``
    read, so it is dropped as soon as any of them changes."""

    def __init__(self, versioned: Versioned, parts: tuple[str, ...], timeout: int):
        site_id, topics = versioned
        self.site_id, self.timeout = site_id, timeout
        self.topics = (topics,) if isinstance(topics, str) else topics
        digest = hashlib.sha1("\x1f".join((*self.topics, *parts)).encode()).hexdigest()
        self.key = f"versioned:{site_id}:{digest}"
        self.tokens: tuple | None = None  # None: not to be stored (our own uncommitted write)

    def get(self, compute: Callable):
        if _changed_in_this_transaction(self.site_id, self.topics):
            return compute()  # our own uncommitted write: no one else may read this answer
        token_keys = [_key(self.site_id, topic) for topic in self.topics]
        found = cache.get_many([*token_keys, self.key])
        tokens = tuple(found.get(key) for key in token_keys)
        if None in tokens:  # a topic nobody has read or written lately
            tokens = tuple(data_versions(self.site_id, self.topics).values())
        self.tokens = tokens
        stored = found.get(self.key)
        if stored is not None and stored[0] == tokens:
            return stored[1]
        answer = compute()
        self.put(answer)
        return answer

    @classmethod
    def about_query(
        cls, versioned: Versioned, what: str, queryset: QuerySet, timeout: int
    ) -> "CachedAnswer | None":
        """The answer ``what`` about ``queryset`` (a count, a total, a select's options), keyed
        by its SQL; None for a queryset that can match nothing (another site's location): it
        has no SQL, and Django answers it without asking the database, so there is nothing to
        cache."""
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return None
        return cls(versioned, (what, sql, repr(params)), timeout)

    def put(self, answer) -> None:
        if self.tokens is not None:
            cache.set(self.key, (self.tokens, answer), self.timeout)
