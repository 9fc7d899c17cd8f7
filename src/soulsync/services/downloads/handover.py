"""Handing the download queue's workers to a new queue (settings applied without a restart).

Mixed into :class:`~soulsync.services.downloads.service.DownloadService`. The
jobs the predecessor is running are adopted, not restarted: each finishes
with the steps (and so the slskd client) it started with, while every job
started afterwards uses the successor's. The lease passes over without a gap.
"""

from __future__ import annotations

import asyncio
import functools

from soulsync.services.cover_fetch import CoverFetcher
from soulsync.services.downloads.lease import QueueLease
from soulsync.services.downloads.steps import JobSteps

__all__ = ["QueueHandover"]


class QueueHandover:
    """Adopt a predecessor's running jobs. Needs the queue's ``_tasks``, ``_adopted``,
    ``steps``, ``lease``, ``covers``, ``_running``, ``_dispatcher`` and its loop methods."""

    _tasks: dict[int, asyncio.Task[None]]
    _adopted: dict[int, JobSteps]
    steps: JobSteps
    lease: QueueLease
    covers: CoverFetcher
    _running: bool
    _dispatcher: asyncio.Task[None] | None

    async def _stop_dispatching(self) -> None:
        raise NotImplementedError  # provided by DownloadService

    async def _dispatch_loop(self) -> None:
        raise NotImplementedError  # provided by DownloadService

    def _finished(self, job_id: int, _task: object = None) -> None:
        raise NotImplementedError  # provided by DownloadService

    async def take_over(self, predecessor: QueueHandover) -> None:
        """Work the queue in place of ``predecessor`` (settings applied without a restart).

        The predecessor stops taking jobs at once. The jobs it is running are
        adopted: they finish with its clients (a transfer is never switched to
        another slskd half-way), and cancel and the free-worker count see them.
        Every job started from now on uses this service's clients. The lease
        passes over without a gap, and the start-up crash recovery is not run
        (an adopted job's move may be under way). Close the predecessor with
        :meth:`retire` once its jobs are done.
        """
        if self._running:
            raise RuntimeError("take_over() replaces start(): this queue is already running")
        await predecessor._stop_dispatching()
        self.lease = predecessor.lease
        for job_id, task in list(predecessor._tasks.items()):
            if task.done():
                continue
            self._tasks[job_id] = task
            self._adopted[job_id] = predecessor._adopted.get(job_id, predecessor.steps)
            task.add_done_callback(functools.partial(self._finished, job_id))
        await asyncio.to_thread(self.lease.renew)
        self._running = True
        self._dispatcher = asyncio.create_task(self._dispatch_loop(), name="downloads-dispatch")

    async def retire(self) -> None:
        """After :meth:`take_over`: wait for the jobs it was running, then free its resources.

        The lease is not released: the successor holds it now.
        """
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks)
        await self.covers.close()

    @property
    def running_jobs(self) -> tuple[int, ...]:
        """Ids of the jobs whose task is running in this process."""
        return tuple(self._tasks)
