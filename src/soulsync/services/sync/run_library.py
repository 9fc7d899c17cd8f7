"""The library side of a sync run: read it, and after the downloads wait for it to list them.

Mixed into :class:`~soulsync.services.sync.run.RunExecutor`. Reading the
library first has the server scan files downloaded while it was down (a folder
library is rescanned every time). The release facts every library check of
the run uses are looked up here, and the "owned" memory is written here. After
the downloads the run waits until the library lists the new files (scanning
again now and then), re-judges every position with the fresh library and
mirrors the playlist again.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Iterable, Sequence

from soulsync.domain import Playlist, Track
from soulsync.matching.releases import ReleaseFacts
from soulsync.providers.base import ProviderError, ServiceUnavailable
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.analysis import LibrarySnapshot, TrackVerdict, analyse_playlist
from soulsync.services.sync.library import PENDING_SCAN_KEY, LibraryCache, SyncError, SyncOptions
from soulsync.services.sync.models import SyncMode, TrackStatus
from soulsync.services.sync.outage_wait import ServiceGaveUp
from soulsync.services.sync.record import Slot
from soulsync.services.sync.run_mirror import RunMirror

__all__ = ["RunLibrary"]


class RunLibrary(RunMirror):
    """Reading, rescanning and re-judging against the library (needs the executor's attributes)."""

    library: LibraryCache
    releases: ReleaseTypeService | None
    options: SyncOptions

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

    def _remember_owned(self, verdicts: Iterable[TrackVerdict]) -> None:
        pairs = [
            (v.track, v.library)
            for v in verdicts
            if v.track is not None and v.library is not None and not v.remembered
        ]
        self.ss.remember_owned_many(pairs)

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
