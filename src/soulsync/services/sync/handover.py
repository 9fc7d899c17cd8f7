"""Handing running sync runs to a new sync service (settings applied without a restart).

Mixed into :class:`~soulsync.services.sync.service.SyncService`. A run going
on is never switched to other clients half-way: the new service adopts its
task, so it can still be followed and cancelled, and the run finishes with the
playlist source, media server and download queue it started with.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

__all__ = ["RunHandover"]


class RunHandover:
    """Adopt a predecessor's running runs. Needs ``owner``, ``_tasks``, ``_executors``,
    ``_heartbeat``, ``_heartbeat_loop`` and ``_stop_background`` (the sync service's)."""

    owner: str
    _tasks: dict[str, asyncio.Task[None]]
    _executors: dict[str, Any]
    _heartbeat: asyncio.Task[None] | None

    async def _heartbeat_loop(self) -> None:
        raise NotImplementedError  # provided by RunOwnership

    async def _stop_background(self) -> None:
        raise NotImplementedError  # provided by SyncService

    @property
    def running_runs(self) -> tuple[str, ...]:
        """Ids of the runs whose task is alive in this process."""
        return tuple(r for r, t in self._tasks.items() if not t.done())

    async def take_over(self, predecessor: RunHandover) -> None:
        """Handle the runs in place of ``predecessor`` (settings applied without a restart).

        Runs already going on (or queued behind one, as ``sync --all`` queues
        them) finish with the predecessor's clients: a run never switches its
        playlist source, media server or download queue half-way. They are
        adopted, so ``cancel``, ``wait`` and ``is_running`` see them here, and
        they keep their owner id (the same process still works them). Every run
        started from now on uses this service's clients. The predecessor's
        schedule, heartbeat and wishlist follower stop; call :meth:`start` next.
        """
        await predecessor._stop_background()
        self.owner = predecessor.owner
        for run_id, task in list(predecessor._tasks.items()):
            if task.done():
                continue
            self._tasks[run_id] = task
            executor = predecessor._executors.get(run_id)
            if executor is not None:
                self._executors[run_id] = executor
            # The predecessor's own callback records a crash; this one only forgets the run.
            task.add_done_callback(functools.partial(self._forget_adopted, run_id))
        if self._tasks and (self._heartbeat is None or self._heartbeat.done()):
            self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="sync-heartbeat")

    async def retire(self) -> None:
        """After :meth:`take_over`: wait until the runs this service started have finished."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks)

    def _forget_adopted(self, run_id: str, _task: object = None) -> None:
        self._tasks.pop(run_id, None)
        self._executors.pop(run_id, None)
