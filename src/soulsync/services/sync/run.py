"""One playlist sync run, step by step: fetch, analyse, mirror, download, scan, mirror again.

Every step writes its result to the store before the next begins, and every
step is idempotent, so a run interrupted by a restart is simply executed again
with the same id: the playlist comes from the snapshot cache, the analysis is
redone (seconds), download jobs queued before the restart are found through
the run's own per-track rows and followed to their end instead of being
queued twice, and the media-server playlist is compared before it is written.

Events on the bus: ``sync.state`` (run id, state, phase, message) when the run
changes phase, ``sync.track`` (run id, position, status, reason, ...) whenever
one track's status changes, and ``sync.progress`` (run id, done, total, the
counters) after each track of the analysis and each download outcome.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from soulsync.domain import Playlist, Source
from soulsync.providers.base import (
    CoolingDown,
    MediaServer,
    PlaylistSource,
    ProviderError,
    RateLimited,
    ServiceUnavailable,
)
from soulsync.services.events import EventBus
from soulsync.services.filed import FiledTracks
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.analysis import LibrarySnapshot, TrackVerdict, analyse_playlist
from soulsync.services.sync.fallback import disk_snapshot, mark_fallback
from soulsync.services.sync.library import LibraryCache, SyncError, SyncOptions
from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.ports import DownloadPort, JobOutcome
from soulsync.services.sync.record import Slot
from soulsync.services.sync.run_downloads import RunDownloads
from soulsync.services.sync.run_library import RunLibrary
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.services.sync.vanished import drop_vanished
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store

__all__ = ["LibraryCache", "RunExecutor", "SyncError", "SyncOptions"]  # options re-exported

log = logging.getLogger(__name__)


class RunExecutor(RunLibrary, RunDownloads):
    """Executes one run. Built by ``SyncService``; ``await execute()`` in a task.

    The library reads and waits come from :class:`RunLibrary` (mirroring from
    its base :class:`~soulsync.services.sync.run_mirror.RunMirror`), the
    downloads from :class:`RunDownloads`.
    """

    def __init__(
        self,
        *,
        run_id: str,
        store: Store,
        sync_store: SyncStore,
        sources: Mapping[Source, PlaylistSource],
        server: MediaServer | None,
        library: LibraryCache,
        downloads: DownloadPort | None,
        wishlist: WishlistService,
        bus: EventBus | None,
        options: SyncOptions,
        releases: ReleaseTypeService | None = None,
    ) -> None:
        super().__init__(run_id=run_id, store=store, sync_store=sync_store, bus=bus)
        self.releases = releases
        self.sources = sources
        self.server = server
        self.library = library
        self.downloads = downloads
        self.wishlist = wishlist
        self.options = options
        self.shutting_down = False  # set by SyncService.stop(): leave the run resumable

    async def execute(self) -> None:
        """Run to the end; records COMPLETED, FAILED or CANCELLED (resumable on shutdown)."""
        record = self.ss.get_run(self.run_id)
        if record is None:
            raise SyncError(f"no sync run with id {self.run_id}")
        resume = self.ss.resume_state(self.run_id)
        self.created_jobs = [int(j) for j in resume.get("created_jobs", [])]
        prior_jobs = {
            row.track_key: row.job_id
            for row in self.ss.run_tracks(self.run_id)
            if row.track_key and row.job_id is not None
        }
        try:
            await self._execute(record.source, record.source_id, prior_jobs)
        except asyncio.CancelledError:
            if self.shutting_down:
                # Process shutdown: leave the run as it is so the next start resumes it.
                raise
            await self._cleanup_cancelled()
            raise
        except (SyncError, ProviderError) as exc:
            self._finish(RunState.FAILED, error=str(exc))

    async def _execute(self, source: str, source_id: str, prior_jobs: dict[str, int]) -> None:
        run = self.ss.get_run(self.run_id)
        assert run is not None
        self._phase("fetching", f"reading the playlist from {source}")
        playlist = await self._fetch(Source(source), source_id)
        self.playlist = playlist
        row = self.ss.upsert_playlist(playlist)
        mode = run.mode
        self.ss.update_run(
            self.run_id,
            playlist_row_id=row.id,
            playlist_name=playlist.name,
            snapshot_id=playlist.snapshot_id,
            total=len(playlist.entries),
        )
        self.ss.update_playlist(row.id, last_run_id=self.run_id)

        self._phase("library", "reading the library")
        snapshot, why = await self._read_library()
        self.ss.update_run(
            self.run_id,
            server_reachable=snapshot is not None,
            media_server=self.server.name if self.server else None,
        )
        judged_by = snapshot
        if snapshot is None and self.options.fallback_folders:
            self._phase("library", f"{why}: reading the files on disk instead")
            judged_by = await asyncio.to_thread(
                disk_snapshot, self.options.fallback_folders, self.options.match
            )

        self._phase("analysing", f"checking {len(playlist.entries)} tracks against the library")
        verdicts = await self._analyse(playlist, judged_by, why)
        if snapshot is None:
            server = self.server.name if self.server else "the media server"
            if judged_by is not None:
                verdicts = mark_fallback(verdicts, server)
                found = sum(1 for v in verdicts if v.status is TrackStatus.OWNED)
                self.notes.append(
                    f"{why}: {found} track(s) were judged owned from the files on disk "
                    f"({', '.join(self.options.fallback_folders)}); the rest counts as missing"
                )
            else:
                self.notes.append(f"{why}: every track counts as missing")
        verdicts, gone = await asyncio.to_thread(drop_vanished, verdicts)
        if gone:
            # The server lists deleted files until its next scan: read it afresh later.
            self.library.invalidate()
            self.notes.append(f"{gone} file(s) the library still lists were deleted: fetched again")
        self.slots = [Slot(v, v.status, v.reason) for v in verdicts]
        for slot in self.slots:
            key = slot.verdict.key
            if slot.status is TrackStatus.MISSING and key in prior_jobs:
                slot.job_id = prior_jobs[key]
        await self._find_earlier_downloads(snapshot is not None)
        self._write_all_tracks()
        self._progress()
        if run.dry_run:
            self._finish(RunState.COMPLETED)
            return
        if snapshot is not None:
            self._remember_owned(v for v in verdicts if v.status is TrackStatus.OWNED)
            await self._mirror(row.id, mode)

        if run.download_missing:
            await self._download_missing(playlist)

        downloaded = [s for s in self.slots if s.status is TrackStatus.DOWNLOADED]
        if downloaded or snapshot is None:
            await self._refresh_after_downloads(playlist, downloaded, row.id, mode)
        self._finish(RunState.COMPLETED)

    # -- steps ------------------------------------------------------------------------------------

    async def _fetch(self, source: Source, source_id: str) -> Playlist:
        provider = self.sources.get(source)
        cached_row = self.ss.find_playlist(source, source_id)
        if provider is None:
            raise SyncError(f"no {source.value} playlist source is configured")
        stale_before = getattr(provider, "stale_served", 0)
        try:
            playlist = await provider.get_playlist(source_id)
            if getattr(provider, "stale_served", 0) > stale_before:
                # The client answered from its stored copy: the run's summary says so.
                self.notes.append(
                    f"{source.value} was not reachable: used the copy of the playlist read earlier"
                )
        except (ServiceUnavailable, CoolingDown, RateLimited) as exc:
            cached = self.ss.cached_playlist(cached_row.id) if cached_row else None
            if cached is not None:
                self.notes.append(f"{exc.message}; used the copy of the playlist read earlier")
                return cached
            if not isinstance(exc, ServiceUnavailable):
                raise
            # No copy to fall back on: the run waits for the source to come back.
            playlist = await self._reachable(
                source.value,
                lambda: provider.get_playlist(source_id),
                ("fetching", f"reading the playlist from {source.value}"),
            )
        if not playlist.readable:
            raise SyncError(
                f'cannot read the tracks of "{playlist.name}": '
                f"{playlist.unreadable_reason or 'the source refuses it'}"
            )
        return playlist

    async def _analyse(
        self, playlist: Playlist, snapshot: LibrarySnapshot | None, why: str | None
    ) -> list[TrackVerdict]:
        tracks = [e.track for e in playlist.entries if e.track is not None]
        decisions = self.ss.decisions_for(tracks)
        facts = await self._release_facts(tracks, snapshot)
        total = len(playlist.entries)
        counter = {"n": 0}

        def on_verdict(v: TrackVerdict) -> None:
            # Runs in the worker thread; the bus is thread-safe.
            counter["n"] += 1
            if self.bus is not None:
                self.bus.publish(
                    "sync.track",
                    run_id=self.run_id,
                    position=v.position,
                    status=v.status.value,
                    title=v.track.title if v.track else None,
                    artist=v.track.display_artist if v.track else None,
                    confidence=v.confidence,
                    reason=v.reason,
                    job_id=None,
                    library_path=v.library.path if v.library else None,
                )
                self.bus.publish(
                    "sync.progress",
                    run_id=self.run_id,
                    phase="analysing",
                    done=counter["n"],
                    total=total,
                )

        return await asyncio.to_thread(
            analyse_playlist,
            playlist,
            snapshot,
            decisions,
            settings=self.options.match,
            unreachable_reason=why or "no media server reachable",
            on_verdict=on_verdict,
            releases=facts,
        )

    async def _find_earlier_downloads(self, server_reachable: bool) -> None:
        """Missing tracks whose file the "owned once" memory names and that is on disk.

        * fetched before (by a run or the wishlist) but not yet listed by the
          library: not fetched again, they wait for the library scan like this
          run's own downloads;
        * matched in the library before, while the media server cannot be
          reached: owned (the file is there), not fetched again - the
          "download all" fallback only fetches what was never seen.
        """
        candidates = [s for s in self.slots if s.status is TrackStatus.MISSING and s.job_id is None]
        if not candidates:
            return
        tracks = [s.verdict.track for s in candidates if s.verdict.track]
        server = self.server.name if self.server else "the media server"
        # SoulSync's own record of filed tracks comes first: it is written in the
        # transaction that completes a download, so nothing filed is fetched twice.
        filed = await asyncio.to_thread(FiledTracks(self.store).find_many, tracks)
        for slot in candidates:
            hit = filed.get(slot.verdict.key or "")
            if hit is None:
                continue
            if server_reachable:
                slot.destination = hit.path
                self._set(
                    slot,
                    TrackStatus.DOWNLOADED,
                    f"downloaded earlier to {hit.path}; waiting for the library to list it",
                )
            else:
                self._set(
                    slot,
                    TrackStatus.OWNED,
                    f"owned: {hit.path} (filed by SoulSync; {server} could not confirm it)",
                )
        candidates = [s for s in candidates if s.status is TrackStatus.MISSING]
        decisions = self.ss.decisions_for([s.verdict.track for s in candidates if s.verdict.track])
        for slot in candidates:
            for decision in decisions.get(slot.verdict.key or "", []):
                path = decision.library_path
                if decision.kind is not DecisionKind.OWNED or path is None:
                    continue
                exists: bool = await asyncio.to_thread(_is_file, path)
                if not exists:
                    continue
                if decision.library_id is not None and not server_reachable:
                    self._set(
                        slot,
                        TrackStatus.OWNED,
                        f"owned: {path} (owned before; the file is there, "
                        f"{server} could not confirm it)",
                    )
                else:
                    slot.destination = path
                    self._set(
                        slot,
                        TrackStatus.DOWNLOADED,
                        f"downloaded earlier to {path}; waiting for the library to list it",
                    )
                break

    # -- ending -------------------------------------------------------------------------------------

    async def _cleanup_cancelled(self) -> None:
        """Cancel this run's unfinished downloads and record the run as cancelled."""
        if self.downloads is not None:
            pending = self.downloads.reports(self.created_jobs)
            for job_id, report in pending.items():
                if report.outcome is JobOutcome.PENDING:
                    await self.downloads.cancel(job_id)
        for slot in self.slots:
            if slot.status is TrackStatus.QUEUED:
                self._set(slot, TrackStatus.FAILED, "cancelled with the sync")
        self.notes.append("cancelled by the user")
        self._finish(RunState.CANCELLED)


def _is_file(path: str) -> bool:
    return os.path.isfile(path)
