"""The user's "fix this match" actions on one position of a playlist's last run.

Mixed into :class:`~soulsync.services.sync.service.SyncService`: confirm the
library track the last run matched, pick another one from the best library
candidates (corrected), or reject it. Every decision is stored and wins on
every later run.
"""

from __future__ import annotations

from typing import Any

from soulsync.domain import LibraryTrack
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.followed_playlists import FollowedPlaylists
from soulsync.services.sync.library import LibraryCache, SyncError, SyncOptions
from soulsync.services.sync.models import PlaylistRef
from soulsync.services.sync.run_rows import RunTrack
from soulsync.services.sync.store import DecisionKind

__all__ = ["MatchFixes"]


class MatchFixes(FollowedPlaylists):
    """Match decisions on a playlist position. Needs ``library``, ``releases`` and
    ``options`` (the sync service's) besides what :class:`FollowedPlaylists` needs."""

    library: LibraryCache
    releases: ReleaseTypeService | None
    options: SyncOptions

    def track_row(self, playlist_ref: str | PlaylistRef, position: int) -> RunTrack:
        """A position (0-based) of the playlist's last run; ``SyncError`` if there is none."""
        return self._row(playlist_ref, position)

    def _row(self, playlist_ref: str | PlaylistRef, position: int) -> RunTrack:
        record = self.find_playlist(playlist_ref)
        runs = self.sync_store.runs(limit=1, playlist_row_id=record.id)
        if not runs:
            raise SyncError(f'"{record.name}" has not been analysed yet')
        for row in self.sync_store.run_tracks(runs[0].id):
            if row.position == position:
                if row.track is None:
                    raise SyncError(f"position {position + 1} is not a playable track")
                return row
        raise SyncError(f'"{record.name}" has no position {position + 1}')

    def confirm_match(
        self,
        playlist_ref: str | PlaylistRef,
        position: int,
        library_track: LibraryTrack | None = None,
    ) -> None:
        """Confirm the current library match of a position (0-based), or correct it.

        With ``library_track`` the position is matched to that track by hand
        (corrected); without it the match the last run found is confirmed.
        Either way the decision is stored and wins on every later run.
        """
        row = self._row(playlist_ref, position)
        assert row.track is not None
        if library_track is not None:
            self.sync_store.remember(
                row.track,
                DecisionKind.CORRECTED,
                library_id=library_track.id,
                library_path=library_track.path,
                decided_by="user",
            )
            return
        if row.library_id is None:
            raise SyncError(
                f"position {position + 1} has no library match to confirm; pick a library track"
            )
        self.sync_store.remember(
            row.track,
            DecisionKind.CONFIRMED,
            library_id=row.library_id,
            library_path=row.library_path,
            decided_by="user",
        )

    async def library_candidates(
        self, playlist_ref: str | PlaylistRef, position: int
    ) -> list[dict[str, Any]]:
        """The library tracks that best match a position, best first, with score and reasons.

        For a "fix this match" dialog: pick one and call :meth:`correct_match`.
        ``SyncError`` if the library cannot be read.
        """
        row = self._row(playlist_ref, position)
        assert row.track is not None
        snapshot, why = await self.library.get()
        if snapshot is None:
            raise SyncError(why or "the library cannot be read")
        # The same release rules as the sync's own check (cached answers).
        facts = (
            await self.releases.facts_for_library(
                snapshot.index, [row.track], limit=self.options.release_lookups
            )
            if self.releases is not None
            else None
        )
        match = snapshot.index.check(row.track, facts)
        found = []
        if match.track is not None and match.score is not None:
            found.append((match.track, match.score))
        found.extend(match.alternatives)
        return [
            {
                "library_id": lib.id,
                "title": lib.title,
                "artist": lib.artist,
                "album": lib.album,
                "path": lib.path,
                "score": round(score.value, 4),
                "reasons": list(score.reasons),
                "current": lib.id == row.library_id,
            }
            for lib, score in found
        ]

    async def correct_match(
        self, playlist_ref: str | PlaylistRef, position: int, library_id: str
    ) -> LibraryTrack:
        """Match a position to the library track ``library_id`` by hand (remembered)."""
        snapshot, why = await self.library.get()
        if snapshot is None:
            raise SyncError(why or "the library cannot be read")
        library_track = snapshot.by_id.get(library_id)
        if library_track is None:
            raise SyncError(f"no library track with id {library_id}")
        self.confirm_match(playlist_ref, position, library_track)
        return library_track

    def reject_match(self, playlist_ref: str | PlaylistRef, position: int) -> None:
        """Say the library track matched to a position is not that song (never used again)."""
        row = self._row(playlist_ref, position)
        assert row.track is not None
        if row.library_id is None:
            raise SyncError(f"position {position + 1} has no library match to reject")
        self.sync_store.remember(
            row.track,
            DecisionKind.REJECTED,
            library_id=row.library_id,
            library_path=row.library_path,
            decided_by="user",
        )
