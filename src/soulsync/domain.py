"""Plain domain objects shared by every layer.

Frozen dataclasses, no I/O and no framework imports. Providers turn service
payloads into these; matching compares them; services move them around; the
store serialises them. Durations are milliseconds everywhere (``duration_ms``)
except where a Soulseek peer reports seconds (``SoulseekFile.length``), which
mirrors slskd's field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath


class Source(enum.StrEnum):
    """Where a piece of metadata came from."""

    SPOTIFY = "spotify"
    DEEZER = "deezer"
    FILE = "file"
    PLEX = "plex"
    FOLDER = "folder"
    SOULSEEK = "soulseek"
    YOUTUBE = "youtube"


class AlbumType(enum.StrEnum):
    """Release type as streaming services report it."""

    ALBUM = "album"
    SINGLE = "single"
    EP = "ep"
    COMPILATION = "compilation"


@dataclass(frozen=True, slots=True)
class Artist:
    """An artist as a metadata source knows it."""

    name: str
    ids: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    image_url: str | None = None
    genres: tuple[str, ...] = ()

    def id_for(self, source: Source | str) -> str | None:
        """The service id of this artist on ``source``, if known."""
        return self.ids.get(str(source))


@dataclass(frozen=True, slots=True)
class Album:
    """A release: album, single, EP or compilation."""

    title: str
    artists: tuple[str, ...]
    album_type: AlbumType = AlbumType.ALBUM
    release_date: str | None = None  # "1981", "1981-12" or "1981-12-15"
    total_tracks: int | None = None
    total_discs: int | None = None
    cover_url: str | None = None
    upc: str | None = None
    label: str | None = None
    genres: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    tracks: tuple[Track, ...] = ()

    @property
    def artist(self) -> str:
        """The album artist as one display string (first credited artist)."""
        return self.artists[0] if self.artists else ""

    @property
    def year(self) -> int | None:
        """Release year, if the date is known."""
        if self.release_date and self.release_date[:4].isdigit():
            return int(self.release_date[:4])
        return None

    @property
    def is_compilation(self) -> bool:
        """True for "Various Artists" style releases."""
        return self.album_type is AlbumType.COMPILATION


@dataclass(frozen=True, slots=True)
class Track:
    """A wanted or known track: what a playlist or metadata source says."""

    title: str
    artists: tuple[str, ...]
    album: str | None = None
    album_artists: tuple[str, ...] = ()
    track_number: int | None = None
    disc_number: int | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    explicit: bool | None = None
    ids: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    cover_url: str | None = None
    release_date: str | None = None
    album_type: AlbumType | None = None
    total_tracks: int | None = None
    total_discs: int | None = None

    @property
    def artist(self) -> str:
        """The primary (first credited) artist."""
        return self.artists[0] if self.artists else ""

    @property
    def display_artist(self) -> str:
        """All credited artists joined for display, e.g. "A, B & C"."""
        names = list(self.artists)
        if len(names) <= 1:
            return names[0] if names else ""
        return ", ".join(names[:-1]) + " & " + names[-1]

    def id_for(self, source: Source | str) -> str | None:
        """The service id of this track on ``source``, if known."""
        return self.ids.get(str(source))


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    """One position in a playlist. ``track`` is None for unavailable entries."""

    position: int
    track: Track | None
    is_local: bool = False
    unavailable_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist from a source, in source order."""

    id: str
    name: str
    source: Source
    owner: str | None = None
    snapshot_id: str | None = None
    image_url: str | None = None
    total: int = 0
    readable: bool = True
    unreadable_reason: str | None = None
    entries: tuple[PlaylistEntry, ...] = ()

    @property
    def tracks(self) -> tuple[Track, ...]:
        """The playable tracks, in order, skipping local and unavailable ones."""
        return tuple(e.track for e in self.entries if e.track is not None)


@dataclass(frozen=True, slots=True)
class LibraryTrack:
    """A track the user already owns, as the media server or folder reports it."""

    id: str  # Plex ratingKey, Jellyfin Id, or the file path for the folder library
    title: str
    artist: str  # track artist (Plex originalTitle if set, else album artist)
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    duration_ms: int | None = None
    path: str | None = None
    isrc: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class SoulseekFile:
    """One file in a Soulseek search response (slskd field names, snake_cased).

    ``filename`` is the full remote path with backslashes exactly as the peer
    sent it; it is hostile input and never used as a local path directly.
    """

    username: str
    filename: str
    size: int
    length: int | None = None  # seconds, as slskd reports it
    bit_rate: int | None = None
    sample_rate: int | None = None
    bit_depth: int | None = None
    is_variable_bit_rate: bool | None = None
    is_locked: bool = False
    has_free_upload_slot: bool = True
    upload_speed: int = 0  # bytes per second
    queue_length: int = 0

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot ("flac", "mp3"), or ""."""
        name = self.basename
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""

    @property
    def basename(self) -> str:
        """Last component of the remote path."""
        return PureWindowsPath(self.filename.replace("/", "\\")).name

    @property
    def directory(self) -> str:
        """The remote folder holding the file (backslash separated)."""
        path = self.filename.replace("/", "\\")
        return path.rsplit("\\", 1)[0] if "\\" in path else ""

    @property
    def duration_ms(self) -> int | None:
        """Length in milliseconds, if the peer reported it."""
        return self.length * 1000 if self.length is not None else None


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """One peer's answer to a Soulseek search."""

    username: str
    files: tuple[SoulseekFile, ...]
    has_free_upload_slot: bool = True
    upload_speed: int = 0
    queue_length: int = 0
    locked_files: tuple[SoulseekFile, ...] = ()


@dataclass(frozen=True, slots=True)
class VideoCandidate:
    """One upload on a video site (YouTube), as a search or a link reports it.

    ``url`` is the watch page yt-dlp downloads from; ``channel`` is the
    uploader's display name (``"Artist - Topic"`` for YouTube's auto-generated
    release uploads). The title is hostile input like a Soulseek file name.
    """

    id: str
    title: str
    channel: str
    url: str
    duration_ms: int | None = None
    channel_verified: bool = False
    view_count: int | None = None


class JobState(enum.StrEnum):
    """Lifecycle of a download job."""

    QUEUED = "queued"
    SEARCHING = "searching"
    DOWNLOADING = "downloading"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True once the job will not change state on its own."""
        return self in (JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED)


class JobKind(enum.StrEnum):
    """What a download job was asked to do."""

    PLAIN = "plain"
    MATCHED_TRACK = "matched_track"
    MATCHED_ALBUM = "matched_album"
    PLAYLIST_TRACK = "playlist_track"


def local_relative_name(remote_filename: str) -> PurePosixPath:
    """The ``<last remote folder>/<file name>`` part of a remote path.

    This is where slskd (0.22-0.25 default) stores a finished download under
    its downloads folder. The result is not yet sanitised; callers that touch
    the disk must pass it through ``library.layout`` checks.
    """
    parts = [p for p in remote_filename.replace("/", "\\").split("\\") if p]
    if not parts:
        return PurePosixPath("")
    if len(parts) == 1:
        return PurePosixPath(parts[0])
    return PurePosixPath(parts[-2]) / parts[-1]
