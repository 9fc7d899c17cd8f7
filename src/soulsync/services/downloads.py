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
  :func:`~soulsync.services.transfer_watch.watch_transfer` follows it with
  stall and remote-queue timeouts; on a failure the peer's failure counter
  goes up and the next candidate is tried. Matched jobs resolve their
  metadata *while* the transfer runs;
* **processing**: plain jobs complete with the file left in the downloads
  folder. Matched jobs are tagged and filed by
  :class:`~soulsync.services.matched.Organiser` (crash-safe move); the
  planned destination is stored before the move so a restart after a move
  that finished but was not recorded completes the job instead of failing.
  No metadata match makes it a plain download that still completes.

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
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from soulsync.config import Settings
from soulsync.domain import Album, Artist, JobKind, JobState, SoulseekFile, Track
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.library.layout import LayoutTemplates
from soulsync.library.safe_move import MoveError, recover_incomplete
from soulsync.matching.queries import query_ladder
from soulsync.matching.rank import rank_soulseek_files
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.providers.base import ProviderError
from soulsync.providers.metadata import MetadataService
from soulsync.services import job_codec as codec
from soulsync.services.events import EventBus
from soulsync.services.jobs_store import ACTIVE_STATES, Job, JobsStore, NewJob
from soulsync.services.matched import (
    CoverFetcher,
    FacadeLookup,
    MetadataLookup,
    MetadataResolver,
    Organiser,
    Resolution,
    genres_for,
)
from soulsync.services.transfer_port import (
    TransferGone,
    TransferPort,
    TransferRefused,
    TransferStatus,
)
from soulsync.services.transfer_watch import TransferFailed, WatchSettings, watch_transfer
from soulsync.store import Store

__all__ = [
    "DownloadService",
    "Job",
    "JobNotFound",
    "QueueBusy",
    "QueueSettings",
]

log = logging.getLogger(__name__)

_LEASE_KEY = "downloads.worker_lease"
_MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | {"wav", "aif", "aiff", "ape", "wv", "alac"}
# Errors worth retrying later: the service may be back then.
_TRANSIENT = (httpx.HTTPError, ProviderError, ConnectionError, TimeoutError)


class QueueBusy(RuntimeError):
    """Another live process is already working the download queue."""


class JobNotFound(KeyError):
    """No job with that id."""


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Knobs of the queue; :meth:`from_settings` maps the app config."""

    concurrency: int = 2
    retries: int = 3
    retry_delay_s: float = 60.0
    max_retry_delay_s: float = 3600.0
    stall_timeout_s: float = 60.0
    remote_queue_timeout_s: float = 900.0
    poll_interval_s: float = 1.0
    max_candidates: int = 10
    lease_ttl_s: float = 30.0
    search_max_queries: int = 4

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QueueSettings:
        """Queue settings from the ``[downloads]`` and ``[slskd]`` config sections."""
        values: dict[str, Any] = {
            "concurrency": settings.downloads.concurrency,
            "retries": settings.downloads.retries,
            "retry_delay_s": settings.downloads.retry_delay_s,
            "stall_timeout_s": settings.slskd.stall_timeout_s,
            "remote_queue_timeout_s": settings.slskd.remote_queue_timeout_s,
        }
        values.update(overrides)
        return cls(**values)

    def watch(self) -> WatchSettings:
        """The transfer watcher's settings."""
        return WatchSettings(
            stall_timeout_s=self.stall_timeout_s,
            remote_queue_timeout_s=self.remote_queue_timeout_s,
            poll_interval_s=self.poll_interval_s,
        )

    def backoff(self, attempts: int) -> float:
        """Delay before retry number ``attempts`` (1-based): doubling, capped."""
        return float(min(self.max_retry_delay_s, self.retry_delay_s * (2 ** max(0, attempts - 1))))


class _UserCancel(Exception):
    """Internal: the job was cancelled by the user while a step ran."""


