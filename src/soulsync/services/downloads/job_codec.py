"""JSON encoding of the domain objects a download job stores.

Jobs keep their source file, the wanted track and the engine's choices as JSON
columns so a restarted process can carry on with exactly what it had. The
encoding is explicit per type (not pickle): a row written by an older version
stays readable, and unknown keys are ignored rather than crashing a restart.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from soulsync.domain import Album, AlbumType, Artist, SoulseekFile, Track, VideoCandidate

__all__ = [
    "album_from",
    "album_to",
    "artist_from",
    "artist_to",
    "dumps",
    "file_from",
    "file_to",
    "loads",
    "track_from",
    "track_to",
    "video_from",
    "video_to",
]


def dumps(value: Any) -> str | None:
    """JSON text for a column, or None for None."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    """The decoded column value, or None."""
    return None if text is None else json.loads(text)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


# -- SoulseekFile -----------------------------------------------------------------------


def file_to(file: SoulseekFile) -> dict[str, Any]:
    """A SoulseekFile as plain JSON data."""
    return asdict(file)


def file_from(data: dict[str, Any]) -> SoulseekFile:
    """Rebuild a SoulseekFile from :func:`file_to` output."""
    return SoulseekFile(**_known(SoulseekFile, data))


# -- VideoCandidate ---------------------------------------------------------------------


def video_to(video: VideoCandidate) -> dict[str, Any]:
    """A video-site upload as plain JSON data."""
    return asdict(video)


def video_from(data: dict[str, Any]) -> VideoCandidate:
    """Rebuild a VideoCandidate from :func:`video_to` output."""
    return VideoCandidate(**_known(VideoCandidate, data))


# -- Track ------------------------------------------------------------------------------


def track_to(track: Track) -> dict[str, Any]:
    """A Track as plain JSON data (enums as their string values)."""
    data = asdict(track)
    data["album_type"] = str(track.album_type) if track.album_type is not None else None
    return data


def track_from(data: dict[str, Any]) -> Track:
    """Rebuild a Track from :func:`track_to` output."""
    values = _known(Track, data)
    values["artists"] = tuple(values.get("artists") or ())
    values["album_artists"] = tuple(values.get("album_artists") or ())
    values["ids"] = dict(values.get("ids") or {})
    kind = values.get("album_type")
    values["album_type"] = AlbumType(kind) if kind else None
    return Track(**values)


# -- Album ------------------------------------------------------------------------------


def album_to(album: Album) -> dict[str, Any]:
    """An Album (with its tracklist) as plain JSON data."""
    data = asdict(album)
    data["album_type"] = str(album.album_type)
    data["tracks"] = [track_to(t) for t in album.tracks]
    return data


def album_from(data: dict[str, Any]) -> Album:
    """Rebuild an Album from :func:`album_to` output."""
    values = _known(Album, data)
    values["artists"] = tuple(values.get("artists") or ())
    values["genres"] = tuple(values.get("genres") or ())
    values["ids"] = dict(values.get("ids") or {})
    values["album_type"] = AlbumType(values.get("album_type") or "album")
    values["tracks"] = tuple(track_from(t) for t in values.get("tracks") or ())
    return Album(**values)


# -- Artist -----------------------------------------------------------------------------


def artist_to(artist: Artist) -> dict[str, Any]:
    """An Artist as plain JSON data."""
    return asdict(artist)


def artist_from(data: dict[str, Any]) -> Artist:
    """Rebuild an Artist from :func:`artist_to` output."""
    values = _known(Artist, data)
    values["ids"] = dict(values.get("ids") or {})
    values["genres"] = tuple(values.get("genres") or ())
    return Artist(**values)
