"""The process-wide Soulseek search pacer.

The Soulseek server bans an account for 30 minutes after too many searches in
a short time, and slskd (0.24+) answers 429 when a second search is posted
while one is being created. So every search SoulSync sends goes through one
:class:`SearchPacer`:

* a **window budget**: at most ``max_per_window`` searches per ``window_s``,
  refilled all at once when the window is over (sldl's default, 34 per 220 s);
* a **minimum gap** between two search POSTs, because bursts also trip ISP
  anti-abuse filters;
* **one POST at a time** (an asyncio lock per event loop);
* a **429 is retried** with exponential backoff (bounded), without spending
  a permit, since slskd did not start that search.

The clock and the sleep function are injected so the rules can be tested
with a fake clock. :func:`shared_pacer` returns the one instance every caller
in the process uses. With a :class:`SearchLedger` attached (the SQLite one in
:mod:`soulsync.providers.slskd_ledger`), the window is a sliding one kept in
the database: shared by every process and kept across restarts. ``on_wait``
is told whenever a search has to wait for the budget, so the wait can be shown.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

T = TypeVar("T")


class SearchRejected(Exception):
    """Raised by a search attempt that slskd answered with 429 (retry later)."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("slskd refused the search (429)")
        self.retry_after = retry_after


class PacerExhausted(Exception):
    """Every retry after a 429 was refused too."""

    def __init__(self, attempts: int, waited_s: float) -> None:
        super().__init__(
            f"slskd kept refusing the search (429) after {attempts} attempts over {waited_s:.0f}s"
        )
        self.attempts = attempts
        self.waited_s = waited_s


@dataclass(frozen=True, slots=True)
class PacerSettings:
    """How politely to search; defaults follow sldl plus a small gap."""

    max_per_window: int = 34
    window_s: float = 220.0
    min_gap_s: float = 2.0
    max_retries: int = 5  # after a 429
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0


class LedgerReservation(Protocol):
    """A permit (``row_id``) or how long to wait for one."""

    @property
    def row_id(self) -> int | None: ...

    @property
    def wait_s(self) -> float: ...


class SearchLedger(Protocol):
    """Search permits shared by processes (see :mod:`soulsync.providers.slskd_ledger`)."""

    def reserve(
        self, max_per_window: int, window_s: float, min_gap_s: float
    ) -> LedgerReservation: ...

    def release(self, row_id: int) -> None: ...


class SearchPacer:
    """Decides when the next search may be posted; see the module docstring."""

    ledger: SearchLedger | None = None
    on_wait: Callable[[float], None] | None = None

    def __init__(
        self,
        settings: PacerSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings or PacerSettings()
        self._clock = clock
        self._sleep = sleep
        self._window_start: float | None = None
        self._used = 0
        self._last_post: float | None = None
        self.posted = 0  # searches slskd accepted
        self.rejected = 0  # 429s seen
        # asyncio locks belong to one event loop; keep one per loop so a pacer
        # shared by the process also works when tests run several loops.
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._locks_guard = threading.Lock()

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._locks_guard:
            lock = self._locks.get(loop)
            if lock is None:
                lock = self._locks[loop] = asyncio.Lock()
            return lock

    # -- the rules -------------------------------------------------------------------

    def delay_needed(self) -> float:
        """Seconds to wait before the next POST is allowed (0 if it may go now)."""
        now = self._clock()
        wait = 0.0
        s = self.settings
        in_window = self._window_start is not None and now - self._window_start < s.window_s
        if in_window and self._used >= s.max_per_window:
            assert self._window_start is not None
            wait = self._window_start + s.window_s - now
        if self._last_post is not None:
            wait = max(wait, self._last_post + s.min_gap_s - now)
        return max(0.0, wait)

    def _take_permit(self) -> None:
        now = self._clock()
        s = self.settings
        if self._window_start is None or now - self._window_start >= s.window_s:
            # The window refills all at once; a new one starts with this search.
            self._window_start = now
            self._used = 0
        self._used += 1

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Delay before retry number ``attempt`` (0-based) after a 429."""
        s = self.settings
        delay = min(s.backoff_max_s, s.backoff_base_s * (2**attempt))
        if retry_after is not None:
            delay = max(delay, min(retry_after, s.backoff_max_s))
        return delay

    @property
    def used_in_window(self) -> int:
        """Searches counted in the current window."""
        if (
            self._window_start is None
            or self._clock() - self._window_start >= self.settings.window_s
        ):
            return 0
        return self._used

    # -- running a search POST -------------------------------------------------------

    async def _wait_for_permit(self) -> int | None:
        """Sleep until the rules allow a POST; the ledger permit's id, if a ledger is used."""
        s = self.settings
        ledger = self.ledger
        if ledger is None:
            delay = self.delay_needed()
            if delay > 0:
                self._tell_wait(delay)
                await self._sleep(delay)
            return None
        while True:
            reservation = await asyncio.to_thread(
                ledger.reserve, s.max_per_window, s.window_s, s.min_gap_s
            )
            if reservation.row_id is not None:
                return reservation.row_id
            self._tell_wait(reservation.wait_s)
            await self._sleep(reservation.wait_s)

    def _tell_wait(self, seconds: float) -> None:
        # Only waits for the budget are worth telling (not the short gap).
        if self.on_wait is not None and seconds > self.settings.min_gap_s:
            self.on_wait(seconds)

    async def run(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run one search POST when the rules allow it; retry it after a 429.

        ``attempt`` performs the POST and raises :class:`SearchRejected` on a
        429. The lock is held for the whole sequence, including backoff
        waits, since slskd would refuse any other search meanwhile too.

        Raises:
            PacerExhausted: the POST was refused ``max_retries + 1`` times.
        """
        s = self.settings
        waited = 0.0
        async with self._lock():
            for n in range(s.max_retries + 1):
                permit = await self._wait_for_permit()
                self._last_post = self._clock()
                try:
                    result = await attempt()
                except SearchRejected as rejected:
                    if permit is not None and self.ledger is not None:
                        await asyncio.to_thread(self.ledger.release, permit)
                    self.rejected += 1
                    if n == s.max_retries:
                        break
                    pause = self.backoff(n, rejected.retry_after)
                    waited += pause
                    await self._sleep(pause)
                    continue
                self._take_permit()
                self.posted += 1
                return result
        raise PacerExhausted(s.max_retries + 1, waited)


_shared: SearchPacer | None = None
_shared_guard = threading.Lock()


def shared_pacer(settings: PacerSettings | None = None) -> SearchPacer:
    """The process-wide pacer (created on first use; later calls may update its settings)."""
    global _shared
    with _shared_guard:
        if _shared is None:
            _shared = SearchPacer(settings)
        elif settings is not None:
            _shared.settings = settings
        return _shared
