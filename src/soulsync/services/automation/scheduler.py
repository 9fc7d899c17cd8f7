"""The automation scheduler: due playlist syncs one at a time, and artist checks.

Every ``tick_s`` it reads the due schedules from SQLite (so a restart loses
nothing: a schedule that fell due while the process was down runs at the
first tick), and runs them one after another, waiting for each sync to end
before starting the next, with a random pause in between. That keeps the
Spotify quota, the Soulseek search budget and the media server from being
flooded by many playlists set to the same hour. The artist watchlist is
checked every ``watch_interval_s``; the time of the last check is stored too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from soulsync.services.automation.notify import Notification
from soulsync.services.automation.schedules import Schedule, ScheduleStore, next_run
from soulsync.services.automation.watchlist import WatchlistService
from soulsync.services.sync.models import RunState
from soulsync.services.sync.service import SyncService
from soulsync.store import Store

__all__ = ["AutomationScheduler"]

log = logging.getLogger(__name__)

WATCH_CHECKED_KEY = "automation.watch_checked_at"


class AutomationScheduler:
    """Runs due sync schedules (serially, jittered) and periodic watchlist checks."""

    def __init__(
        self,
        store: Store,
        sync: SyncService,
        *,
        watchlist: WatchlistService | None = None,
        notify: Callable[[Notification], Awaitable[Any]] | None = None,
        tick_s: float = 60.0,
        jitter_s: float = 300.0,
        pause_s: float = 5.0,
        watch_interval_s: float = 12 * 3600,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.sync = sync
        self.schedules = ScheduleStore(store)
        self.watchlist = watchlist
        self.notify = notify
        self.tick_s = tick_s
        self.jitter_s = jitter_s
        self.pause_s = pause_s
        self.watch_interval_s = watch_interval_s
        self.rng = rng or random.Random()
        self.last_error: str | None = None
        self.runs_started = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while the loop is active."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop (no-op when running); the first tick is immediate."""
        if self.running:
            return
        self._task = asyncio.create_task(self._loop(), name="automation-scheduler")

    async def stop(self) -> None:
        """Stop the loop; a sync it started keeps its own resumable state."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("automation tick failed")
            await asyncio.sleep(self.tick_s)

    async def tick(self, now: float | None = None) -> list[str]:
        """One pass: every due schedule in turn, then the watchlist if its time has come.

        Returns the run ids started.
        """
        started: list[str] = []
        due = self.schedules.due(now)
        for n, schedule in enumerate(due):
            if n > 0 and self.pause_s > 0:
                await asyncio.sleep(self.rng.uniform(self.pause_s / 2, self.pause_s))
            run_id = await self.run_schedule(schedule)
            if run_id is not None:
                started.append(run_id)
        await self._maybe_check_watches(now)
        return started

    async def run_schedule(self, schedule: Schedule) -> str | None:
        """Sync one scheduled playlist, wait for the run, store the outcome and the next time."""
        began = time.time()
        run_id: str | None = None
        error: str | None = None
        try:
            run_id = await self.sync.start_sync(
                schedule.playlist_ref, download_missing=schedule.download_missing
            )
            self.runs_started += 1
            record = await self.sync.wait(run_id)
            if record.state is not RunState.COMPLETED:
                error = record.error or f"run {record.state.value}"
            await self._announce(schedule, record.state, record.message, error)
        except Exception as exc:  # noqa: BLE001 - any failure is stored as the schedule's error
            error = str(exc) or type(exc).__name__
            await self._announce(schedule, RunState.FAILED, None, error)
        upcoming = next_run(
            after=max(began, schedule.next_run_at or began),
            every_hours=schedule.every_hours,
            daily_at=schedule.daily_at,
            jitter_s=self.jitter_s,
            rng=self.rng,
        )
        # A long outage must not leave the schedule in the past (one catch-up run only).
        while upcoming <= time.time():
            upcoming = next_run(
                after=upcoming,
                every_hours=schedule.every_hours,
                daily_at=schedule.daily_at,
                jitter_s=0,
            )
        self.schedules.record_run(
            schedule.playlist_id,
            ran_at=began,
            run_id=run_id,
            error=error,
            next_run_at=upcoming,
        )
        log.info(
            "scheduled sync of %r %s; next at %s",
            schedule.playlist_name,
            "failed: " + error if error else "done",
            time.strftime("%Y-%m-%d %H:%M", time.localtime(upcoming)),
        )
        return run_id

    async def _announce(
        self, schedule: Schedule, state: RunState, message: str | None, error: str | None
    ) -> None:
        ok = state is RunState.COMPLETED and error is None
        text = (
            f"Scheduled sync of {schedule.playlist_name}: {message or 'done'}"
            if ok
            else f"Scheduled sync of {schedule.playlist_name} failed: {error}"
        )
        self.store.add_activity(
            "schedule.ran" if ok else "schedule.failed",
            text,
            {"playlist_id": schedule.playlist_id, "ref": schedule.playlist_ref},
        )
        if self.notify is not None:
            await self.notify(
                Notification(
                    "sync.finished" if ok else "sync.failed",
                    f"Sync {'finished' if ok else 'failed'}: {schedule.playlist_name}",
                    text,
                    {"playlist": schedule.playlist_ref, "state": state.value},
                )
            )

    async def _maybe_check_watches(self, now: float | None) -> None:
        if self.watchlist is None or self.watch_interval_s <= 0:
            return
        moment = time.time() if now is None else now
        last = float(self.store.get_setting(WATCH_CHECKED_KEY, 0) or 0)
        if moment - last < self.watch_interval_s:
            return
        self.store.set_setting(WATCH_CHECKED_KEY, moment)
        await self.watchlist.check()

    def next_runs(self) -> dict[int, float | None]:
        """Next run time per scheduled playlist id (for the dashboard)."""
        return {s.playlist_id: s.next_run_at for s in self.schedules.all() if s.enabled}
