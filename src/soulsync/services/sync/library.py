"""Playlist sync's settings, its error type, and the media-server library cache.

Split from :mod:`soulsync.services.sync.run` so the web UI, the container and
the CLI can import the options without the run machinery.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from soulsync.config_outage import OutageSettings
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.providers.base import MediaServer, ProviderError, ServiceUnavailable
from soulsync.providers.playlist_files import MAX_PLAYLIST_BYTES
from soulsync.services.sync.analysis import LibrarySnapshot
from soulsync.services.sync.models import SyncMode

__all__ = ["PENDING_SCAN_KEY", "LibraryCache", "SyncError", "SyncOptions"]

PENDING_SCAN_KEY = "sync.pending_scan"


class SyncError(RuntimeError):
    """A sync could not be done; the message is for the user."""


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """Knobs of playlist sync (``SyncService`` maps the app config onto these)."""

    match: MatchSettings = DEFAULT_SETTINGS
    mode: SyncMode = SyncMode.MIRROR
    # The library is a plain folder: it is always readable, so never "download all".
    folder_library: bool = False
    library_ttl_s: float = 120.0
    poll_interval_s: float = 1.0
    # The Transfer folder as the media server sees it (Plex section refresh path).
    scan_path: str | None = None
    # How long to wait for downloaded files to show up in the library after a scan.
    scan_wait_s: float = 180.0
    scan_retrigger_s: float = 30.0
    # Polls while waiting for downloaded files to appear in the library.
    server_retry_s: float = 5.0
    # How long a run waits for an unreachable Plex or Spotify, probing with backoff
    # (the ``[outages]`` section, shared with the download queue's slskd outages).
    outages: OutageSettings = field(default_factory=OutageSettings)
    wishlist_cooldown_s: float = 6 * 3600
    wishlist_interval_s: float = 6 * 3600  # 0: no scheduled wishlist retries
    # Folders downloads are written to, checked before anything is queued
    # ((label, path) pairs; empty: no pre-flight).
    write_folders: tuple[tuple[str, str], ...] = ()
    # Folders read (tags) when the media server cannot be reached, before the
    # "everything is missing" fallback: the Transfer tree, a library folder.
    fallback_folders: tuple[str, ...] = ()
    # Release-type look-ups per run for tracks owned from another album than
    # the wanted one (MusicBrainz answers 1 request/s; answers are cached).
    release_lookups: int = 20
    # Playlist files bigger than this are refused (``[sync] max_playlist_file_mb``).
    max_playlist_bytes: int = MAX_PLAYLIST_BYTES


class LibraryCache:
    """The media server's library as an index, read in bulk and kept for a short while.

    ``get()`` returns ``(snapshot, None)`` or ``(None, reason)`` when there is no
    media server or it cannot be read. The index is built in a worker thread
    so the event loop (web UI) stays responsive while 100k tracks are indexed.
    Within the TTL the cached index is used only while the server's
    ``library_version()`` stays the same (a scan that found files added or
    deleted moves it), so a sync right after a change sees the change.
    """

    def __init__(self, server: MediaServer | None, match: MatchSettings, ttl_s: float) -> None:
        self.server = server
        self.match = match
        self.ttl_s = ttl_s
        self._snapshot: LibrarySnapshot | None = None
        self._at = 0.0
        self._version: str | None = None
        # Why the last read failed (None: it worked, or the server is unreachable).
        self.last_error: ProviderError | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget the cached library (after a scan or downloads)."""
        self._snapshot = None

    @property
    def cached(self) -> LibrarySnapshot | None:
        """The last snapshot read, however old (None before the first read); no I/O."""
        return self._snapshot

    async def get(self, *, force: bool = False) -> tuple[LibrarySnapshot | None, str | None]:
        """The library snapshot, or None and why it could not be read."""
        if self.server is None:
            return None, "no media server is configured"
        async with self._lock:
            fresh = time.monotonic() - self._at < self.ttl_s
            version = None
            if self._snapshot is not None and fresh and not force:
                version = await self._current_version()
                if version is None or version == self._version:
                    return self._snapshot, None
            try:
                # Taken before the read: a change made while reading shows next time.
                version = version or await self._current_version()
                tracks = await self.server.all_tracks()
            except ProviderError as exc:
                self.last_error = None if isinstance(exc, ServiceUnavailable) else exc
                return None, f"{self.server.name} is not reachable ({exc.message})"
            except OSError as exc:
                self.last_error = None
                return None, f"{self.server.name} is not reachable ({exc})"
            self.last_error = None
            snapshot = await asyncio.to_thread(
                LibrarySnapshot, tracks, self.match, server_name=self.server.name
            )
            self._snapshot, self._at = snapshot, time.monotonic()
            self._version = version
            return snapshot, None

    async def _current_version(self) -> str | None:
        """The server's library stamp; None when it has none or cannot say now."""
        assert self.server is not None
        try:
            return await self.server.library_version()
        except (ProviderError, OSError):
            return None
