"""The wishlist's retry schedule: every ``interval_s`` (default 6 h), a bounded, paced pass.

The app calls :meth:`WishlistScheduler.start` on startup and :meth:`stop` on
shutdown. Each pass reconciles entries whose downloads finished, then queues
the due entries (at most ``WishlistService.max_per_pass``; the slskd client
paces the searches themselves).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import sqlalchemy as sa

from soulsync.services.wishlist.service import WishlistError, WishlistService

__all__ = ["WishlistScheduler"]

log = logging.getLogger(__name__)


class WishlistScheduler:
    """Retries due wishlist entries every ``interval_s`` (default 6 h) until stopped.

    The app calls :meth:`start` on startup and :meth:`stop` on shutdown; the
    web UI can show :attr:`running` and :attr:`next_run_at`.
    """

    def __init__(self, wishlist: WishlistService, interval_s: float = 6 * 3600) -> None:
        if interval_s <= 0:
            raise ValueError(
                "interval_s must be positive (turn the schedule off by not starting it)"
            )
        self.wishlist = wishlist
        self.interval_s = interval_s
        self.next_run_at: float | None = None
        self.last_run_at: float | None = None
        self.last_error: str | None = None
        self.passes = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while the schedule is active."""
        return self._task is not None and not self._task.done()

    def start(self, *, first_delay_s: float | None = None) -> None:
        """Start the schedule (no-op if running). The first pass is after ``first_delay_s``
        (default: one interval)."""
        if self.running:
            return
        delay = self.interval_s if first_delay_s is None else max(0.0, first_delay_s)
        self.next_run_at = time.time() + delay
        self._task = asyncio.create_task(self._loop(delay), name="wishlist-scheduler")

    async def stop(self) -> None:
        """Stop the schedule and wait for a pass in progress to be cancelled."""
        task, self._task = self._task, None
        self.next_run_at = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self) -> list[int]:
        """One pass now: reconcile, then retry the due entries. Returns the job ids queued."""
        self.last_run_at = time.time()
        self.passes += 1
        await self.wishlist.reconcile()
        return await self.wishlist.retry(only_due=True)

    async def _loop(self, delay: float) -> None:
        while True:
            await asyncio.sleep(delay)
            try:
                await self.run_once()
                self.last_error = None
            except WishlistError as exc:
                self.last_error = str(exc)
                log.warning("wishlist retry pass skipped: %s", exc)
            except (OSError, sa.exc.SQLAlchemyError) as exc:
                # A transient failure must not kill the schedule; the next pass retries.
                self.last_error = str(exc)
                log.warning("wishlist retry pass failed: %s", exc)
            delay = self.interval_s
            self.next_run_at = time.time() + delay
