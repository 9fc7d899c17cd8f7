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
import dataclasses
import functools
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence

from soulsync.domain import Playlist, Source, Track
from soulsync.matching.releases import ReleaseFacts
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
from soulsync.services.sync.library import PENDING_SCAN_KEY, LibraryCache, SyncError, SyncOptions
from soulsync.services.sync.mirror import (
    MirrorResult,
    mirror_playlist,
    not_mirrored,
    playlist_marker,
)
from soulsync.services.sync.mirror_lock import mirror_lock
from soulsync.services.sync.models import RunState, SyncMode, TrackStatus
from soulsync.services.sync.outage_wait import ServiceGaveUp
from soulsync.services.sync.ports import DownloadPort, JobOutcome
from soulsync.services.sync.record import Slot
from soulsync.services.sync.run_downloads import RunDownloads
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.services.sync.vanished import drop_vanished
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store

__all__ = ["LibraryCache", "RunExecutor", "SyncError", "SyncOptions"]  # options re-exported

log = logging.getLogger(__name__)


class RunExecutor(RunDownloads):
    """Executes one run. Built by ``SyncService``; ``await execute()`` in a task."""

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

    async def _read_library(self) -> tuple[LibrarySnapshot | None, str | None]:
        pending = self.store.get_setting(PENDING_SCAN_KEY)
        if self.options.folder_library and self.server is not None:
            # A folder has no server watching it: rescan (incremental, only changed
            # files are read) so files added or removed by hand are seen.
            try:
                await self.server.scan(None, wait=True)
            except ProviderError as exc:
                raise SyncError(f"the folder library cannot be scanned: {exc.message}") from exc
            self.library.invalidate()
        snapshot, why = await self.library.get()
        if snapshot is not None and pending and self.server is not None:
            # Files were downloaded while the server was down: have it scan them first.
            snapshot = await self._scan_and_reload(pending.get("paths") or [])
            if snapshot is not None:
                self.store.delete_setting(PENDING_SCAN_KEY)
        if snapshot is None and self.options.folder_library:
            raise SyncError(f"the folder library cannot be read: {why}")
        return snapshot, why

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

    async def _release_facts(
        self, tracks: Sequence[Track], snapshot: LibrarySnapshot | None
    ) -> ReleaseFacts | None:
        """Release types of the albums that decide this playlist's library verdicts.

        A first pass without facts finds the tracks owned from another album
        than the wanted one; only those albums are looked up (cached, paced,
        at most ``release_lookups``). Offline, the facts are empty and the
        check is what it was without them.
        """
        if self.releases is None or snapshot is None:
            return None
        return await self.releases.facts_for_library(
            snapshot.index, tracks, limit=self.options.release_lookups
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

    def _remember_owned(self, verdicts: Iterable[TrackVerdict]) -> None:
        pairs = [
            (v.track, v.library)
            for v in verdicts
            if v.track is not None and v.library is not None and not v.remembered
        ]
        self.ss.remember_owned_many(pairs)

    async def _mirror(self, playlist_row_id: int, mode: SyncMode) -> MirrorResult | None:
        if self.server is None or self.playlist is None:
            return None
        server, title = self.server, self.playlist.name
        then = ("mirroring", f"updating the {server.name} playlist")
        self._phase(*then)

        async def locked() -> MirrorResult:
            # Another process syncing the same playlist waits for this one (and then
            # reads the stored id and the playlist this one wrote). An unreachable
            # server is waited for outside the lock, which expires.
            async with mirror_lock(self.store, playlist_row_id, f"run:{self.run_id}"):
                return await self._mirror_locked(playlist_row_id, mode)

        try:
            result = await self._reachable(server.name, locked, then)
        except ServiceGaveUp as exc:
            verdicts = [self._current_verdict(s) for s in self.slots]
            result = not_mirrored(server.name, title, verdicts, None, str(exc))
            self._record_mirror(playlist_row_id, result)
        return result

    async def _mirror_locked(self, playlist_row_id: int, mode: SyncMode) -> MirrorResult:
        """Mirror and record the result; ``ServiceUnavailable`` leaves nothing recorded."""
        assert self.server is not None and self.playlist is not None
        row = self.ss.get_playlist(playlist_row_id)
        stored = (
            row.server_playlist_id
            if row is not None and row.server_name == self.server.name
            else None
        )
        verdicts = [self._current_verdict(s) for s in self.slots]
        intent_at = self._playlist_intent(playlist_row_id, stored)
        result = await mirror_playlist(
            self.server,
            self.playlist.name,
            verdicts,
            stored_id=stored,
            mode=mode,
            marker=playlist_marker(self.playlist.source.value, self.playlist.id),
            intent_at=intent_at,
        )
        self._record_mirror(playlist_row_id, result)
        return result

    def _record_mirror(self, playlist_row_id: int, result: MirrorResult) -> None:
        assert self.server is not None
        self.mirror = result
        if result.playlist_id and not result.error:
            self.ss.update_playlist(
                playlist_row_id,
                server_name=self.server.name,
                server_playlist_id=result.playlist_id,
                server_playlist_intent=None,
            )
        self.ss.update_run(
            self.run_id,
            server_playlist_id=result.playlist_id,
            in_server_playlist=result.placed if not result.error else 0,
            playlist_synced=result.verified and not result.error and result.playlist_id is not None,
            message=result.summary(),
        )
        self._publish("sync.mirror", lines=result.lines(), verified=result.verified)

    def _playlist_intent(self, playlist_row_id: int, stored: str | None) -> float | None:
        """Record "about to create the server playlist" before any create call.

        An intent left by an interrupted run keeps its time, so the playlist
        that run created (maybe without its marker yet) is found again.
        """
        if stored is not None:
            return None
        row = self.ss.get_playlist_intent(playlist_row_id)
        if row is not None:
            return float(row.get("at", time.time()))
        intent = {"server": self.server.name if self.server else None, "at": time.time()}
        self.ss.update_playlist(playlist_row_id, server_playlist_intent=json.dumps(intent))
        # A fresh intent: no earlier create can exist, so no same-title playlist
        # (maybe the user's own) is ever taken for ours.
        return None

    def _current_verdict(self, slot: Slot) -> TrackVerdict:
        return dataclasses.replace(slot.verdict, status=slot.status, reason=slot.reason)

    async def _refresh_after_downloads(
        self,
        playlist: Playlist,
        downloaded: Sequence[Slot],
        playlist_row_id: int,
        mode: SyncMode,
    ) -> None:
        if self.server is None:
            return
        paths = [s.destination for s in downloaded if s.destination]
        self._phase("scanning", f"waiting for {self.server.name} to pick up the new files")
        snapshot = await self._wait_for_server()
        if snapshot is None:
            if paths:
                self.store.set_setting(PENDING_SCAN_KEY, {"paths": paths, "at": time.time()})
            if downloaded:
                # A mirror done before the downloads does not hold them: not in sync.
                self.ss.update_run(self.run_id, playlist_synced=False)
            self.notes.append(f"the {self.server.name} playlist will be filled in by the next sync")
            return
        if downloaded:
            snapshot = await self._wait_for_files(downloaded)
            if snapshot is None:
                return
        # Re-judge every position with the fresh library (and the new memories).
        tracks = [e.track for e in playlist.entries if e.track is not None]
        decisions = self.ss.decisions_for(tracks)
        # The same release rules as the first check (answers come from the cache).
        facts = await self._release_facts(tracks, snapshot)
        fresh = await asyncio.to_thread(
            functools.partial(
                analyse_playlist,
                playlist,
                snapshot,
                decisions,
                settings=self.options.match,
                releases=facts,
            )
        )
        owned_now: list[TrackVerdict] = []
        for slot, verdict in zip(self.slots, fresh, strict=True):
            if verdict.status is TrackStatus.OWNED:
                before = slot.verdict.library.id if slot.verdict.library else None
                slot.verdict = verdict
                owned_now.append(verdict)
                if slot.status is TrackStatus.DOWNLOADED:
                    self._set(
                        slot,
                        TrackStatus.DOWNLOADED,
                        f"downloaded and in the library: {verdict.reason}",
                    )
                elif slot.status is not TrackStatus.OWNED or before != (
                    verdict.library.id if verdict.library else None
                ):
                    # Newly owned, or owned from memory while the server was down.
                    self._set(slot, TrackStatus.OWNED, verdict.reason)
            elif slot.status is TrackStatus.DOWNLOADED:
                self._set(
                    slot,
                    TrackStatus.FAILED,
                    f"downloaded to {slot.destination} but {self.server.name} does not list it",
                )
        self._remember_owned(owned_now)
        await self._mirror(playlist_row_id, mode)

    async def _library_now(self) -> LibrarySnapshot:
        """The library read afresh; ``ServiceUnavailable`` while the server cannot be reached.

        Any other error (a rejected token, a missing section) is raised as it
        is: waiting would not cure it.
        """
        assert self.server is not None
        snapshot, why = await self.library.get(force=True)
        if snapshot is None:
            if self.library.last_error is not None:
                raise self.library.last_error
            raise ServiceUnavailable(self.server.name, why or "not reachable")
        return snapshot

    async def _wait_for_server(self) -> LibrarySnapshot | None:
        assert self.server is not None
        then = ("scanning", f"waiting for {self.server.name} to pick up the new files")
        try:
            return await self._reachable(self.server.name, self._library_now, then)
        except ServiceGaveUp as exc:
            self.notes.append(str(exc))
            return None
        except ProviderError as exc:
            self.notes.append(f"{self.server.name} cannot be read: {exc.message}")
            return None

    async def _scan_and_reload(self, paths: Sequence[str]) -> LibrarySnapshot | None:
        assert self.server is not None
        server = self.server
        then = ("scanning", f"waiting for {server.name} to pick up the new files")
        try:
            await self._reachable(
                server.name,
                lambda: server.scan(self.options.scan_path, wait=True, expect=paths),
                then,
            )
        except ProviderError as exc:
            self.notes.append(f"{server.name} scan failed: {exc.message}")
            return None
        except ServiceGaveUp as exc:
            self.notes.append(str(exc))
            return None
        self.library.invalidate()
        snapshot, _why = await self.library.get(force=True)
        return snapshot

    async def _wait_for_files(self, downloaded: Sequence[Slot]) -> LibrarySnapshot | None:
        """Scan, then wait until every downloaded file is in the library (or time runs out)."""
        paths = [s.destination for s in downloaded if s.destination]
        deadline = time.monotonic() + self.options.scan_wait_s
        snapshot = await self._scan_and_reload(paths)
        last_scan = time.monotonic()
        # A file found only by matching (not by its path) obeys the release
        # rules of every library check; the facts come from the cache.
        wanted = [s.verdict.track for s in downloaded if s.verdict.track is not None]
        facts = await self._release_facts(wanted, snapshot)
        while True:
            if snapshot is not None:
                unseen = self._link_downloads(snapshot, downloaded, facts)
                if not unseen:
                    return snapshot
            if time.monotonic() >= deadline:
                if snapshot is not None:
                    self.notes.append(
                        f"{len(unseen)} downloaded file(s) did not appear in "
                        f"{self.server.name if self.server else 'the library'} in time"
                    )
                return snapshot
            await asyncio.sleep(self.options.server_retry_s)
            if time.monotonic() - last_scan >= self.options.scan_retrigger_s:
                snapshot = await self._scan_and_reload(paths)
                last_scan = time.monotonic()
            else:
                self.library.invalidate()
                snapshot, _ = await self.library.get(force=True)

    def _link_downloads(
        self,
        snapshot: LibrarySnapshot,
        downloaded: Sequence[Slot],
        facts: ReleaseFacts | None = None,
    ) -> list[Slot]:
        """Remember downloaded tracks whose file the library lists; return the others."""
        unseen: list[Slot] = []
        pairs = []
        for slot in downloaded:
            track = slot.verdict.track
            lib = snapshot.resolve(None, slot.destination) if slot.destination else None
            if lib is None and track is not None:
                match = snapshot.index.check(track, facts)
                if match.owned:
                    lib = match.track
            if lib is None or track is None:
                unseen.append(slot)
            else:
                pairs.append((track, lib))
        self.ss.remember_owned_many(pairs)
        return unseen

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
