"""Playlist files (CSV, M3U/M3U8, ``Artist - Title`` text) as a playlist source for sync.

``soulsync sync file:/path/to/list.m3u`` reads the file with
:mod:`soulsync.providers.playlist_files`. The playlist id is the file's
absolute path, so the next sync of the same file finds its stored state (and
its media-server playlist). Lines the reader had to skip are kept as
unavailable entries carrying the reader's reason, so the sync report lists
them instead of dropping them silently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from pathlib import Path

from soulsync.domain import Playlist, PlaylistEntry, Source
from soulsync.providers.base import NotFound
from soulsync.providers.playlist_files import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    read_capped,
    read_playlist_file,
)

__all__ = ["FilePlaylistSource"]


class FilePlaylistSource:
    """Implements ``PlaylistSource`` for playlist files on this machine."""

    source = Source.FILE

    def __init__(self, max_bytes: int = MAX_PLAYLIST_BYTES) -> None:
        self.max_bytes = max_bytes  # a bigger file is refused with a clear error

    async def list_playlists(self) -> list[Playlist]:
        """Files are not listed (there is no account to ask); sync them by path."""
        return []

    async def get_playlist(self, playlist_id: str) -> Playlist:
        """Read the playlist file at ``playlist_id`` (a path); ``NotFound`` if unreadable."""
        return await asyncio.to_thread(_read, playlist_id, self.max_bytes)


def _read(playlist_id: str, max_bytes: int) -> Playlist:
    path = Path(playlist_id).expanduser()
    try:
        result = read_playlist_file(path, max_bytes=max_bytes)
    except PlaylistFileError as exc:
        raise NotFound("file", str(exc)) from exc
    playlist = result.playlist
    entries = list(playlist.entries)
    for issue in result.skipped:
        entries.append(
            PlaylistEntry(
                position=len(entries),
                track=None,
                unavailable_reason=f"line {issue.line} of the file was skipped: {issue.reason}",
            )
        )
    return dataclasses.replace(
        playlist,
        id=str(path.resolve()),
        source=Source.FILE,
        # The file's content hash: an unchanged file is an unchanged snapshot.
        snapshot_id=_digest(path, max_bytes),
        total=len(entries),
        entries=tuple(entries),
    )


def _digest(path: Path, max_bytes: int) -> str:
    try:
        raw = read_capped(path, max_bytes)
    except PlaylistFileError as exc:
        raise NotFound("file", str(exc)) from exc
    return hashlib.sha256(raw).hexdigest()[:16]
