"""Value objects of playlist sync: track identity, statuses, run totals, playlist refs.

Shared by analysis, mirroring, wishlist, reports and the orchestration so they
speak one vocabulary. Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from soulsync.domain import AlbumType, Source, Track

__all__ = [
    "PlaylistRef",
    "PlaylistRefError",
    "RunState",
    "SyncMode",
    "SyncTotals",
    "TrackStatus",
    "track_from_dict",
    "track_key",
    "track_keys",
    "track_to_dict",
]


class TrackStatus(enum.StrEnum):
    """Where one playlist track stands in a sync run."""

    OWNED = "owned"  # in the library (confidence >= owned threshold, or remembered)
    UNCERTAIN = "uncertain"  # a plausible library match below the owned threshold
    MISSING = "missing"  # not in the library; a download candidate
    QUEUED = "queued"  # a download job exists for it (this run or an earlier one)
    DOWNLOADED = "downloaded"  # fetched and filed by this run
    WISHLISTED = "wishlisted"  # no acceptable file, or all downloads failed
    FAILED = "failed"  # could not be handled (e.g. the download service refused it)
    UNAVAILABLE = "unavailable"  # a local file or a track the source no longer serves
    SKIPPED = "skipped"  # ignored in the wishlist by the user

    @property
    def is_owned(self) -> bool:
        """True when the track can be placed in the media-server playlist."""
        return self in (TrackStatus.OWNED, TrackStatus.DOWNLOADED)


class RunState(enum.StrEnum):
    """Lifecycle of a sync run."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Its process died mid-way (found at a later start-up); resumed by the next
    # sync of the same playlist or by ``soulsync serve``.
    INTERRUPTED = "interrupted"

    @property
    def is_final(self) -> bool:
        """True once the run will not change on its own."""
        return self in (RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED)


class SyncMode(enum.StrEnum):
    """How the media-server playlist follows the source."""

    MIRROR = "mirror"  # exactly the source order: add, remove, move
    APPEND = "append"  # never remove or reorder what is there; add new tracks at the end


