"""Forward finished and failed sync runs (manual or scheduled) to the notifier.

It follows ``sync.state`` events on the bus; a run is announced once, when
it first reaches ``completed`` or ``failed`` (cancelled runs are the user's
own doing and are not announced). Dry runs are not announced either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa

from soulsync.services.automation.notify import Notification
from soulsync.services.events import EventBus
from soulsync.services.sync.reports import summary_line
from soulsync.services.sync.store import SyncStore

__all__ = ["SyncNotificationRelay"]

log = logging.getLogger(__name__)


class SyncNotificationRelay:
    """Subscribes to ``sync.state`` and calls ``notify`` once per finished run."""

    def __init__(
        self,
        bus: EventBus,
        sync_store: SyncStore,
        notify: Callable[[Notification], Awaitable[Any]],
    ) -> None:
        self.bus = bus
        self.sync_store = sync_store
        self.notify = notify
        self.announced: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start following the bus (no-op when running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="sync-notification-relay")

    async def stop(self) -> None:
        """Stop following."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _follow(self) -> None:
        async for event in self.bus.subscribe(["sync.state"]):
            state = event.data.get("state")
            run_id = str(event.data.get("run_id") or "")
            if state not in ("completed", "failed") or not run_id or run_id in self.announced:
                continue
            self.announced.add(run_id)
            try:
                await self.announce(run_id)
            except (OSError, ValueError, httpx.HTTPError, sa.exc.SQLAlchemyError):
                # One announcement that cannot be read or sent must not end the relay.
                log.exception("could not announce sync run %s", run_id)

    async def announce(self, run_id: str) -> None:
        """Send the notification for one finished run."""
        run = self.sync_store.get_run(run_id)
        if run is None or run.dry_run:
            return
        ok = run.state.value == "completed"
        await self.notify(
            Notification(
                "sync.finished" if ok else "sync.failed",
                f"Sync {'finished' if ok else 'failed'}: {run.playlist_name}",
                summary_line(run) if ok else f"{run.playlist_name}: {run.error or 'failed'}",
                {
                    "run_id": run.id,
                    "playlist": run.ref,
                    "state": run.state.value,
                    "total": run.total,
                    "owned": run.owned + run.downloaded,
                    "missing": run.missing,
                    "in_server_playlist": run.in_server_playlist,
                },
            )
        )
