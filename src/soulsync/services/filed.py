"""SoulSync's own record of the files it filed: the recording identity of the library.

Every track the download queue files is registered here (path, Spotify and
Deezer ids, ISRC, duration, quality) in the same database transaction that
completes its job, before any media-server rescan. Analysis and the download
queue look here first (service ids, then ISRC), so a track filed a moment
before a crash, or by another process, is never fetched again, and filing a
second copy of one recording replaces or drops a file instead of leaving a
``Title (2).ext`` beside it.

A row whose file is gone (deleted by hand) no longer counts: lookups check
the file exists and drop stale rows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from soulsync.domain import Track
from soulsync.services.sync.models import track_key
from soulsync.store import Store, schema

__all__ = ["FiledTrack", "FiledTracks", "filed_row"]

_CHUNK = 400


@dataclass(frozen=True, slots=True)
class FiledTrack:
    """One filed file as recorded."""

    id: int
    path: str
    track_key: str | None
    spotify_id: str | None
    deezer_id: str | None
    isrc: str | None
    title: str
    artist: str
    album: str | None
    duration_ms: int | None
    quality_rank: int | None
    quality: str | None
    size: int | None
    job_id: int | None
    filed_at: float


def filed_row(
    tracks: Sequence[Track],
    path: str,
    *,
    quality_rank: int | None = None,
    quality: str | None = None,
    size: int | None = None,
    job_id: int | None = None,
) -> dict[str, Any]:
    """Column values for ``path`` filed as the recording ``tracks`` describe.

    ``tracks`` are descriptions of the same recording (e.g. the playlist's
    track and the metadata the file was tagged with); ids and ISRC are taken
    from the first that has them, title and artist from the first.
    """
    if not tracks:
        raise ValueError("a filed track needs at least one description")
    first = tracks[0]

    def pick(get: Any) -> Any:
        for t in tracks:
            value = get(t)
            if value:
                return value
        return None

    isrc = pick(lambda t: t.isrc)
    return {
        "path": str(path),
        "track_key": track_key(first),
        "spotify_id": pick(lambda t: t.ids.get("spotify")),
        "deezer_id": pick(lambda t: t.ids.get("deezer")),
        "isrc": isrc.upper() if isrc else None,
        "title": first.title,
        "artist": first.display_artist,
        "album": pick(lambda t: t.album),
        "duration_ms": pick(lambda t: t.duration_ms),
        "quality_rank": quality_rank,
        "quality": quality,
        "size": size,
        "job_id": job_id,
        "filed_at": time.time(),
    }


class FiledTracks:
    """Reads and writes ``filed_tracks``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def record_in(conn: Connection, values: dict[str, Any]) -> None:
        """Insert or replace the row of ``values["path"]`` inside the caller's transaction."""
        t = schema.filed_tracks
        conn.execute(sa.delete(t).where(t.c.path == values["path"]))
        conn.execute(sa.insert(t).values(**values))

    def record(self, values: dict[str, Any]) -> None:
        """Insert or replace one row (its own transaction)."""
        with self.store.write() as conn:
            self.record_in(conn, values)

    def forget(self, path: str) -> int:
        """Drop the row of ``path``; returns how many rows went."""
        t = schema.filed_tracks
        with self.store.write() as conn:
            result = conn.execute(sa.delete(t).where(t.c.path == str(path)))
        return int(result.rowcount or 0)

    def all(self) -> list[FiledTrack]:
        """Every row, oldest first."""
        t = schema.filed_tracks
        with self.store.read() as conn:
            return [_row(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).all()]

    def find(self, track: Track) -> FiledTrack | None:
        """The filed file of ``track``'s recording (same service id or ISRC), if it exists."""
        return self.find_many([track]).get(track_key(track))

    def find_many(self, tracks: Iterable[Track]) -> dict[str, FiledTrack]:
        """``track_key -> filed file`` for each track filed before whose file still exists.

        Matched by Spotify id, Deezer id, ISRC or the track's own key, in that
        order of trust. Rows whose file is gone are removed.
        """
        wanted = list(tracks)
        if not wanted:
            return {}
        t = schema.filed_tracks
        by: dict[str, dict[str, list[str]]] = {"spotify": {}, "deezer": {}, "isrc": {}, "key": {}}
        for track in wanted:
            owner = track_key(track)
            if sid := track.ids.get("spotify"):
                by["spotify"].setdefault(sid, []).append(owner)
            if did := track.ids.get("deezer"):
                by["deezer"].setdefault(did, []).append(owner)
            if track.isrc:
                by["isrc"].setdefault(track.isrc.upper(), []).append(owner)
            by["key"].setdefault(owner, []).append(owner)
        columns = {
            "spotify": t.c.spotify_id,
            "deezer": t.c.deezer_id,
            "isrc": t.c.isrc,
            "key": t.c.track_key,
        }
        found: dict[str, FiledTrack] = {}
        stale: list[str] = []
        with self.store.read() as conn:
            for kind in ("spotify", "deezer", "isrc", "key"):
                values = list(by[kind])
                for start in range(0, len(values), _CHUNK):
                    chunk = values[start : start + _CHUNK]
                    rows = conn.execute(
                        sa.select(t).where(columns[kind].in_(chunk)).order_by(t.c.id.desc())
                    ).all()
                    for row in rows:
                        value = getattr(row, columns[kind].name)
                        for owner in by[kind].get(value, []):
                            if owner in found:
                                continue
                            if not os.path.isfile(row.path):
                                stale.append(row.path)
                                continue
                            found[owner] = _row(row)
        if stale:
            with self.store.write() as conn:
                conn.execute(sa.delete(t).where(t.c.path.in_(sorted(set(stale)))))
        return found


def _row(row: Any) -> FiledTrack:
    return FiledTrack(
        id=int(row.id),
        path=row.path,
        track_key=row.track_key,
        spotify_id=row.spotify_id,
        deezer_id=row.deezer_id,
        isrc=row.isrc,
        title=row.title,
        artist=row.artist,
        album=row.album,
        duration_ms=row.duration_ms,
        quality_rank=row.quality_rank,
        quality=row.quality,
        size=row.size,
        job_id=row.job_id,
        filed_at=float(row.filed_at),
    )
