"""A Redis cache the site survives losing.

Redis holds what is worth keeping but never worth an error page: rate-limit counters and
sign-in lockouts, REST framework's throttles, Wagtail's site and locale lookups, and the page
cache. Everything reads it through Django's cache API, so this is the one place that decides
what happens when Redis does not answer. ``ResilientRedisCache`` (the backend ``settings``
configures for every Redis cache) then answers as an empty cache would: reads miss, writes are
dropped, ``add`` succeeds (so a lock or a first count goes ahead) and ``incr`` finds no key.
Rate limits therefore let requests through and pages are rendered uncached. It logs once when
a server stops answering and once when it is back, not once per request, and while it is down
only one request every ``RETRY_SECONDS`` (per process) tries it again, so a Redis that hangs
does not add its timeout to every request.

Two limits must hold or refuse rather than let requests through: counting failed sign-ins
(password guessing) and issuing API tokens. The code that applies them runs inside
``cache_required()``, where a cache that does not answer raises ``CacheUnavailable``;
``core.security.RequestGuardMiddleware`` answers that with a 503 (an HTML page, or the
API's JSON error shape).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
# What a server that is down, restarting, still loading its data or cut off looks like.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_required: ContextVar[bool] = ContextVar("pipeline_cache_required", default=False)
_lock = threading.Lock()
_down_until: dict[tuple[str, ...], float] = {}  # servers → when to try them again


class CacheUnavailable(Exception):
    """The cache did not answer inside ``cache_required()``."""


@contextmanager
def cache_required() -> Iterator[None]:
    """Inside, a cache that does not answer raises ``CacheUnavailable`` instead of being
    passed over: for the limits that must hold (sign-in attempts, token issue)."""
    token = _required.set(True)
    try:
        yield
    finally:
        _required.reset(token)


def _where(servers: tuple[str, ...]) -> str:
    """The servers as host:port/db, without any password in their URLs."""
    return ", ".join(
        f"{parts.hostname}:{parts.port or 6379}{parts.path or ''}"
        for parts in (urlsplit(url) for url in servers)
    )


def _went_down(servers: tuple[str, ...], error: Exception) -> None:
    with _lock:
        first = servers not in _down_until
        _down_until[servers] = time.monotonic() + RETRY_SECONDS
    if first:
        logger.error(
            "Cache %s is not answering (%s): serving without it until it is back.",
            _where(servers),
            error,
        )


def _answered(servers: tuple[str, ...]) -> None:
    if servers in _down_until:
        with _lock:
            was_down = _down_until.pop(servers, None) is not None
        if was_down:
            logger.warning("Cache %s answers again.", _where(servers))


def _or(fallback: Callable[..., object]) -> Callable:
    """Run the Redis command; if the server does not answer, return ``fallback(*args)``."""

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def resilient(self: ResilientRedisCacheClient, *args):
            servers = self._server_key
            required = _required.get()
            if not required and time.monotonic() < _down_until.get(servers, 0.0):
                return fallback(*args)  # down a moment ago: do not wait for it again yet
            try:
                result = method(self, *args)
            except UNREACHABLE as error:
                _went_down(servers, error)
                if required:
                    raise CacheUnavailable(_where(servers)) from error
                return fallback(*args)
            _answered(servers)
            return result

        return resilient

    return decorate


def _missing_key(key, delta):
    raise ValueError(f"Key '{key}' not found.")  # what incr says of a key it cannot find


class ResilientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, answering as an empty cache when the server does not answer."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._server_key = tuple(servers)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        """One ``redis.Redis`` per server, kept: Django builds a new one on every call, and
        each builds its table of ~170 reply handlers (a third of a millisecond, five times a
        request). A ``Redis`` takes a pooled connection per command, so it is safe to share."""
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client

    @_or(lambda key, value, timeout: True)
    def add(self, key, value, timeout):
        return super().add(key, value, timeout)

    @_or(lambda key, default: default)
    def get(self, key, default):
        return super().get(key, default)

    @_or(lambda key, value, timeout: None)
    def set(self, key, value, timeout):
        return super().set(key, value, timeout)

    @_or(lambda key, timeout: False)
    def touch(self, key, timeout):
        return super().touch(key, timeout)

    @_or(lambda key: False)
    def delete(self, key):
        return super().delete(key)

    @_or(lambda keys: {})
    def get_many(self, keys):
        return super().get_many(keys)

    @_or(lambda key: False)
    def has_key(self, key):
        return super().has_key(key)

    @_or(_missing_key)
    def incr(self, key, delta):
        return super().incr(key, delta)

    @_or(lambda data, timeout: None)
    def set_many(self, data, timeout):
        return super().set_many(data, timeout)

    @_or(lambda keys: None)
    def delete_many(self, keys):
        return super().delete_many(keys)

    @_or(lambda: False)
    def clear(self):
        return super().clear()

    @_or(lambda keys, start: None)
    def increment_all(self, keys, start):
        client = self.get_client(keys[0], write=True)
        with client.pipeline() as pipe:  # MULTI … EXEC: all or none
            for key in keys:
                pipe.set(key, start, nx=True)
                pipe.incr(key)
            return pipe.execute()[1::2]

    @_or(lambda key, timeout: 0)
    def count(self, key, timeout):
        client = self.get_client(key, write=True)
        with client.pipeline() as pipe:  # MULTI … EXEC: both or neither
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that the site survives losing."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Nothing to check: Redis takes any key. Django scans each key for memcached's limits
        (250 characters, no spaces), which cost a listing 0.3 ms for its 100 keys."""

    def count(self, key: str, timeout: int, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        return self._cache.count(key, timeout)

    def increment_all(self, keys: list[str], start: int, version=None) -> list[int] | None:
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        return self._cache.increment_all(keys, start) if keys else []


def count(cache, key: str, timeout: int) -> int:
    """Add one to the counter at ``key``, started (to expire after ``timeout`` seconds) if it is
    not there, and return it; atomic across app servers. On Redis one round trip (Django's own
    ``add`` then ``incr`` take three); 0 when Redis does not answer (so the request goes ahead),
    unless inside ``cache_required()``."""
    counting = getattr(cache, "count", None)  # ``cache`` may be django.core.cache's proxy
    if counting is not None:
        return counting(key, timeout)
    return _add_and_incr(cache, key, 0, timeout)


def _add_and_incr(cache, key: str, start: int, timeout: int | None) -> int:
    """Django's ``add`` then ``incr``, for a cache other than ours: a key that expired or was
    evicted between the two is set to what ``incr`` would have given."""
    cache.add(key, start, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, start + 1, timeout=timeout)
        return start + 1


def increment_all(cache, keys: list[str], start: int) -> list[int] | None:
    """Add one to each counter at ``keys``, kept for good, starting any that is not there at
    ``start`` (so ``start + 1``), and return their new values; None when Redis does not answer.
    On Redis one round trip for them all (Django's ``incr`` takes two for each key)."""
    incrementing = getattr(cache, "increment_all", None)  # ``cache`` may be a proxy or local
    if incrementing is not None:
        return incrementing(keys, start)
    return [_add_and_incr(cache, key, start, None) for key in keys]
