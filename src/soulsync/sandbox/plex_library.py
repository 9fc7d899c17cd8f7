"""The Plex simulator's in-memory world: tracks, artists, albums, playlists, scans.

Pure state with a lock; no HTTP. ``PlexState.scan`` walks the library
folders with mutagen the way Plex's scanner reads tags, keeps ratingKeys
stable per file path across rescans, and leaves the synthetic benchmark
entries (which have no files) alone.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from soulsync.providers.folder_scan import UnreadableFile, iter_audio_files, read_audio_file
from soulsync.sandbox.library_seed import SeedTrack

UNKNOWN_ARTIST = "[Unknown Artist]"
UNKNOWN_ALBUM = "[Unknown Album]"


@dataclass(slots=True)
class SimTrack:
    """A track row as Plex keeps it (mutable: a rescan updates it in place)."""

    rating_key: int
    title: str
    track_artist: str
    album_artist: str
    album: str
    index: int | None
    disc: int | None
    duration_ms: int | None
    year: int | None
    file: str
    size: int
    container: str
    bitrate: int | None
    artist_key: int
    album_key: int
    media_id: int
    part_id: int
    added_at: int
    updated_at: int
    synthetic: bool = False
    mtime: float = 0.0
    revision: int = 0  # the state version that wrote this row (render caches key off it)

    @property
    def original_title(self) -> str | None:
        """Plex's ``originalTitle``: the track artist when it differs from the album artist."""
        return self.track_artist if self.track_artist != self.album_artist else None

    def sort_key(self) -> tuple[str, str, int, int, str, int]:
        """Plex's default track order: artist, album, disc, track number, title."""
        return (
            self.album_artist.casefold(),
            self.album.casefold(),
            self.disc or 0,
            self.index or 0,
            self.title.casefold(),
            self.rating_key,
        )


@dataclass(slots=True)
class PlaylistItem:
    """One playlist position: Plex's ``playlistItemID`` and the track's ratingKey."""

    item_id: int
    rating_key: int