@dataclass(slots=True)
class SyncTotals:
    """Counters of one run (mutable while the run goes on)."""

    total: int = 0
    owned: int = 0
    uncertain: int = 0
    missing: int = 0
    downloaded: int = 0
    wishlisted: int = 0
    failed: int = 0
    unavailable: int = 0
    in_server_playlist: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict (for events, JSON and the store)."""
        return {
            "total": self.total,
            "owned": self.owned,
            "uncertain": self.uncertain,
            "missing": self.missing,
            "downloaded": self.downloaded,
            "wishlisted": self.wishlisted,
            "failed": self.failed,
            "unavailable": self.unavailable,
            "in_server_playlist": self.in_server_playlist,
        }


# -- track identity ------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def track_keys(track: Track) -> list[str]:
    """Every stable key of ``track``: service ids first, then ISRC, then a text key.

    Decisions and the wishlist are stored under the first key and looked up by
    any of them, so a track remembered from Spotify is recognised when the same
    recording arrives from Deezer with the same ISRC.
    """
    keys = [f"{src}:{tid}" for src, tid in sorted(track.ids.items()) if tid]
    # Spotify and Deezer ids are the most specific; keep them first in a fixed order.
    keys.sort(
        key=lambda k: (0 if k.startswith("spotify:") else 1 if k.startswith("deezer:") else 2, k)
    )
    if track.isrc:
        keys.append(f"isrc:{track.isrc.upper()}")
    keys.append(_text_key(track))
    return keys


def track_key(track: Track) -> str:
    """The primary stable key of ``track`` (see :func:`track_keys`)."""
    return track_keys(track)[0]


def _text_key(track: Track) -> str:
    # Identity only (not similarity): an imported file playlist has no ids, and
    # the same line in the same file must map to the same key on the next run.
    artist = _SPACES.sub(" ", track.artist.strip().casefold())
    title = _SPACES.sub(" ", track.title.strip().casefold())
    album = _SPACES.sub(" ", (track.album or "").strip().casefold())
    return f"text:{artist}\x1f{title}\x1f{album}"


def track_to_dict(track: Track) -> dict[str, Any]:
    """A JSON-ready dict of every field of ``track``."""
    return {
        "title": track.title,
        "artists": list(track.artists),
        "album": track.album,
        "album_artists": list(track.album_artists),
        "track_number": track.track_number,
        "disc_number": track.disc_number,
        "duration_ms": track.duration_ms,
        "isrc": track.isrc,
        "explicit": track.explicit,
        "ids": dict(track.ids),
        "cover_url": track.cover_url,
        "release_date": track.release_date,
        "album_type": str(track.album_type) if track.album_type else None,
        "total_tracks": track.total_tracks,
        "total_discs": track.total_discs,
    }


def track_from_dict(data: dict[str, Any]) -> Track:
    """The inverse of :func:`track_to_dict`; unknown keys are ignored."""
    album_type = data.get("album_type")
    return Track(
        title=str(data.get("title") or ""),
        artists=tuple(data.get("artists") or ()),
        album=data.get("album"),
        album_artists=tuple(data.get("album_artists") or ()),
        track_number=data.get("track_number"),
        disc_number=data.get("disc_number"),
        duration_ms=data.get("duration_ms"),
        isrc=data.get("isrc"),
        explicit=data.get("explicit"),
        ids=dict(data.get("ids") or {}),
        cover_url=data.get("cover_url"),
        release_date=data.get("release_date"),
        album_type=AlbumType(album_type) if album_type else None,
        total_tracks=data.get("total_tracks"),
        total_discs=data.get("total_discs"),
    )


# -- playlist references -----------------------------------------------------------------


class PlaylistRefError(ValueError):
    """A playlist reference could not be understood; the message says what is accepted."""


_SOURCE_NAMES = {s.value for s in (Source.SPOTIFY, Source.DEEZER, Source.FILE)}


@dataclass(frozen=True, slots=True)
class PlaylistRef:
    """Which playlist: ``source`` + ``playlist_id``, or only a ``name`` to look up."""

    source: Source | None = None
    playlist_id: str | None = None
    name: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        if self.source is not None and self.playlist_id is not None:
            return f"{self.source.value}:{self.playlist_id}"
        return self.name or ""

    @classmethod
    def parse(cls, text: str) -> PlaylistRef:
        """Read ``spotify:ID``, ``deezer:ID``, ``file:PATH``, a Spotify/Deezer URL,
        ``spotify:playlist:ID``, or a plain playlist name (looked up among known playlists).
        """
        raw = text.strip()
        if not raw:
            raise PlaylistRefError(
                "empty playlist reference; give spotify:ID, deezer:ID, file:PATH, a URL or a name"
            )
        if raw.startswith(("http://", "https://")):
            return cls._from_url(raw)
        head, sep, rest = raw.partition(":")
        if sep and head.lower() in _SOURCE_NAMES and rest.strip():
            source = Source(head.lower())
            rest = rest.strip()
            if source is Source.SPOTIFY and rest.startswith("playlist:"):
                rest = rest.removeprefix("playlist:")
            return cls(source=source, playlist_id=rest)
        return cls(name=raw)

    @classmethod
    def _from_url(cls, url: str) -> PlaylistRef:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        segments = [s for s in parts.path.split("/") if s]
        if "playlist" in segments:
            idx = segments.index("playlist")
            if idx + 1 < len(segments):
                pid = segments[idx + 1]
                if host.endswith("spotify.com"):
                    return cls(source=Source.SPOTIFY, playlist_id=pid)
                if host.endswith("deezer.com"):
                    return cls(source=Source.DEEZER, playlist_id=pid)
        raise PlaylistRefError(
            f"not a Spotify or Deezer playlist URL: {url} "
            "(expected https://open.spotify.com/playlist/ID or https://www.deezer.com/playlist/ID)"
        )