class DownloadService:
    """The download queue. Create once per process; ``start()`` to run workers.

    Enqueue methods only write rows (and may list a remote folder); they work
    without ``start()``, so a CLI can enqueue while another process works.
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
        )
        self.covers = covers or CoverFetcher()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._moving: set[int] = set()
        self._user_cancelled: dict[int, JobState] = {}
        self._resolving: dict[int, asyncio.Task[Resolution | None]] = {}
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._running = False
        self._lease_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # =================================================================== enqueue API

    async def enqueue_plain(self, file: SoulseekFile) -> int:
        """Download one file as is; it stays in the downloads folder."""
        return self._insert([NewJob(JobKind.PLAIN, file=file, candidates=(file,))])[0]

    async def enqueue_plain_folder(self, username: str, folder: str) -> str:
        """Download every audio file of a remote folder as is; returns the batch id."""
        files = await self._folder_files(username, folder)
        batch = _new_batch_id()
        self._insert(
            [
                NewJob(
                    JobKind.PLAIN, file=f, candidates=(f,), batch_id=batch, extra={"folder": folder}
                )
                for f in files
            ]
        )
        return batch

    async def enqueue_matched_track(
        self, file: SoulseekFile, artist: Artist | None, *, wanted: Track | None = None
    ) -> int:
        """Download one file and file it under ``artist`` with clean metadata.

        ``artist`` None (nothing picked) resolves the artist from the path;
        if nothing matches, the job completes as a plain download.
        """
        job = NewJob(
            JobKind.MATCHED_TRACK, file=file, artist=artist, wanted=wanted, candidates=(file,)
        )
        return self._insert([job])[0]

    async def enqueue_matched_album(
        self,
        username: str,
        folder: str,
        artist: Artist | None,
        album: Album | None,
        *,
        files: Sequence[SoulseekFile] | None = None,
    ) -> str:
        """Queue a remote folder as one batch, one job per audio file; returns the batch id.

        The files are assigned to ``album``'s tracklist; files that belong to
        other releases (or every file, when no album is given) are matched
        on their own and filed under their own artist. ``files`` skips the
        folder listing (e.g. a multi-disc album spread over ``CD1``/``CD2``).
        """
        listed = list(files) if files is not None else await self._folder_files(username, folder)
        batch = _new_batch_id()
        self._insert(
            [
                NewJob(
                    JobKind.MATCHED_ALBUM,
                    file=f,
                    candidates=(f,),
                    artist=artist,
                    album=album,
                    batch_id=batch,
                    extra={"folder": folder},
                )
                for f in listed
            ]
        )
        return batch

    async def enqueue_playlist_track(
        self,
        track: Track,
        *,
        queries: Sequence[str] = (),
        candidates: Sequence[SoulseekFile] = (),
        batch_id: str | None = None,
        source: str | None = None,
    ) -> int:
        """Search, rank, download and organise ``track`` with its own metadata.

        ``queries`` overrides the engine's query ladder; ``candidates`` skips
        the search. A job that finds nothing ends ``failed`` with
        ``result == "no_candidate"`` (see :meth:`no_candidate`), which the
        sync service tells apart from a failed transfer to wishlist it.
        """
        extra: dict[str, Any] = {"queries": list(queries)}
        if source:
            extra["source"] = source
        if candidates:
            # Chosen files (a manual pick) are retried as they are, not searched again.
            extra["fixed_candidates"] = True
        job = NewJob(
            JobKind.PLAYLIST_TRACK,
            wanted=track,
            track=None,
            candidates=tuple(candidates),
            file=candidates[0] if candidates else None,
            batch_id=batch_id,
            extra=extra,
        )
        return self._insert([job])[0]

    async def enqueue_playlist_tracks(
        self, tracks: Sequence[Track], *, source: str | None = None
    ) -> tuple[str, list[int]]:
        """Queue many playlist tracks as one batch in one transaction."""
        batch = _new_batch_id()
        extra: dict[str, Any] = {"queries": []}
        if source:
            extra["source"] = source
        rows = [
            NewJob(JobKind.PLAYLIST_TRACK, wanted=t, batch_id=batch, extra=dict(extra))
            for t in tracks
        ]
        return batch, self._insert(rows)

    @staticmethod
    def no_candidate(job: Job) -> bool:
        """True if the job failed because no acceptable file was found."""
        return job.state is JobState.FAILED and job.result == "no_candidate"

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
        if task is not None and job_id not in self._moving:
            self._user_cancelled[job_id] = job.state
            task.cancel()
        elif task is None and job.transfer_id and job.file is not None:
            # Nobody is running it here (worker elsewhere or not started): cancel in slskd.
            await self._cancel_transfer(job)
        resolving = self._resolving.pop(job_id, None)
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
        self.jobs.transition(
            job_id, (JobState.FAILED, JobState.CANCELLED), JobState.QUEUED, **values
        )
        self._wake.set()
        fresh = self.get(job_id)
        self._announce(fresh)
        return fresh

    async def clear_completed(self) -> int:
        """Hide finished jobs from the active view (history keeps them); clear them in slskd."""
        cleared = self.jobs.mark_cleared()
        try:
            await self.slskd.clear_completed()
        except (*_TRANSIENT, TransferGone) as exc:
            log.warning("could not clear completed transfers in slskd: %s", exc)
        for job in cleared:
            self._publish("job.cleared", id=job.id)
        return len(cleared)

    async def wait_job(self, job_id: int, within_s: float | None = None) -> Job:
        """Wait until the job is finished; returns it. TimeoutError on timeout."""
        jobs = await self._wait(lambda: [self.get(job_id)], within_s)
        return jobs[0]

    async def wait_batch(self, batch_id: str, within_s: float | None = None) -> list[Job]:
        """Wait until every job of a batch is finished; returns the per-file results."""
        return await self._wait(lambda: self.jobs.batch(batch_id), within_s)

    async def wait_idle(self, within_s: float | None = None) -> list[Job]:
        """Wait until no job is unfinished (queued ones included)."""

        def unfinished() -> list[Job]:
            return self.jobs.in_states(ACTIVE_STATES)

        deadline = None if within_s is None else time.monotonic() + within_s
        while unfinished():
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
        self._take_lease()
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
        self._running = False
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for resolving in self._resolving.values():
            resolving.cancel()
        self._resolving.clear()
        self._release_lease()
        await self.covers.close()

    @property
    def running(self) -> bool:
        """True while the worker pool runs."""
        return self._running

    # =================================================================== internals: rows

    def _insert(self, rows: Sequence[NewJob]) -> list[int]:
        ids = self.jobs.insert(rows)
        for job_id in ids:
            self._publish("job.state", **self.get(job_id).as_dict())
        self._wake.set()
        return ids

    async def _folder_files(self, username: str, folder: str) -> list[SoulseekFile]:
        files = await self.slskd.directory(username, folder)
        audio = [f for f in files if f.extension in _MEDIA_EXTENSIONS]
        if not audio:
            raise ValueError(f"no audio files in {username}:{folder}")
        return sorted(audio, key=lambda f: f.filename)

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

    # =================================================================== internals: lease

    def _take_lease(self) -> None:
        lease = self.store.get_setting(_LEASE_KEY)
        now = time.time()
        if isinstance(lease, dict) and lease.get("owner") != self._lease_owner:
            fresh = float(lease.get("heartbeat", 0)) + self.queue.lease_ttl_s > now
            if fresh and _alive(lease):
                raise QueueBusy(
                    f"the download queue is already being worked by process {lease.get('pid')} "
                    f"on {lease.get('host')}"
                )
        self._renew_lease()

    def _renew_lease(self) -> None:
        self.store.set_setting(
            _LEASE_KEY,
            {
                "owner": self._lease_owner,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "heartbeat": time.time(),
            },
        )

    def _release_lease(self) -> None:
        lease = self.store.get_setting(_LEASE_KEY)
        if isinstance(lease, dict) and lease.get("owner") == self._lease_owner:
            self.store.delete_setting(_LEASE_KEY)

    # =================================================================== internals: dispatch

    async def _dispatch_loop(self) -> None:
        last_beat = 0.0
        while self._running:
            self._wake.clear()
            if time.monotonic() - last_beat > self.queue.lease_ttl_s / 3:
                await asyncio.to_thread(self._renew_lease)
                last_beat = time.monotonic()
            self._fill()
            timeout = 1.0
            due = self.jobs.next_due_time()
            if due is not None:
                timeout = max(0.01, min(timeout, due - time.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

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
            task = asyncio.create_task(self._run(job.id), name=f"download-job-{job.id}")
            self._tasks[job.id] = task
            task.add_done_callback(functools.partial(self._finished, job.id))

    def _finished(self, job_id: int, _task: object = None) -> None:
        self._tasks.pop(job_id, None)
        self._user_cancelled.pop(job_id, None)
        self._moving.discard(job_id)
        self._wake.set()
        self._changed.set()

    # =================================================================== internals: steps

    async def _run(self, job_id: int) -> None:
        try:
            while True:
                job = self.jobs.get(job_id)
                if job is None or job.is_final:
                    return
                if job.state is JobState.QUEUED:
                    if job.next_attempt_at and job.next_attempt_at > time.time():
                        return
                    self._begin(job)
                elif job.state is JobState.SEARCHING:
                    await self._search(job)
                elif job.state is JobState.DOWNLOADING:
                    await self._download(job)
                elif job.state is JobState.PROCESSING:
                    await self._process(job)
        except asyncio.CancelledError:
            if job_id in self._user_cancelled:
                await self._after_user_cancel(job_id)
                return
            raise
        except _TRANSIENT as exc:
            self._retry_later(job_id, f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            log.exception("download job %s failed unexpectedly", job_id)
            self._fail(job_id, f"internal error: {type(exc).__name__}: {exc}")

    def _begin(self, job: Job) -> None:
        """queued → the state that can continue the job."""
        if job.local_path and _is_file(job.local_path):
            target = JobState.PROCESSING
        elif job.file is not None or job.candidates:
            target = JobState.DOWNLOADING
        else:
            target = JobState.SEARCHING
        values: dict[str, Any] = {"started_at": job.started_at or time.time()}
        if target is JobState.DOWNLOADING and job.file is None:
            values["file"] = job.candidates[job.candidate_index % len(job.candidates)]
        self._move(job, (JobState.QUEUED,), target, **values)

    def _move(self, job: Job, src: Sequence[JobState], dst: JobState, **values: Any) -> bool:
        ok = self.jobs.transition(job.id, src, dst, **values)
        if ok:
            self._announce(self.get(job.id))
        elif not self.get(job.id).is_final:
            raise RuntimeError(f"job {job.id} changed state unexpectedly")
        return ok

    # -- searching -----------------------------------------------------------------------

    async def _search(self, job: Job) -> None:
        want = job.wanted
        if want is None:
            self._fail(job.id, "nothing to search for (no wanted track)")
            return
        texts: list[str] = list(job.extra.get("queries") or [])
        if not texts:
            texts = [q.text for q in query_ladder(want)]
        texts = texts[: self.queue.search_max_queries]
        failures = self.jobs.peer_failures()
        seen = rejected = 0
        top_reason = ""
        for text in texts:
            responses = await self.slskd.search(text)
            ranked = rank_soulseek_files(want, responses, self.match, failures)
            seen += len(ranked.candidates) + len(ranked.rejected)
            rejected += len(ranked.rejected)
            if ranked.rejected and not top_reason:
                top_reason = ranked.rejected[0].rejected_because or ""
            if ranked.candidates:
                files = tuple(r.file for r in ranked.candidates[: self.queue.max_candidates])
                self._move(
                    job,
                    (JobState.SEARCHING,),
                    JobState.DOWNLOADING,
                    candidates=files,
                    file=files[0],
                    candidate_index=0,
                )
                return
        detail = f"{seen} files seen, {rejected} rejected"
        if top_reason:
            detail += f"; best rejected: {top_reason}"
        self._move(
            job,
            (JobState.SEARCHING,),
            JobState.FAILED,
            result="no_candidate",
            error=f"no acceptable candidate ({detail})",
        )

    # -- downloading ---------------------------------------------------------------------

    async def _download(self, job: Job) -> None:
        file = job.file
        if file is None:
            self._fail(job.id, "no file to download")
            return
        self._start_resolving(job)
        try:
            status = await self._adopt_or_enqueue(job, file)
            self.jobs.update(job.id, transfer_id=status.id)
            await self._progress(job.id, status)

            async def progress(s: TransferStatus) -> None:
                await self._progress(job.id, s)

            final, path = await watch_transfer(self.slskd, status, self.queue.watch(), progress)
        except TransferFailed as exc:
            await self._next_candidate(job, str(exc), peer_fault=exc.peer_fault)
            return
        except TransferRefused as exc:
            await self._next_candidate(
                job, str(exc), peer_fault=not exc.permanent, permanent=exc.permanent
            )
            return
        self.jobs.record_peer(file.username, ok=True)
        self._move(
            job,
            (JobState.DOWNLOADING,),
            JobState.PROCESSING,
            local_path=str(path),
            bytes_done=final.size,
            percent=100.0,
            speed=final.speed,
        )

    async def _adopt_or_enqueue(self, job: Job, file: SoulseekFile) -> TransferStatus:
        """The transfer of this file slskd already has (after a restart), else a new one."""
        if job.transfer_id:
            with contextlib.suppress(TransferGone):
                status = await self.slskd.status(file.username, job.transfer_id)
                if not status.failed:
                    return status
        existing = await self.slskd.find(file.username, file.filename)
        if existing is not None and not existing.failed:
            log.info("job %s: picking up transfer %s already in slskd", job.id, existing.id)
            return existing
        if existing is not None:
            # An earlier, failed attempt of ours: remove it so slskd accepts the file again.
            await self.slskd.remove(file.username, existing.id)
        return await self.slskd.enqueue(file)

    async def _progress(self, job_id: int, status: TransferStatus) -> None:
        self.jobs.update(
            job_id,
            bytes_done=status.bytes_transferred,
            percent=status.percent,
            speed=status.speed,
            transfer_id=status.id,
        )
        self._publish(
            "job.progress",
            id=job_id,
            bytes=status.bytes_transferred,
            size=status.size,
            percent=round(status.percent, 1),
            speed=round(status.speed),
            transfer_state=status.state,
        )

    async def _next_candidate(
        self, job: Job, reason: str, *, peer_fault: bool, permanent: bool = False
    ) -> None:
        file = job.file
        if file is not None and peer_fault:
            self.jobs.record_peer(file.username, ok=False, error=reason)
        failures = self.jobs.peer_failures()
        index = job.candidate_index + 1
        while index < len(job.candidates):
            nxt = job.candidates[index]
            if failures.get(nxt.username, 0) < self.match.fails_to_ignore:
                break
            index += 1
        log.info("job %s: %s failed (%s)", job.id, file.username if file else "?", reason)
        if index < len(job.candidates):
            self.jobs.update(
                job.id,
                file=job.candidates[index],
                candidate_index=index,
                transfer_id=None,
                bytes_done=0,
                percent=0.0,
                speed=0.0,
                error=f"previous candidate failed: {reason}",
            )
            self._announce(self.get(job.id))
            return
        if permanent and len(job.candidates) <= 1:
            self._fail(job.id, reason)
            return
        self._retry_later(job.id, f"all candidates failed; last: {reason}", reset_candidates=True)

    # -- processing ----------------------------------------------------------------------

    async def _process(self, job: Job) -> None:
        if job.local_path is None:
            self._fail(job.id, "processing without a downloaded file")
            return
        source = Path(job.local_path)
        if job.kind is JobKind.PLAIN:
            if not _is_file(source):
                self._fail(job.id, f"downloaded file is gone: {source}")
                return
            self._move(job, (JobState.PROCESSING,), JobState.COMPLETED, result="plain")
            return
        if not _is_file(source):
            if job.destination and _is_file(job.destination):
                # A move finished just before a crash: it is done.
                self._move(job, (JobState.PROCESSING,), JobState.COMPLETED, result="moved")
                await self._clear_transfer(job)
                return
            self._fail(job.id, f"downloaded file is gone: {source}")
            return
        resolution = await self._resolution(job)
        if resolution is None:
            self._move(
                job,
                (JobState.PROCESSING,),
                JobState.COMPLETED,
                result="plain_no_match",
                error="no metadata match; kept in the downloads folder",
            )
            return
        cover = await self.covers.get(resolution.track.cover_url or _album_cover(resolution))
        dest = self.organiser.destination(source, resolution)
        self.jobs.update(
            job.id, destination=str(dest), track=resolution.track, album=resolution.album
        )
        self._moving.add(job.id)
        try:
            outcome = await asyncio.to_thread(
                self.organiser.organise,
                source,
                resolution,
                cover=cover,
                genres=genres_for(resolution, job.artist.genres if job.artist else ()),
            )
        except MoveError as exc:
            self._fail(
                job.id,
                f"could not file the download ({exc}); original kept at {source}",
                destination=None,
            )
            return
        finally:
            self._moving.discard(job.id)
        done = self.jobs.transition(
            job.id,
            (JobState.PROCESSING,),
            JobState.COMPLETED,
            destination=str(outcome.destination),
            result=outcome.status,
            error=None,
        )
        if not done:
            # Cancelled while the (atomic) move ran: record where the file went.
            self.jobs.update(
                job.id,
                destination=str(outcome.destination),
                result=f"{outcome.status}_before_cancel",
            )
        self._announce(self.get(job.id))
        await self._clear_transfer(job)

    def _start_resolving(self, job: Job) -> None:
        """Resolve metadata while the transfer runs (matched kinds only)."""
        if job.kind is JobKind.PLAIN or self.resolver is None or job.id in self._resolving:
            return
        if job.extra.get("resolution") is not None:
            return
        task = asyncio.create_task(self._resolve(job), name=f"resolve-job-{job.id}")
        self._resolving[job.id] = task
        # Errors are retrieved in _resolution; this keeps asyncio from warning meanwhile.
        task.add_done_callback(_consume_error)

    async def _resolution(self, job: Job) -> Resolution | None:
        stored = job.extra.get("resolution")
        if stored is not None:
            if not stored.get("matched"):
                return None
            if job.track is not None:
                return Resolution(
                    job.track,
                    job.album,
                    stored.get("folder_artist"),
                    stored.get("score", 0.0),
                    stored.get("how", ""),
                )
        task = self._resolving.pop(job.id, None)
        resolution = await task if task is not None else await self._resolve(job)
        self._store_resolution(job, resolution)
        return resolution

    def _store_resolution(self, job: Job, resolution: Resolution | None) -> None:
        extra = dict(job.extra)
        if resolution is None:
            extra["resolution"] = {"matched": False}
            self.jobs.update(job.id, wanted_json=codec.dumps(_wanted_blob(job, extra)))
            return
        extra["resolution"] = {
            "matched": True,
            "folder_artist": resolution.folder_artist,
            "score": round(resolution.score, 4),
            "how": resolution.how,
        }
        self.jobs.update(
            job.id,
            wanted_json=codec.dumps(_wanted_blob(job, extra)),
            track=resolution.track,
            album=resolution.album,
        )

    async def _resolve(self, job: Job) -> Resolution | None:
        resolver = self.resolver
        file = job.file
        if resolver is None:
            if job.kind is JobKind.PLAYLIST_TRACK and job.wanted is not None:
                return Resolution(job.wanted, None, None, 1.0, "playlist")
            return None
        if job.kind is JobKind.PLAYLIST_TRACK and job.wanted is not None:
            return await resolver.resolve_wanted(job.wanted)
        if file is None:
            return None
        if job.kind is JobKind.MATCHED_ALBUM and job.batch_id and job.album is not None:
            batch = [j.file for j in self.jobs.batch(job.batch_id) if j.file is not None]
            return await resolver.resolve_in_album(file, batch, job.album, job.artist)
        found = await resolver.resolve_file(file, job.artist)
        if found is None and job.artist is not None and job.kind is JobKind.MATCHED_ALBUM:
            # A favourites folder: files by other artists go under their own artist.
            found = await resolver.resolve_file(file, None)
        return found

    async def _clear_transfer(self, job: Job) -> None:
        fresh = self.get(job.id)
        if fresh.transfer_id and fresh.file is not None:
            try:
                await self.slskd.remove(fresh.file.username, fresh.transfer_id)
            except (*_TRANSIENT, TransferGone) as exc:
                log.warning("job %s: could not clear the transfer in slskd: %s", job.id, exc)

    # -- failure handling ----------------------------------------------------------------

    def _fail(self, job_id: int, reason: str, **values: Any) -> None:
        if self.jobs.transition(job_id, ACTIVE_STATES, JobState.FAILED, error=reason, **values):
            self._announce(self.get(job_id))

    def _retry_later(self, job_id: int, reason: str, *, reset_candidates: bool = False) -> None:
        job = self.get(job_id)
        if job.is_final:
            return
        attempts = job.attempts + 1
        if attempts > self.queue.retries:
            self._fail(job_id, f"{reason} (gave up after {job.attempts} retries)")
            return
        delay = self.queue.backoff(attempts)
        values: dict[str, Any] = {
            "attempts": attempts,
            "next_attempt_at": time.time() + delay,
            "error": f"{reason}; retry {attempts}/{self.queue.retries} in {delay:.0f}s",
        }
        if reset_candidates:
            if job.kind is JobKind.PLAYLIST_TRACK and not job.extra.get("fixed_candidates"):
                # Search again next time: peers come and go.
                values.update(candidates=(), file=None, candidate_index=0, transfer_id=None)
            elif job.candidates:
                values.update(file=job.candidates[0], candidate_index=0, transfer_id=None)
        if self.jobs.transition(job_id, ACTIVE_STATES, JobState.QUEUED, **values):
            self._announce(self.get(job_id))

    async def _after_user_cancel(self, job_id: int) -> None:
        # Only a transfer still under way is cancelled; a finished download stays on disk.
        if self._user_cancelled.get(job_id) in (JobState.DOWNLOADING, JobState.QUEUED):
            await self._cancel_transfer(self.get(job_id))

    async def _cancel_transfer(self, job: Job) -> None:
        if job.file is None:
            return
        transfer_id = job.transfer_id
        try:
            if transfer_id is None:
                found = await self.slskd.find(job.file.username, job.file.filename)
                transfer_id = found.id if found is not None else None
            if transfer_id is not None:
                await self.slskd.cancel(job.file.username, transfer_id, remove=True)
        except (*_TRANSIENT, TransferGone) as exc:
            log.warning("job %s: could not cancel the transfer in slskd: %s", job.id, exc)


def _wanted_blob(job: Job, extra: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"extra": extra}
    if job.wanted is not None:
        data["track"] = codec.track_to(job.wanted)
    return data


def _album_cover(resolution: Resolution) -> str | None:
    return resolution.album.cover_url if resolution.album is not None else None


def _new_batch_id() -> str:
    return uuid.uuid4().hex[:12]


def _alive(lease: dict[str, Any]) -> bool:
    """False when the lease holder is a process on this host that no longer exists."""
    if lease.get("host") != socket.gethostname():
        return True  # cannot tell; trust the heartbeat
    try:
        os.kill(int(lease.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def _is_file(path: str | Path | None) -> bool:
    """A quick stat (fine on the event loop: one local syscall)."""
    return path is not None and Path(path).is_file()


def _consume_error(task: asyncio.Task[Any]) -> None:
    """Mark a background task's error as seen (it is re-raised where it is awaited)."""
    if not task.cancelled():
        task.exception()
