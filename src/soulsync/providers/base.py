"""The small protocols every adapter implements, and the errors they raise.

Services depend on these protocols only, so a new media server (Jellyfin,
Navidrome) or metadata source plugs in without touching the workflows. All
methods are async; adapters around blocking libraries (plexapi, mutagen) run
them in worker threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol, runtime_checkable

from soulsync.domain import Album, Artist, LibraryTrack, Playlist, Source, Track

# -- errors ------------------------------------------------------------------------------


class ProviderError(RuntimeError):
    """A service call failed; ``str(err)`` is a message fit for the user."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message


class ServiceUnavailable(ProviderError):
    """The service is down, unreachable, or answered with a server error."""


class AuthError(ProviderError):
    """Credentials are missing, wrong or expired."""


class NotFound(ProviderError):
    """The requested entity does not exist on the service."""


class RateLimited(ProviderError):
    """The service asked us to slow down; ``retry_after`` is in seconds."""

    def __init__(self, service: str, message: str, retry_after: float) -> None:
        super().__init__(service, message)
        self.retry_after = retry_after


class CoolingDown(ProviderError):
    """The service is in a cool-down (quota exhausted) until ``until`` (epoch seconds)."""

    def __init__(self, service: str, message: str, until: float) -> None:
        super().__init__(service, message)
        self.until = until


class Forbidden(ProviderError):
    """The service refuses this resource (e.g. a followed playlist in Development Mode)."""


# -- shared value objects ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """Result of a "Test connection": ok or not, and a one-line reason."""

    service: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class RemotePlaylist:
    """A playlist as it exists on a media server, items in server order."""

    id: str
    title: str
    item_ids: tuple[str, ...] = field(default_factory=tuple)  # library track ids in order
    summary: str = ""  # SoulSync writes a marker here to find its own playlists again
    added_at: float | None = None  # when the server created it (epoch seconds)


# -- protocols -----------------------------------------------------------------------------


@runtime_checkable
class MetadataSource(Protocol):
    """A catalogue to search and look up tracks, albums and artists (Spotify, Deezer)."""

    source: Source

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        """Tracks matching a free-text query, best first."""
        ...

    async def search_artists(self, query: str, limit: int = 10) -> list[Artist]:
        """Artists matching a free-text query, best first."""
        ...

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        """Releases matching a free-text query, best first."""
        ...

    async def get_track(self, track_id: str) -> Track:
        """One track by the service's id."""
        ...

    async def get_album(self, album_id: str) -> Album:
        """One release with its full tracklist."""
        ...

    async def get_artist(self, artist_id: str) -> Artist:
        """One artist, with an image URL when the service has one."""
        ...

    async def artist_albums(self, artist_id: str, limit: int = 50) -> list[Album]:
        """An artist's releases (albums, singles, compilations), without tracklists."""
        ...


@runtime_checkable
class PlaylistSource(Protocol):
    """Where playlists come from (Spotify, Deezer, files)."""

    async def list_playlists(self) -> list[Playlist]:
        """The user's playlists, without entries (``readable`` says if items can be read)."""
        ...

    async def get_playlist(self, playlist_id: str) -> Playlist:
        """One playlist with all its entries in order."""
        ...


@runtime_checkable
class MediaServer(Protocol):
    """A library that owns files and holds playlists (Plex, folder, later Jellyfin)."""

    name: str

    async def test_connection(self) -> ConnectionStatus:
        """Check that the server answers and the credentials work."""
        ...

    async def all_tracks(self) -> list[LibraryTrack]:
        """Every track of the music library, read in bulk (pages), for the index."""
        ...

    async def list_playlists(self) -> list[RemotePlaylist]:
        """Audio playlists on the server."""
        ...

    async def library_version(self) -> str | None:
        """A cheap stamp that changes whenever the library's content may have changed.

        Compared between runs to refresh a cached library index only when
        needed (Plex: the section's ``updatedAt``/``scannedAt``; a folder: its
        directories' mtimes). None: the server cannot tell (keep the cache's TTL).
        """
        ...

    async def get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        """A playlist by its server id, or None if it no longer exists."""
        ...

    async def create_playlist(
        self, title: str, track_ids: list[str], *, summary: str | None = None
    ) -> RemotePlaylist:
        """Create a playlist holding ``track_ids`` in this order (``summary`` where supported)."""
        ...

    async def replace_playlist_items(
        self, playlist_id: str, track_ids: list[str]
    ) -> RemotePlaylist:
        """Make the playlist hold exactly ``track_ids`` in this order; returns it as read back."""
        ...

    async def scan(
        self, path: str | None = None, wait: bool = True, *, expect: Sequence[str] = ()
    ) -> None:
        """Ask the server to rescan (optionally one folder) and wait until it is done.

        ``expect``: paths of new files the scan should find; their appearing
        in the library also counts as "done" (a server may start a scan late).
        """
        ...


def lists_every_file(paths: Iterable[str | None], expect: Sequence[str]) -> bool:
    """True when ``paths`` (a library's track paths) has every expected file, by file name.

    A media server sees our files under its own mount points; the file name is
    what both sides agree on. Used to tell that a scan has found new downloads.
    """
    names = {PurePath(p).name for p in paths if p}
    return all(PurePath(e).name in names for e in expect)


def verify_read_back(
    service: str, label: str, playlist: RemotePlaylist, wanted: Sequence[str]
) -> None:
    """Raise ProviderError unless ``playlist`` holds exactly ``wanted``, in order.

    Every media server reads its playlist back after writing it and calls this
    (``label`` names it in the message, e.g. "Plex playlist"), so a server that
    reordered, dropped or doubled an item is caught at once.
    """
    got = list(playlist.item_ids)
    if got == list(wanted):
        return
    first = next(
        (n for n, (a, b) in enumerate(zip(got, wanted, strict=False)) if a != b),
        min(len(got), len(wanted)),
    )
    raise ProviderError(
        service,
        f"{label} {playlist.title!r} did not read back as written: expected "
        f"{len(wanted)} tracks, found {len(got)}; first difference at position {first + 1}",
    )
