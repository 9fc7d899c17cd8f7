"""The mirroring step of a sync run: write the playlist to the media server and record it.

Mixed into :class:`~soulsync.services.sync.run.RunExecutor`. Another process
syncing the same playlist waits behind a lock; an unreachable server is waited
for (outside the lock) and, once the wait gives up, the run records the
playlist as not mirrored. Before the first create call the intent is stored,
so a playlist an interrupted run created is found again instead of doubled.
"""

from __future__ import annotations

import dataclasses
import json
import time

from soulsync.providers.base import MediaServer
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.mirror import (
    MirrorResult,
    mirror_playlist,
    not_mirrored,
    playlist_marker,
)
from soulsync.services.sync.mirror_lock import mirror_lock
from soulsync.services.sync.models import SyncMode
from soulsync.services.sync.outage_wait import RunWaits, ServiceGaveUp
from soulsync.services.sync.record import Slot

__all__ = ["RunMirror"]


class RunMirror(RunWaits):
    """Mirroring a run's playlist to the media server (needs the executor's ``server``)."""

    server: MediaServer | None

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
