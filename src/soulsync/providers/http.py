"""Shared helpers for gentle HTTP clients: pacing, windows, backoff, cache, cool-downs.

Spotify and Deezer both punish bursts (Spotify with a quota that locks the
account for hours, Deezer with a 50-per-5-s wall), so every call goes through
a pacer or a window limiter, every GET is cached in the store, and a long
"come back later" becomes a cool-down state stored in the database where the
rest of the app (web UI, facade) can see it.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from soulsync.store import Store

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY


class Pacer:
    """One request at a time, each at least ``min_gap_s`` after the previous one ended.

    Use ``async with pacer:`` around the whole request, including any wait a
    429 asks for, so nothing else reaches the service in the meantime.
    """

    def __init__(self, min_gap_s: float) -> None:
        self.min_gap_s = min_gap_s
        self._lock = asyncio.Lock()
        self._last = 0.0

    async def __aenter__(self) -> Pacer:
        await self._lock.acquire()
        wait = self._last + self.min_gap_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._last = time.monotonic()
        self._lock.release()


class WindowLimiter:
    """At most ``max_requests`` starts in any rolling ``window_s`` seconds."""

    def __init__(self, max_requests: int, window_s: float) -> None:
        self.max_requests = max_requests
        self.window_s = window_s
        self._starts: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then record it."""
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._starts and self._starts[0] <= now - self.window_s:
                    self._starts.popleft()
                if len(self._starts) < self.max_requests:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self._starts[0] + self.window_s - now + 0.01)


def backoff_delay(attempt: int, base_s: float = 0.5, cap_s: float = 8.0) -> float:
    """Exponential backoff with jitter for retry number ``attempt`` (0-based)."""
    ceiling = min(cap_s, base_s * (2**attempt))
    # Half fixed, half random: spreads retries without ever retrying instantly.
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def cache_key(path: str, params: dict[str, Any] | None = None) -> str:
    """A stable cache key for a GET: path plus sorted query parameters."""
    if not params:
        return path
    return f"{path}?{urlencode(sorted((k, str(v)) for k, v in params.items()))}"


class JsonCache:
    """JSON values in the store's ``http_cache`` table under one namespace.

    SQLite calls run in a worker thread so the event loop never blocks on disk.
    """

    def __init__(self, store: Store, namespace: str) -> None:
        self.store = store
        self.namespace = namespace
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> Any | None:
        """The cached value, or None when absent or expired."""
        raw = await asyncio.to_thread(self.store.cache_get, self.namespace, key)
        if raw is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(raw)

    async def put(self, key: str, value: Any, ttl_s: float | None) -> None:
        """Store ``value`` for ``ttl_s`` seconds (None = until replaced)."""
        payload = json.dumps(value, separators=(",", ":"))
        await asyncio.to_thread(self.store.cache_put, self.namespace, key, payload, ttl_s)


@dataclass(frozen=True, slots=True)
class Cooldown:
    """A service resting after it told us to stop (quota exceeded, long Retry-After)."""

    service: str
    until: float  # epoch seconds
    reason: str

    @property
    def remaining_s(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.until - time.time())


class CooldownState:
    """Reads and writes ``<service>.cooldown_until`` / ``<service>.cooldown_reason`` settings.

    Stored in the database (not in memory) so every part of the app, and the
    next process after a restart, sees the same state and keeps off the service.
    """

    def __init__(self, store: Store, service: str) -> None:
        self.store = store
        self.service = service
        self.until_key = f"{service}.cooldown_until"
        self.reason_key = f"{service}.cooldown_reason"

    def current(self) -> Cooldown | None:
        """The active cool-down, or None when the service may be used."""
        until = self.store.get_setting(self.until_key)
        if until is None or float(until) <= time.time():
            return None
        reason = str(self.store.get_setting(self.reason_key, "rate limited"))
        return Cooldown(self.service, float(until), reason)

    def start(self, seconds: float, reason: str) -> Cooldown:
        """Begin (or extend) a cool-down of ``seconds`` from now."""
        until = time.time() + seconds
        existing = self.current()
        if existing is not None and existing.until > until:
            return existing
        self.store.set_setting(self.until_key, until)
        self.store.set_setting(self.reason_key, reason)
        self.store.add_activity(
            f"{self.service}.cooldown",
            f"{self.service} is cooling down for {seconds / 60:.0f} min: {reason}",
            {"until": until, "reason": reason},
        )
        return Cooldown(self.service, until, reason)

    def clear(self) -> None:
        """End the cool-down now (e.g. the user insists)."""
        self.store.delete_setting(self.until_key)
        self.store.delete_setting(self.reason_key)
