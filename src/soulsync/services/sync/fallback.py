"""What SoulSync knows about the library when the media server cannot be reached.

On a first sync with Plex down, every track counted as missing and the user's
whole library was downloaded again. Before that fallback, the files on disk
are read: the Transfer tree SoulSync files into and any configured library
folder. Their tags go into a :class:`LibrarySnapshot` used for the analysis
only (its ids are file paths, never mirrored to the server), and every track
judged this way says so in its reason. SoulSync's own record of filed tracks
is consulted too (see ``RunExecutor._find_earlier_downloads``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path

from soulsync.domain import LibraryTrack
from soulsync.matching.settings import MatchSettings
from soulsync.providers.folder_scan import UnreadableFile, iter_audio_files, read_audio_file
from soulsync.services.sync.analysis import LibrarySnapshot, TrackVerdict
from soulsync.services.sync.models import TrackStatus

__all__ = ["disk_snapshot", "mark_fallback"]

log = logging.getLogger(__name__)


def disk_snapshot(folders: Sequence[str], settings: MatchSettings) -> LibrarySnapshot | None:
    """The audio files under ``folders`` as a library (blocking); None if there are none."""
    tracks: list[LibraryTrack] = []
    seen: set[str] = set()
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in iter_audio_files(root):
            key = str(path)
            if key in seen:
                continue
            seen.add(key)
            try:
                tags = read_audio_file(path)
            except UnreadableFile as exc:
                log.debug("fallback scan: %s", exc)
                continue
            if not tags.title:
                continue
            tracks.append(
                LibraryTrack(
                    id=key,
                    title=tags.title,
                    artist=tags.artist or tags.album_artist or "",
                    album=tags.album,
                    album_artist=tags.album_artist,
                    track_number=tags.track_number,
                    disc_number=tags.disc_number,
                    duration_ms=tags.duration_ms,
                    path=key,
                    isrc=tags.isrc,
                    year=tags.year,
                )
            )
    if not tracks:
        return None
    return LibrarySnapshot(tracks, settings, server_name="the files on disk")


def mark_fallback(verdicts: Sequence[TrackVerdict], server: str) -> list[TrackVerdict]:
    """Say on each owned or uncertain verdict that it was judged from the files on disk."""
    out = []
    for v in verdicts:
        if v.status in (TrackStatus.OWNED, TrackStatus.UNCERTAIN):
            v = dataclasses.replace(
                v, reason=f"{server} not reachable; judged from the files on disk: {v.reason}"
            )
        out.append(v)
    return out