@dataclass(slots=True)
class SimPlaylist:
    """A regular (non-smart) audio playlist."""

    rating_key: int
    title: str
    guid: str
    added_at: int
    updated_at: int
    items: list[PlaylistItem] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one scan changed."""

    added: int
    updated: int
    removed: int
    unchanged: int
    unreadable: tuple[tuple[str, str], ...]


class PlexState:
    """Everything the simulated server knows; every public method takes the lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tracks: dict[int, SimTrack] = {}
        self.playlists: dict[int, SimPlaylist] = {}
        # Keys are never forgotten, so a file that comes back keeps its ratingKey.
        self._path_keys: dict[str, int] = {}
        self._artist_keys: dict[str, int] = {}
        self._album_keys: dict[tuple[str, str], int] = {}
        self._next_key = 1000
        self._next_item_id = 1
        self._next_media_id = 1
        self.version = 0  # bumped on every track change; caches key off it
        self._sorted: tuple[int, list[SimTrack]] = (-1, [])

    # -- ids -------------------------------------------------------------------------------

    def _new_key(self) -> int:
        self._next_key += 1
        return self._next_key

    def _artist_key(self, name: str) -> int:
        key = self._artist_keys.get(name)
        if key is None:
            key = self._artist_keys[name] = self._new_key()
        return key

    def _album_key(self, artist: str, album: str) -> int:
        key = self._album_keys.get((artist, album))
        if key is None:
            key = self._album_keys[(artist, album)] = self._new_key()
        return key

    def key_for_path(self, path: str) -> int:
        """The stable ratingKey of a file path (allocated on first sight)."""
        with self.lock:
            key = self._path_keys.get(path)
            if key is None:
                key = self._path_keys[path] = self._new_key()
            return key

    # -- tracks --------------------------------------------------------------------------

    def put_track(
        self,
        *,
        path: str,
        title: str,
        track_artist: str,
        album_artist: str,
        album: str,
        index: int | None,
        disc: int | None,
        duration_ms: int | None,
        year: int | None,
        size: int,
        container: str,
        bitrate: int | None,
        synthetic: bool = False,
        mtime: float = 0.0,
    ) -> tuple[SimTrack, bool]:
        """Insert or update the track of ``path``; returns it and whether it was new."""
        with self.lock:
            key = self.key_for_path(path)
            now = int(time.time())
            existing = self.tracks.get(key)
            media_id = existing.media_id if existing else self._next_media_id
            if existing is None:
                self._next_media_id += 1
            track = SimTrack(
                rating_key=key,
                title=title,
                track_artist=track_artist,
                album_artist=album_artist,
                album=album,
                index=index,
                disc=disc,
                duration_ms=duration_ms,
                year=year,
                file=path,
                size=size,
                container=container,
                bitrate=bitrate,
                artist_key=self._artist_key(album_artist),
                album_key=self._album_key(album_artist, album),
                media_id=media_id,
                part_id=media_id,
                added_at=existing.added_at if existing else now,
                updated_at=now,
                synthetic=synthetic,
                mtime=mtime,
                revision=self.version + 1,
            )
            self.tracks[key] = track
            self.version += 1
            return track, existing is None

    def remove_track(self, rating_key: int) -> None:
        """Forget a track (its file is gone); playlists drop it as Plex does."""
        with self.lock:
            if self.tracks.pop(rating_key, None) is None:
                return
            for playlist in self.playlists.values():
                playlist.items = [i for i in playlist.items if i.rating_key != rating_key]
            self.version += 1

    def sorted_tracks(self) -> list[SimTrack]:
        """All tracks in Plex's default order (cached until the next change)."""
        with self.lock:
            version, cached = self._sorted
            if version != self.version:
                cached = sorted(self.tracks.values(), key=SimTrack.sort_key)
                self._sorted = (self.version, cached)
            return cached

    def add_seeds(self, seeds: Iterable[SeedTrack], root: Path) -> int:
        """Add file-less entries (benchmark bulk) under ``root``; returns how many."""
        count = 0
        with self.lock:
            for seed in seeds:
                self.put_track(
                    path=str(root.joinpath(*seed.relpath.parts)),
                    title=seed.title,
                    track_artist=seed.artist,
                    album_artist=seed.album_artist,
                    album=seed.album,
                    index=seed.track_number,
                    disc=seed.disc_number,
                    duration_ms=seed.duration_ms,
                    year=seed.year,
                    size=0,
                    container="flac",
                    bitrate=None,
                    synthetic=True,
                )
                count += 1
        return count

    # -- scanning --------------------------------------------------------------------------

    def scan(self, roots: list[Path], under: Path | None = None) -> ScanResult:
        """Rescan ``roots`` (or only the part of them below ``under``) from disk."""
        bases = [under] if under is not None else roots
        seen: set[str] = set()
        added = updated = unchanged = 0
        unreadable: list[tuple[str, str]] = []
        for base in bases:
            if not base.is_dir():
                continue
            for path in iter_audio_files(base):
                name = str(path)
                seen.add(name)
                try:
                    stat = path.stat()
                except OSError as exc:
                    unreadable.append((name, exc.strerror or str(exc)))
                    continue
                with self.lock:
                    old = self.tracks.get(self._path_keys.get(name, -1))
                    if old and old.mtime == stat.st_mtime and old.size == stat.st_size:
                        unchanged += 1
                        continue
                try:
                    tags = read_audio_file(path)
                except UnreadableFile as exc:
                    unreadable.append((name, exc.reason))
                    continue
                album_artist = tags.album_artist or tags.artist or UNKNOWN_ARTIST
                _, is_new = self.put_track(
                    path=name,
                    title=tags.title or path.stem,
                    track_artist=tags.artist or album_artist,
                    album_artist=album_artist,
                    album=tags.album or UNKNOWN_ALBUM,
                    index=tags.track_number,
                    disc=tags.disc_number,
                    duration_ms=tags.duration_ms,
                    year=tags.year,
                    size=stat.st_size,
                    container=tags.container,
                    bitrate=tags.bitrate_kbps,
                    mtime=stat.st_mtime,
                )
                added += is_new
                updated += not is_new
        removed = 0
        with self.lock:
            for track in list(self.tracks.values()):
                if track.synthetic or track.file in seen:
                    continue
                if any(_is_within(Path(track.file), base) for base in bases):
                    self.remove_track(track.rating_key)
                    removed += 1
        return ScanResult(added, updated, removed, unchanged, tuple(unreadable))

    # -- playlists -------------------------------------------------------------------------

    def create_playlist(self, title: str, rating_keys: list[int]) -> SimPlaylist:
        """A new playlist holding the known ``rating_keys`` in order (unknown ones skipped)."""
        with self.lock:
            key = self._new_key()
            now = int(time.time())
            guid = "com.plexapp.agents.none://" + hashlib.sha1(f"{key}{now}".encode()).hexdigest()
            playlist = SimPlaylist(key, title, guid, now, now)
            self.playlists[key] = playlist
            self.add_items(key, rating_keys)
            return playlist

    def add_items(self, playlist_key: int, rating_keys: list[int]) -> int:
        """Append the known ``rating_keys``; returns how many were added."""
        with self.lock:
            playlist = self.playlists[playlist_key]
            added = 0
            for rk in rating_keys:
                if rk in self.tracks:
                    playlist.items.append(PlaylistItem(self._next_item_id, rk))
                    self._next_item_id += 1
                    added += 1
            playlist.updated_at = int(time.time())
            return added

    def remove_item(self, playlist_key: int, item_id: int) -> bool:
        """Remove one position by ``playlistItemID``; False if it is not in the playlist."""
        with self.lock:
            playlist = self.playlists[playlist_key]
            before = len(playlist.items)
            playlist.items = [i for i in playlist.items if i.item_id != item_id]
            playlist.updated_at = int(time.time())
            return len(playlist.items) != before

    def move_item(self, playlist_key: int, item_id: int, after: int | None) -> bool:
        """Move an item right after ``after`` (or to the top); False if either is unknown."""
        with self.lock:
            items = self.playlists[playlist_key].items
            moving = next((i for i in items if i.item_id == item_id), None)
            if moving is None:
                return False
            rest = [i for i in items if i.item_id != item_id]
            if after is None:
                position = 0
            else:
                anchor = next((n for n, i in enumerate(rest) if i.item_id == after), None)
                if anchor is None:
                    return False
                position = anchor + 1
            rest.insert(position, moving)
            self.playlists[playlist_key].items = rest
            self.playlists[playlist_key].updated_at = int(time.time())
            return True


def _is_within(path: Path, base: Path) -> bool:
    try:
        path.relative_to(base)
    except ValueError:
        return False
    return True
