"""The persistent download queue: job rows, a worker pool, and the job state machine.

Every download is a row in SQLite (``jobs``) before anything else happens.
A job walks ``queued → searching → downloading → processing`` and ends
``completed``, ``failed`` or ``cancelled``; each step writes its state first,
so a process killed at any moment resumes where it stopped:

* **queued**: waits for a free worker (and for its retry time, if any);
* **searching** (playlist tracks and "Artist - Title" downloads): runs the
  matching engine's query ladder through slskd's paced search, ranks the
  files (peers that failed before go last or are skipped) and stores the
  ranked candidates, or fails with ``result = "no_candidate"``;
* **downloading**: before asking slskd for the file it looks for a transfer
  of the same ``username + filename`` (by stored id, else in slskd's list),
  so a restart picks a running transfer up instead of requesting it twice.
  :func:`~soulsync.services.downloads.transfer_watch.watch_transfer` follows it with
  stall and remote-queue timeouts; on a failure the peer's failure counter
  goes up and the next candidate is tried. Matched jobs resolve their
  metadata *while* the transfer runs;
* **processing**: plain jobs complete with the file left in the downloads
  folder. Matched jobs are tagged and filed by
  :class:`~soulsync.services.matched.Organiser` (crash-safe move); the
  planned destination is stored before the move so a restart after a move
  that finished but was not recorded completes the job instead of failing.
  No metadata match makes it a plain download that still completes.

The steps themselves live in :mod:`soulsync.services.downloads.steps` and the
enqueue methods in :mod:`soulsync.services.downloads.enqueue`; this module is
the control API, the worker pool and the lease.

Transient errors (slskd or a metadata service unreachable) put the job back
to ``queued`` with exponential backoff; after ``retries`` it fails. Only one
process works the queue at a time (a lease row in ``settings``), so the CLI
can enqueue and watch while ``soulsync serve`` does the work.

Events on the bus: ``job.state`` (the job's :meth:`Job.as_dict`) on every
state change and ``job.progress`` (id, bytes, percent, speed) while
downloading.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from soulsync.config import Settings
from soulsync.domain import JobKind, JobState
from soulsync.library.layout import LayoutTemplates
from soulsync.library.safe_move import recover_incomplete
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.providers.metadata import MetadataService
from soulsync.providers.youtube import VideoSource
from soulsync.services.cover_fetch import CoverFetcher, service_hosts
from soulsync.services.downloads.enqueue import EnqueueApi
from soulsync.services.downloads.genres import ArtistGenres
from soulsync.services.downloads.handover import QueueHandover
from soulsync.services.downloads.jobs_store import (
    ACTIVE_STATES,
    FINAL_STATES,
    Job,
    JobsStore,
)
from soulsync.services.downloads.lease import QueueBusy, QueueLease
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.steps import JobSteps
from soulsync.services.downloads.steps_transfer import TRANSIENT_ERRORS
from soulsync.services.downloads.transfer_port import (
    TransferGone,
    TransferPort,
)
from soulsync.services.downloads.video_steps import extra_blob
from soulsync.services.events import EventBus
from soulsync.services.matched import (
    FacadeLookup,
    MetadataLookup,
    MetadataResolver,
    Organiser,
)
from soulsync.services.outage import OutageBook
from soulsync.services.processing_setup import processing_step
from soulsync.services.release_types import ReleaseTypeService
from soulsync.store import Store

__all__ = [
    "DownloadService",
    "Job",
    "JobNotFound",
    "QueueBusy",
    "QueueSettings",
]

log = logging.getLogger(__name__)

SLSKD = "slskd"  # the service name slskd's provider errors carry
# Errors worth retrying later: the service may be back then.
_TRANSIENT = TRANSIENT_ERRORS


class JobNotFound(KeyError):
    """No job with that id."""


class DownloadService(EnqueueApi, QueueHandover):
    """The download queue. Create once per process; ``start()`` to run workers.

    Enqueue methods (:class:`~soulsync.services.downloads.enqueue.EnqueueApi`)
    only write rows (and may list a remote folder); they work without
    ``start()``, so a CLI can enqueue while another process works.
    """

    def __init__(
        self,
        store: Store,
        slskd: TransferPort,
        metadata: MetadataService | MetadataLookup | None,
        bus: EventBus | None,
        settings: Settings,
        *,
        queue: QueueSettings | None = None,
        match: MatchSettings = DEFAULT_SETTINGS,
        covers: CoverFetcher | None = None,
        video: VideoSource | None = None,
        releases: ReleaseTypeService | None = None,
    ) -> None:
        self.store = store
        self.jobs = JobsStore(store)
        self.slskd = slskd
        self.metadata = metadata
        self.bus = bus
        self.settings = settings
        self.queue = queue or QueueSettings.from_settings(settings)
        self.match = match
        if isinstance(metadata, MetadataService):
            metadata = FacadeLookup(metadata)
        self.resolver = MetadataResolver(metadata, match) if metadata is not None else None
        self.organiser = Organiser(
            transfer_dir=settings.transfer_dir,
            downloads_dir=settings.slskd_downloads_dir,
            templates=LayoutTemplates(
                album=settings.paths.album_template, single=settings.paths.single_template
            ),
            processing=processing_step(settings, store, bus.publish if bus is not None else None)
            if settings.processing.enabled
            else None,
        )
        # Covers may come from the configured services and from the metadata
        # services actually in use (their answers carry the cover URLs).
        trusted = service_hosts(settings) + _metadata_hosts(metadata)
        self.covers = covers or CoverFetcher(
            allowed_hosts=settings.downloads.cover_hosts, trusted_hosts=trusted
        )
        self.outages = OutageBook(store, settings.outages)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        # Jobs a predecessor was running when settings were applied live: they
        # finish with its steps (its slskd client); see take_over().
        self._adopted: dict[int, JobSteps] = {}
        self.steps = JobSteps(
            jobs=self.jobs,
            slskd=slskd,
            queue=self.queue,
            match=match,
            resolver=self.resolver,
            organiser=self.organiser,
            covers=self.covers,
            publish=self._publish,
            outages=self.outages,
            video=video,
            releases=releases,
            genre_mode=settings.downloads.genre_tags,
            artist_genres=(
                ArtistGenres(self.metadata, store)
                if self.metadata is not None and hasattr(self.metadata, "search_artists")
                else None
            ),
        )
        self.video = video
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._running = False
        self.lease = QueueLease(store, self.queue.lease_ttl_s)

    # =================================================================== control API

    def get(self, job_id: int) -> Job:
        """One job; :class:`JobNotFound` if unknown."""
        job = self.jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"no download job with id {job_id}")
        return job

    def list_active(self) -> list[Job]:
        """Jobs shown in the queue view (not cleared), oldest first."""
        return self.jobs.active()

    def history(self, limit: int = 200, offset: int = 0) -> list[Job]:
        """Finished jobs, newest first (cleared ones included)."""
        return self.jobs.history(limit, offset)

    def batch(self, batch_id: str) -> list[Job]:
        """The per-file results of a batch."""
        return self.jobs.batch(batch_id)

    async def cancel(self, job_id: int) -> Job:
        """Cancel a job in any unfinished state; returns it as it is now.

        The slskd transfer is cancelled and removed (slskd deletes its partial
        file). A file that finished downloading but was not yet processed stays
        in the downloads folder. A move already under way finishes (it is
        atomic) and is recorded on the cancelled job.

        Raises:
            JobNotFound: unknown id.
            ValueError: the job has already finished.
        """
        job = self.get(job_id)
        if job.is_final:
            raise ValueError(f"job {job_id} is already {job.state}")
        if not self.jobs.transition(job_id, ACTIVE_STATES, JobState.CANCELLED, error="cancelled"):
            return self.get(job_id)
        task = self._tasks.get(job_id)
        steps = self._adopted.get(job_id, self.steps)
        if task is not None and job_id not in steps.moving:
            steps.user_cancelled[job_id] = job.state
            task.cancel()
        elif task is None and job.transfer_id and job.file is not None:
            # Nobody is running it here (worker elsewhere or not started): cancel in slskd.
            await self.steps.cancel_transfer(job)
        resolving = steps.resolving.pop(job_id, None)
        if resolving is not None:
            resolving.cancel()
        cancelled = self.get(job_id)
        self._announce(cancelled)
        return cancelled

    async def retry(self, job_id: int) -> Job:
        """Put a failed or cancelled job back in the queue, from its first candidate.

        Raises:
            JobNotFound: unknown id.
            ValueError: the job is not failed or cancelled.
        """
        job = self.get(job_id)
        if job.state not in (JobState.FAILED, JobState.CANCELLED):
            raise ValueError(f"only failed or cancelled jobs can be retried (job is {job.state})")
        keep_file = job.local_path is not None and _is_file(job.local_path)
        first = job.candidates[0] if job.candidates else job.file
        if job.kind is JobKind.PLAYLIST_TRACK and job.result == "no_candidate":
            first = None
        values: dict[str, Any] = {
            "attempts": 0,
            "next_attempt_at": None,
            "error": None,
            "result": None,
            "finished_at": None,
            "cleared": False,
            "bytes_done": 0,
            "percent": 0.0,
            "speed": 0.0,
            "candidate_index": 0,
            "transfer_id": None,
        }
        if not keep_file:
            values["local_path"] = None
            values["file"] = first
        if job.kind is JobKind.PLAYLIST_TRACK and job.result == "no_candidate":
            values["candidates"] = ()
            # Walk the source chain again from its start.
            extra = {
                k: v
                for k, v in job.extra.items()
                if k not in ("source_index", "tried_sources", "video", "video_candidates")
            }
            values["wanted_json"] = extra_blob(job, extra)
        try:
            self.jobs.transition(
                job_id, (JobState.FAILED, JobState.CANCELLED), JobState.QUEUED, **values
            )
        except sa.exc.IntegrityError as exc:
            # The recording has another live or completed job (uq_jobs_wanted_live).
            raise ValueError(
                f"job {job_id}: this track is already queued or downloaded by another job"
            ) from exc
        self._wake.set()
        fresh = self.get(job_id)
        self._announce(fresh)
        return fresh

    async def clear_completed(self, *, include_failed: bool = False) -> int:
        """Hide completed jobs from the queue view (history keeps them); clear them in slskd.

        Failed and cancelled jobs stay, with their Retry buttons, unless
        ``include_failed`` asks to clear every finished job.
        """
        states = FINAL_STATES if include_failed else (JobState.COMPLETED,)
        cleared = self.jobs.mark_cleared(states)
        try:
            await self.slskd.clear_completed()
        except (*_TRANSIENT, TransferGone) as exc:
            log.warning("could not clear completed transfers in slskd: %s", exc)
        for job in cleared:
            self._publish("job.cleared", id=job.id)
        return len(cleared)

    def remove_finished(self, job_id: int) -> Job:
        """Hide one finished job from the queue view (history keeps it).

        ``ValueError`` for a job still going on: cancel it first.
        """
        job = self.get(job_id)
        if not job.is_final:
            raise ValueError(f"job {job_id} is still {job.state}: cancel it first")
        self.jobs.update(job_id, cleared=True)
        self._publish("job.cleared", id=job_id)
        return job

    async def wait_job(self, job_id: int, within_s: float | None = None) -> Job:
        """Wait until the job is finished; returns it. TimeoutError on timeout."""
        jobs = await self._wait(lambda: [self.get(job_id)], within_s)
        return jobs[0]

    async def wait_batch(self, batch_id: str, within_s: float | None = None) -> list[Job]:
        """Wait until every job of a batch is finished; returns the per-file results."""
        return await self._wait(lambda: self.jobs.batch(batch_id), within_s)

    async def wait_idle(self, within_s: float | None = None) -> list[Job]:
        """Wait until no job is unfinished (queued ones included)."""

        deadline = None if within_s is None else time.monotonic() + within_s
        while self.jobs.count_in_states(ACTIVE_STATES):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("download queue still busy")
            await self._sleep_changed(0.1)
        return []

    # =================================================================== lifecycle

    async def start(self) -> None:
        """Take the queue lease, recover from a crash, and start the workers.

        Raises:
            QueueBusy: another live process works the queue.
        """
        if self._running:
            return
        self.lease.take()
        # Leftover temporary copies of an interrupted move are never the only copy.
        report = await asyncio.to_thread(recover_incomplete, self.settings.transfer_dir)
        if report.removed_files:
            log.info("removed %d unfinished copies after a restart", len(report.removed_files))
        self._running = True
        self._dispatcher = asyncio.create_task(self._dispatch_loop(), name="downloads-dispatch")

    async def stop(self) -> None:
        """Stop the workers; unfinished jobs stay in their state and resume on next start.

        Transfers keep running in slskd and are picked up again.
        """
        await self._stop_dispatching()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for steps in {id(s): s for s in (self.steps, *self._adopted.values())}.values():
            for resolving in steps.resolving.values():
                resolving.cancel()
            steps.resolving.clear()
        self.lease.release()
        await self.covers.close()

    async def _stop_dispatching(self) -> None:
        self._running = False
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None

    @property
    def running(self) -> bool:
        """True while the worker pool runs."""
        return self._running

    # =================================================================== internals: events

    def _publish(self, topic: str, **data: Any) -> None:
        if self.bus is not None:
            self.bus.publish(topic, **data)
        self._changed.set()

    def _announce(self, job: Job) -> None:
        self._publish("job.state", **job.as_dict())

    async def _sleep_changed(self, seconds: float) -> None:
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def _wait(self, read: Callable[[], list[Job]], within_s: float | None) -> list[Job]:
        deadline = None if within_s is None else time.monotonic() + within_s
        while True:
            jobs: list[Job] = read()
            if all(j.is_final for j in jobs):
                return jobs
            if deadline is not None and time.monotonic() > deadline:
                states = ", ".join(f"{j.id}:{j.state}" for j in jobs if not j.is_final)
                raise TimeoutError(f"jobs still running: {states}")
            await self._sleep_changed(0.1)

    # =================================================================== internals: dispatch

    async def _dispatch_loop(self) -> None:
        last_beat = 0.0
        while self._running:
            self._wake.clear()
            if time.monotonic() - last_beat > self.queue.lease_ttl_s / 3:
                await asyncio.to_thread(self.lease.renew)
                last_beat = time.monotonic()
            timeout = 1.0
            paused_for = await self._slskd_paused()
            if paused_for is None:
                self._fill()
            else:
                timeout = max(0.01, min(timeout, paused_for))
            due = self.jobs.next_due_time()
            if due is not None:
                timeout = max(0.01, min(timeout, due - time.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _slskd_paused(self) -> float | None:
        """While slskd is down no job starts: seconds until the next probe, or None if up.

        When the probe time comes, one cheap request tells whether slskd is
        back; if it is, the waiting jobs are released at once.
        """
        outage = await asyncio.to_thread(self.outages.get, SLSKD)
        if outage is None:
            return None
        now = time.time()
        if outage.next_try > now:
            return outage.next_try - now
        try:
            await self.slskd.ping()
        except _TRANSIENT as exc:
            again = await asyncio.to_thread(self.outages.down, SLSKD, str(exc))
            if self.outages.gave_up(again):
                log.warning("slskd unreachable since %s: giving up waiting", again.since)
                await asyncio.to_thread(self.outages.up, SLSKD)
                return None
            self._publish("service.outage", **self.outages.as_dict(again))
            return max(0.01, again.next_try - time.time())
        await asyncio.to_thread(self.outages.up, SLSKD)
        released = await asyncio.to_thread(self.jobs.release_waiting, SLSKD)
        log.info("slskd is back; %d waiting jobs continue", released)
        self._publish("service.outage", service=SLSKD, message="", resolved=True)
        return None

    def _fill(self) -> None:
        free = self.queue.concurrency - len(self._tasks)
        if free <= 0:
            return
        busy = set(self._tasks)
        # Jobs interrupted mid-way (a previous process died) go first.
        interrupted = [
            j
            for j in self.jobs.in_states(
                (JobState.SEARCHING, JobState.DOWNLOADING, JobState.PROCESSING),
                limit=free + len(busy),
            )
            if j.id not in busy
        ]
        queued = [
            j for j in self.jobs.due_queued(time.time(), free + len(busy)) if j.id not in busy
        ]
        for job in [*interrupted, *queued][:free]:
            task = asyncio.create_task(self.steps.run(job.id), name=f"download-job-{job.id}")
            self._tasks[job.id] = task
            task.add_done_callback(functools.partial(self._finished, job.id))

    def _finished(self, job_id: int, _task: object = None) -> None:
        self._tasks.pop(job_id, None)
        steps = self._adopted.pop(job_id, self.steps)
        steps.user_cancelled.pop(job_id, None)
        steps.moving.discard(job_id)
        self._wake.set()
        self._changed.set()


def _is_file(path: str | Path | None) -> bool:
    """A quick stat (fine on the event loop: one local syscall)."""
    return path is not None and Path(path).is_file()


def _metadata_hosts(metadata: object) -> tuple[str, ...]:
    """Hosts of the metadata service(s) behind ``metadata`` (a facade or one client)."""
    if isinstance(metadata, FacadeLookup):
        return metadata.facade.service_hosts()
    base = getattr(metadata, "api_base", None)
    host = urlsplit(base).hostname if isinstance(base, str) else None
    return (host,) if host else ()
