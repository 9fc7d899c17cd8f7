"""The recent-activity feed: finished downloads and scans, from the event bus.

The sync service writes its own line when a run ends; downloads and scans
write none, so the web app runs one :class:`ActivityRecorder` on its loop: it
turns those events into ``store.add_activity`` rows and publishes ``activity``
so open dashboards refresh their feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from soulsync.services.events import Event, EventBus
from soulsync.store import Store

log = logging.getLogger(__name__)

_FINAL_JOBS = {"completed", "failed", "cancelled"}
_FINAL_RUNS = {"completed", "failed", "cancelled"}
# Frequent events that change nothing on the dashboard.
_NOISE = frozenset({"job.progress", "sync.download", "sync.track"})


def describe(event: Event) -> tuple[str, str] | None:
    """(kind, message) for an event worth a feed line, else None. Pure."""
    data = event.data
    if event.topic == "job.state" and data.get("state") in _FINAL_JOBS:
        title = data.get("title") or f"job {data.get('id')}"
        state = data["state"]
        if state == "completed":
            return "download", f"Downloaded {title}"
        if state == "failed":
            why = data.get("error") or data.get("result") or "failed"
            return "download", f"Download failed: {title} ({why})"
        return "download", f"Download cancelled: {title}"
    if event.topic == "sync.state" and data.get("phase") == "scanning":
        return "scan", "Library scan started"
    return None


class ActivityRecorder:
    """Subscribes to the bus and writes feed rows; ``start()``/``stop()`` on the app loop."""

    def __init__(self, bus: EventBus, store: Store, names: Any = None) -> None:
        self.bus = bus
        self.store = store
        self.names = names  # callable run_id -> playlist name (optional)
        self._task: asyncio.Task[None] | None = None
        # Bumped on every event that changes what the dashboard shows; its caches
        # are valid only within one generation (see routes_dashboard.cached).
        self.generation = 0

    def start(self) -> None:
        """Start recording (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="web-activity")

    async def stop(self) -> None:
        """Stop recording."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _feed_changed(self, kind: str) -> None:
        self.generation += 1
        self.bus.publish("activity", kind=kind)

    async def _run(self) -> None:
        async for event in self.bus.subscribe(("job.", "sync.", "wishlist.")):
            if event.topic not in _NOISE:
                self.generation += 1
            if event.topic not in ("job.state", "sync.state"):
                continue
            if (
                event.topic == "sync.state"
                and self.names is not None
                and "playlist" not in event.data
            ):
                name = self.names(event.data.get("run_id"))
                if name:
                    event = Event(event.topic, {**event.data, "playlist": name}, event.id, event.at)
            if event.topic == "sync.state" and event.data.get("state") in _FINAL_RUNS:
                # The sync service writes its own summary line as the run ends.
                asyncio.get_running_loop().call_later(0.5, self._feed_changed, "sync")
            line = describe(event)
            if line is None:
                continue
            try:
                await asyncio.to_thread(self.store.add_activity, line[0], line[1])
            except Exception:  # the feed must never stop the recorder
                log.exception("could not record activity")
                continue
            self.generation += 1  # the feed changed
            self.bus.publish("activity", kind=line[0], message=line[1])
