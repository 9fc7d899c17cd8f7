"""The playlists a sync service knows: listing them from the sources, finding and selecting one.

Mixed into :class:`~soulsync.services.sync.service.SyncService`.
:class:`PlaylistStatus` is what the playlists page shows for each: the stored
playlist, the counters of its last run and the run going on, if any.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from soulsync.domain import Source
from soulsync.providers.base import PlaylistSource, ProviderError
from soulsync.services.sync.library import SyncError
from soulsync.services.sync.listed import remember_listed_snapshot
from soulsync.services.sync.models import PlaylistRef, SyncMode
from soulsync.services.sync.run_rows import RunRecord
from soulsync.services.sync.store import PlaylistRecord, SyncStore
from soulsync.store import Store

__all__ = ["FollowedPlaylists", "PlaylistStatus"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlaylistStatus:
    """A followed playlist with the counters of its last run (for the playlists page)."""

    playlist: PlaylistRecord
    last_run: RunRecord | None
    running_run_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        p = self.playlist
        run = self.last_run
        return {
            "id": p.id,
            "ref": p.ref,
            "source": p.source.value,
            "source_id": p.source_id,
            "name": p.name,
            "owner": p.owner,
            "selected": p.selected,
            "mode": p.mode.value,
            "track_count": p.track_count,
            "snapshot_id": p.snapshot_id,
            "server_name": p.server_name,
            "server_playlist_id": p.server_playlist_id,
            "last_synced_at": p.last_synced_at,
            "running_run_id": self.running_run_id,
            "last_run": run.as_dict() if run is not None else None,
            "counts": {
                "total": run.total if run else p.track_count,
                "owned": (run.owned + run.downloaded) if run else 0,
                "missing": run.missing if run else 0,
                "uncertain": run.uncertain if run else 0,
                "wishlisted": run.wishlisted if run else 0,
                "failed": run.failed if run else 0,
                "unavailable": run.unavailable if run else 0,
                "in_server_playlist": run.in_server_playlist if run else 0,
            },
            "playlist_synced": bool(run and run.playlist_synced),
        }


class FollowedPlaylists:
    """Known playlists of the sync service. Needs ``store``, ``sync_store``, ``sources``
    and the ``_tasks`` of running runs (the sync service's)."""

    store: Store
    sync_store: SyncStore
    sources: dict[Source, PlaylistSource]
    _tasks: dict[str, asyncio.Task[None]]

    async def refresh_playlists(self) -> list[PlaylistRecord]:
        """Ask every source for the user's playlists and remember them (without tracks).

        A source that fails is skipped (its playlists stay as last known); the
        error is logged.
        """
        for source, provider in self.sources.items():
            try:
                found = await provider.list_playlists()
            except ProviderError as exc:
                log.warning("could not list %s playlists: %s", source.value, exc)
                continue
            for playlist in found:
                self.sync_store.upsert_playlist(playlist, with_entries=False)
                remember_listed_snapshot(self.store, playlist)
        return self.sync_store.list_playlists()

    def list_playlists(self, *, selected_only: bool = False) -> list[PlaylistStatus]:
        """Known playlists with the counters of their last run."""
        out = []
        running = {
            r.playlist_row_id: r.id
            for r in (self.sync_store.get_run(rid) for rid in self._tasks)
            if r is not None
        }
        for record in self.sync_store.list_playlists(selected_only=selected_only):
            runs = self.sync_store.runs(limit=1, playlist_row_id=record.id)
            out.append(PlaylistStatus(record, runs[0] if runs else None, running.get(record.id)))
        return out

    def find_playlist(self, playlist_ref: str | PlaylistRef) -> PlaylistRecord:
        """A known playlist by ``source:id``, URL or name; ``SyncError`` if unknown/ambiguous."""
        ref = PlaylistRef.parse(playlist_ref) if isinstance(playlist_ref, str) else playlist_ref
        if ref.source is not None and ref.playlist_id is not None:
            record = self.sync_store.find_playlist(ref.source, ref.playlist_id)
            if record is None:
                raise SyncError(f"unknown playlist {ref}; sync it once or refresh the list")
            return record
        matches = self.sync_store.find_by_name(ref.name or "")
        if not matches:
            raise SyncError(
                f'no known playlist named "{ref.name}"; use source:id or refresh the list'
            )
        if len(matches) > 1:
            options = ", ".join(m.ref for m in matches)
            raise SyncError(f'several playlists are named "{ref.name}": {options}')
        return matches[0]

    async def _resolve(self, playlist_ref: str | PlaylistRef) -> tuple[Source, str]:
        ref = PlaylistRef.parse(playlist_ref) if isinstance(playlist_ref, str) else playlist_ref
        if ref.source is not None and ref.playlist_id is not None:
            return ref.source, ref.playlist_id
        try:
            record = self.find_playlist(ref)
        except SyncError:
            await self.refresh_playlists()
            record = self.find_playlist(ref)
        return record.source, record.source_id

    def select(
        self, playlist_ref: str | PlaylistRef, selected: bool = True, mode: SyncMode | None = None
    ) -> PlaylistRecord:
        """Select a known playlist for ``sync --all`` (or deselect it); optionally set its mode."""
        record = self.find_playlist(playlist_ref)
        values: dict[str, Any] = {"selected": selected}
        if mode is not None:
            values["mode"] = mode
        self.sync_store.update_playlist(record.id, **values)
        fresh = self.sync_store.get_playlist(record.id)
        assert fresh is not None
        return fresh
