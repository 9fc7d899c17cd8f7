"""Playlist sync: the service the web UI, the CLI and the scheduler call.

``SyncService`` ties the steps together (see :mod:`soulsync.services.sync.run`
for one run) and keeps the bookkeeping: which playlists are followed and
selected, which runs are going on (background tasks, cancellable), the
resumption of runs a restart interrupted, per-track status for a playlist
page, the user's match decisions, and the wishlist with its retry schedule.

Typical use::

    service = SyncService(store, sources={Source.SPOTIFY: spotify},
                          media_server=plex, downloads=QueueDownloads(queue), bus=bus)
    await service.start()                      # resumes interrupted runs, starts the schedule
    run_id = await service.start_sync("spotify:37i9...", download_missing=True)
    record = await service.wait(run_id)        # or follow sync.* events on the bus
    await service.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from soulsync.domain import Source
from soulsync.providers.base import MediaServer, PlaylistSource
from soulsync.services.events import EventBus
from soulsync.services.filed import FiledTracks
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.file_source import FilePlaylistSource
from soulsync.services.sync.handover import RunHandover
from soulsync.services.sync.match_fixes import MatchFixes
from soulsync.services.sync.models import PlaylistRef, RunState, SyncMode, TrackStatus
from soulsync.services.sync.owners import RunOwnership, new_owner
from soulsync.services.sync.ports import DownloadPort, JobOutcome
from soulsync.services.sync.run import LibraryCache, RunExecutor, SyncError, SyncOptions
from soulsync.services.sync.run_rows import RunRecord
from soulsync.services.sync.store import SyncStore
from soulsync.services.wishlist.scheduler import WishlistScheduler
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store

__all__ = ["SyncError", "SyncOptions", "SyncService"]

log = logging.getLogger(__name__)


# Row statuses a later filing of the same recording turns into "downloaded".
_STILL_WANTED = frozenset({TrackStatus.MISSING, TrackStatus.WISHLISTED, TrackStatus.FAILED})


class SyncService(RunOwnership, RunHandover, MatchFixes):
    """Playlist sync for the web UI, the CLI and schedules. One per process.

    Known playlists (refresh, find, select) come from
    :class:`~soulsync.services.sync.followed_playlists.FollowedPlaylists` and the
    "fix this match" actions from :class:`~soulsync.services.sync.match_fixes.MatchFixes`.
    """

    def __init__(
        self,
        store: Store,
        *,
        sources: Mapping[Source, PlaylistSource],
        media_server: MediaServer | None,
        downloads: DownloadPort | None,
        bus: EventBus | None = None,
        options: SyncOptions | None = None,
        wishlist: WishlistService | None = None,
        releases: ReleaseTypeService | None = None,
    ) -> None:
        self.store = store
        # Release types (live albums without "live") for the library check.
        self.releases = releases
        self.sync_store = SyncStore(store)
        self.sources = dict(sources)
        # Playlist files need no account: always available unless replaced.
        cap = (options or SyncOptions()).max_playlist_bytes
        self.sources.setdefault(Source.FILE, FilePlaylistSource(cap))
        self.media_server = media_server
        self.downloads = downloads
        self.bus = bus
        self.options = options or SyncOptions()
        self.wishlist = wishlist or WishlistService(
            store, downloads, bus, cooldown_s=self.options.wishlist_cooldown_s
        )
        self.scheduler = (
            WishlistScheduler(self.wishlist, self.options.wishlist_interval_s)
            if self.options.wishlist_interval_s > 0
            else None
        )
        self.library = LibraryCache(media_server, self.options.match, self.options.library_ttl_s)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._executors: dict[str, RunExecutor] = {}
        self._queue_lock = asyncio.Lock()  # "sync --all" runs one playlist at a time
        self.owner = new_owner()  # names this process on the runs it works
        self._heartbeat: asyncio.Task[None] | None = None
        self._wishlist_follower: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, schedule: bool = True) -> list[str]:
        """Resume runs a restart interrupted and start the wishlist schedule.

        Returns the ids of the resumed runs.
        """
        resumed = []
        for run in self._orphaned_runs():
            if not self._claim(run):
                continue  # another process resumed it a moment ago
            log.info("resuming sync run %s (%s)", run.id, run.playlist_name)
            # One after another, oldest first, as "sync --all" would have run them.
            self._launch(run.id, serial=True)
            resumed.append(run.id)
        # Wishlist downloads that finished while the process was down, and from
        # now on each one as it finishes.
        await self.wishlist.reconcile()
        if self._wishlist_follower is None or self._wishlist_follower.done():
            self._wishlist_follower = asyncio.create_task(
                self.wishlist.follow_jobs(), name="wishlist-follow-jobs"
            )
        if schedule and self.scheduler is not None:
            self.scheduler.start()
        return resumed

    async def stop(self) -> None:
        """Stop the schedule and interrupt running runs so the next ``start`` resumes them."""
        await self._stop_background()
        tasks = list(self._tasks.items())
        for run_id, task in tasks:
            executor = self._executors.get(run_id)
            if executor is not None:
                executor.shutting_down = True
            task.cancel()
        for _run_id, task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Left resumable and owned by nobody: the next start (any process) resumes them.
        self.sync_store.release_runs([run_id for run_id, _task in tasks], self.owner)

    async def _stop_background(self) -> None:
        """Stop the heartbeat, the wishlist schedule and the wishlist follower."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        if self.scheduler is not None:
            await self.scheduler.stop()
        follower, self._wishlist_follower = self._wishlist_follower, None
        if follower is not None:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    # -- runs ---------------------------------------------------------------------------------------

    async def start_sync(
        self,
        playlist_ref: str | PlaylistRef,
        *,
        download_missing: bool = False,
        dry_run: bool = False,
        mode: SyncMode | None = None,
    ) -> str:
        """Start a sync in the background and return its run id at once.

        A playlist already being synced returns the id of that run instead of
        starting a second one. ``mode`` None uses the playlist's stored mode
        (default mirror). Raises ``SyncError``/``PlaylistRefError`` for a
        reference that cannot be resolved.
        """
        source, source_id = await self._resolve(playlist_ref)
        if not dry_run:
            # An analysis (dry run, e.g. started by opening the playlist) must not
            # swallow a real sync: let it finish, then start the real one.
            for run_id in list(self._tasks):
                run = self.sync_store.get_run(run_id)
                if run and run.dry_run and (run.source, run.source_id) == (source.value, source_id):
                    await self.wait(run_id)
        return self._create_and_launch(source, source_id, download_missing, dry_run, mode)

    def _create_and_launch(
        self,
        source: Source,
        source_id: str,
        download_missing: bool,
        dry_run: bool,
        mode: SyncMode | None,
        *,
        launch: bool = True,
    ) -> str:
        if source not in self.sources:
            raise SyncError(f"no {source.value} playlist source is configured")
        record = self.sync_store.find_playlist(source, source_id)
        for run_id in self._tasks:
            run = self.sync_store.get_run(run_id)
            if run is not None and (run.source, run.source_id) == (source.value, source_id):
                return run_id
        resumed = self._recover_orphans(source, source_id)
        if resumed is not None:
            # A restarted CLI goes on with the run its killed predecessor left: its jobs
            # are followed to their end, nothing is queued twice.
            if launch:
                self._launch(resumed)
            return resumed
        chosen = mode or (record.mode if record is not None else self.options.mode)
        run_id = self.sync_store.create_run(
            playlist_row_id=record.id if record else None,
            playlist_name=record.name if record else f"{source.value}:{source_id}",
            source=source.value,
            source_id=source_id,
            mode=chosen,
            download_missing=download_missing,
            dry_run=dry_run,
            media_server=self.media_server.name if self.media_server else None,
            owner=self.owner,
        )
        self._publish_state(run_id, RunState.PENDING)
        if launch:
            self._launch(run_id)
        return run_id

    async def sync_all(self, *, download_missing: bool = False, dry_run: bool = False) -> list[str]:
        """Sync every selected playlist, one after another; returns their run ids at once."""
        selected = self.sync_store.list_playlists(selected_only=True)
        run_ids = [
            self._create_and_launch(
                p.source, p.source_id, download_missing, dry_run, None, launch=False
            )
            for p in selected
        ]
        for run_id in run_ids:
            self._launch(run_id, serial=True)
        return run_ids

    def _launch(self, run_id: str, *, serial: bool = False) -> None:
        executor = RunExecutor(
            run_id=run_id,
            store=self.store,
            sync_store=self.sync_store,
            sources=self.sources,
            server=self.media_server,
            library=self.library,
            downloads=self.downloads,
            wishlist=self.wishlist,
            bus=self.bus,
            options=self.options,
            releases=self.releases,
        )

        async def body() -> None:
            if serial:
                async with self._queue_lock:
                    await executor.execute()
            else:
                await executor.execute()

        task = asyncio.create_task(body(), name=f"sync-run-{run_id}")
        self._tasks[run_id] = task
        self._executors[run_id] = executor
        task.add_done_callback(lambda t: self._done(run_id, t))
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="sync-heartbeat")

    def _done(self, run_id: str, task: asyncio.Task[None]) -> None:
        self._tasks.pop(run_id, None)
        executor = self._executors.pop(run_id, None)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        # A bug, not a user error: record it so the run does not look alive forever.
        log.error("sync run %s crashed", run_id, exc_info=exc)
        run = self.sync_store.get_run(run_id)
        if run is not None and not run.state.is_final and executor is not None:
            self.sync_store.update_run(
                run_id,
                state=RunState.FAILED,
                phase="done",
                finished_at=time.time(),
                error=f"internal error: {type(exc).__name__}: {exc}",
            )
            self._publish_state(run_id, RunState.FAILED)

    async def cancel(self, run_id: str) -> RunRecord:
        """Cancel a run: its unfinished downloads are cancelled, the run is recorded cancelled.

        The media-server playlist keeps its last verified state. Cancelling a
        finished run changes nothing. ``SyncError`` for an unknown id.
        """
        run = self.sync_store.get_run(run_id)
        if run is None:
            raise SyncError(f"no sync run with id {run_id}")
        task = self._tasks.get(run_id)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        elif not run.state.is_final:
            # Not running in this process (left over): record it as cancelled.
            self.sync_store.update_run(
                run_id,
                state=RunState.CANCELLED,
                phase="done",
                finished_at=time.time(),
                message="cancelled by the user",
            )
            self._publish_state(run_id, RunState.CANCELLED)
        fresh = self.sync_store.get_run(run_id)
        assert fresh is not None
        return fresh

    def status(self, run_id: str) -> dict[str, Any]:
        """A run's record, its per-track outcomes and the tracks left out of the server playlist."""
        run = self.sync_store.get_run(run_id)
        if run is None:
            raise SyncError(f"no sync run with id {run_id}")
        tracks = self.sync_store.run_tracks(run_id)
        return {
            "run": run.as_dict(),
            "running": run_id in self._tasks,
            "tracks": [t.as_dict() for t in tracks],
            "left_out": [
                t.as_dict()
                for t in tracks
                if t.status not in (TrackStatus.OWNED, TrackStatus.DOWNLOADED)
            ],
        }

    def run(self, run_id: str) -> RunRecord:
        """A run's record; ``SyncError`` for an unknown id."""
        run = self.sync_store.get_run(run_id)
        if run is None:
            raise SyncError(f"no sync run with id {run_id}")
        return run

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The newest runs first (for ``soulsync report`` and the UI)."""
        return self.sync_store.runs(limit=limit)

    def is_running(self, run_id: str) -> bool:
        """True while the run's task is alive in this process."""
        return run_id in self._tasks

    async def wait(self, run_id: str) -> RunRecord:
        """Wait until the run has finished (in this process); returns its record.

        Wrap it in ``asyncio.timeout()`` to bound the wait; the run goes on.
        """
        task = self._tasks.get(run_id)
        if task is not None:
            # asyncio.wait neither raises the task's error nor cancels the task.
            await asyncio.wait({task})
        return self.run(run_id)

    # -- per-track status for a playlist page ---------------------------------------------------------

    def playlist_tracks_status(self, playlist_ref: str | PlaylistRef) -> list[dict[str, Any]]:
        """Each position of a known playlist: owned / missing / downloading / wishlisted ...

        Built from the playlist's last run, overlaid with what changed since:
        the live state of its download jobs and of its wishlist entries. A
        playlist never synced lists its cached tracks with status ``unknown``.
        """
        record = self.find_playlist(playlist_ref)
        runs = self.sync_store.runs(limit=1, playlist_row_id=record.id)
        if not runs:
            cached = self.sync_store.cached_playlist(record.id)
            if cached is None:
                return []
            return [
                {
                    "position": e.position,
                    "title": e.track.title if e.track else None,
                    "artist": e.track.display_artist if e.track else None,
                    "album": e.track.album if e.track else None,
                    "status": "unknown",
                    "reason": "not analysed yet",
                }
                for e in cached.entries
            ]
        rows = self.sync_store.run_tracks(runs[0].id)
        reports = (
            self.downloads.reports([r.job_id for r in rows if r.job_id is not None])
            if self.downloads is not None
            else {}
        )
        wished = self.wishlist.find_many([r.track for r in rows if r.track is not None])
        # Filed since the run (a search download, another playlist): downloaded, not missing.
        filed = FiledTracks(self.store).find_many(
            r.track for r in rows if r.track is not None and r.status in _STILL_WANTED
        )
        out = []
        for row in rows:
            item = row.as_dict()
            if row.status in _STILL_WANTED and row.track_key in filed:
                item["status"] = TrackStatus.DOWNLOADED.value
                out.append(item)
                continue
            report = reports.get(row.job_id) if row.job_id is not None else None
            if report is not None and row.status is TrackStatus.QUEUED:
                if report.outcome is JobOutcome.PENDING:
                    item["status"] = "downloading" if report.state == "downloading" else "queued"
                    item["percent"] = round(report.percent, 1)
                elif report.outcome is JobOutcome.DOWNLOADED:
                    item["status"] = TrackStatus.DOWNLOADED.value
            entry = wished.get(row.track_key) if row.track_key else None
            if entry is not None and row.status not in (TrackStatus.OWNED, TrackStatus.DOWNLOADED):
                item["wishlist"] = entry.as_dict()
                if entry.state == "resolved":
                    item["status"] = TrackStatus.DOWNLOADED.value
                elif entry.ignored:
                    item["status"] = TrackStatus.SKIPPED.value
                elif entry.state == "queued" and item["status"] != "downloading":
                    item["status"] = "queued"
                elif item["status"] not in ("queued", "downloading"):
                    item["status"] = TrackStatus.WISHLISTED.value
            out.append(item)
        return out
