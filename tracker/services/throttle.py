"""Rate limits kept in Django's cache: how many times something happened in a window, per key.

Used for password-reset e-mails (per address and per client) and for failed sign-ins per client address across
user names (django-axes counts per user name and address). The limits are settings, so tests and benchmarks
can raise them. With the default local-memory cache each server process counts on its own; a shared cache
(Redis, Memcached, the database cache) makes the limits global.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    # Hashed: a cache key holds no e-mail address or IP address in clear, and any length fits.
    return f"throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def count(kind: str, value: str) -> int:
    """How many times ``kind`` happened for ``value`` in its current window."""
    return int(cache.get(_key(kind, value), 0))


def hit(kind: str, value: str, *, window_seconds: int) -> int:
    """Count one more ``kind`` for ``value``; returns the count in the window (which starts at the first hit)."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def allow(kind: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more ``kind`` for ``value`` and say whether it is within ``limit`` in the window."""
    return hit(kind, value, window_seconds=window_seconds) <= limit
