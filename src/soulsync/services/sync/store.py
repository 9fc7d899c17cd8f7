"""SQLite persistence of playlist sync: followed playlists, runs, per-track outcomes, decisions.

The playlist rows are here; runs and per-track outcomes are in
:mod:`~soulsync.services.sync.run_rows`, decisions in
:mod:`~soulsync.services.sync.decisions`.

Every write goes through :meth:`Store.write` (one transaction, serialised), so a
run's state is on disk before the next step starts and a restart can resume.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from soulsync.domain import Playlist, PlaylistEntry, Source
from soulsync.services.sync.decisions import Decision, DecisionKind, DecisionRows
from soulsync.services.sync.models import SyncMode, track_from_dict, track_to_dict
from soulsync.services.sync.run_rows import RunRows
from soulsync.store import Store, schema

__all__ = ["Decision", "DecisionKind", "PlaylistRecord", "SyncStore"]


@dataclass(frozen=True, slots=True)
class PlaylistRecord:
    """A followed/selected playlist as stored."""

    id: int
    source: Source
    source_id: str
    name: str
    owner: str | None
    selected: bool
    mode: SyncMode
    snapshot_id: str | None
    track_count: int
    server_name: str | None
    server_playlist_id: str | None
    last_run_id: str | None
    last_synced_at: float | None

    @property
    def ref(self) -> str:
        """``source:id``, the form ``PlaylistRef.parse`` reads back."""
        return f"{self.source.value}:{self.source_id}"


def entries_to_json(entries: Iterable[PlaylistEntry]) -> str:
    """Serialise playlist entries (order, track, local/unavailable flags)."""
    return json.dumps(
        [
            {
                "position": e.position,
                "track": track_to_dict(e.track) if e.track is not None else None,
                "is_local": e.is_local,
                "unavailable_reason": e.unavailable_reason,
            }
            for e in entries
        ]
    )


def entries_from_json(text: str) -> tuple[PlaylistEntry, ...]:
    """The inverse of :func:`entries_to_json`."""
    return tuple(
        PlaylistEntry(
            position=int(item["position"]),
            track=track_from_dict(item["track"]) if item.get("track") else None,
            is_local=bool(item.get("is_local")),
            unavailable_reason=item.get("unavailable_reason"),
        )
        for item in json.loads(text)
    )


class SyncStore(RunRows, DecisionRows):
    """Typed access to the sync tables of a :class:`~soulsync.store.Store`.

    Runs and their per-track rows come from
    :class:`~soulsync.services.sync.run_rows.RunRows`, match decisions
    (remember / forget / decisions_for) from
    :class:`~soulsync.services.sync.decisions.DecisionRows`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- playlists ---------------------------------------------------------------------

    def upsert_playlist(
        self,
        playlist: Playlist,
        *,
        selected: bool | None = None,
        mode: SyncMode | None = None,
        with_entries: bool = True,
    ) -> PlaylistRecord:
        """Insert or refresh a playlist row (name, snapshot, entries); returns the record."""
        t = schema.sync_playlists
        now = time.time()
        values: dict[str, Any] = {
            "name": playlist.name,
            "owner": playlist.owner,
            "updated_at": now,
        }
        if with_entries and playlist.entries:
            values["entries_json"] = entries_to_json(playlist.entries)
            values["track_count"] = len(playlist.entries)
            values["snapshot_id"] = playlist.snapshot_id
        elif playlist.total and not with_entries:
            values["track_count"] = playlist.total
        if selected is not None:
            values["selected"] = selected
        if mode is not None:
            values["mode"] = mode.value
        # BEGIN IMMEDIATE: two processes syncing a new playlist at once must not
        # both read "no row" and both insert (the second would hit the unique key).
        with self.store.immediate() as conn:
            row = conn.execute(
                sa.select(t.c.id).where(
                    t.c.source == playlist.source.value, t.c.source_id == playlist.id
                )
            ).first()
            if row is None:
                values.setdefault("selected", False)
                values.setdefault("mode", SyncMode.MIRROR.value)
                values.setdefault("track_count", playlist.total or len(playlist.entries))
                result = conn.execute(
                    sa.insert(t).values(
                        source=playlist.source.value,
                        source_id=playlist.id,
                        created_at=now,
                        **values,
                    )
                )
                row_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            else:
                row_id = int(row.id)
                conn.execute(sa.update(t).where(t.c.id == row_id).values(**values))
        record = self.get_playlist(row_id)
        assert record is not None
        return record

    def get_playlist(self, row_id: int) -> PlaylistRecord | None:
        """A playlist by its row id."""
        t = schema.sync_playlists
        with self.store.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == row_id)).first()
        return _playlist(row) if row else None

    def find_playlist(self, source: Source, source_id: str) -> PlaylistRecord | None:
        """A playlist by its source and source id."""
        t = schema.sync_playlists
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(t).where(t.c.source == source.value, t.c.source_id == source_id)
            ).first()
        return _playlist(row) if row else None

    def find_by_name(self, name: str) -> list[PlaylistRecord]:
        """Playlists whose name equals ``name`` (case-insensitive)."""
        t = schema.sync_playlists
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t).where(sa.func.lower(t.c.name) == name.strip().lower())
            ).all()
        return [_playlist(r) for r in rows]

    def list_playlists(self, *, selected_only: bool = False) -> list[PlaylistRecord]:
        """Every known playlist, by name."""
        t = schema.sync_playlists
        query = sa.select(t).order_by(sa.func.lower(t.c.name), t.c.id)
        if selected_only:
            query = query.where(t.c.selected.is_(True))
        with self.store.read() as conn:
            return [_playlist(r) for r in conn.execute(query).all()]

    def update_playlist(self, row_id: int, **values: Any) -> None:
        """Set columns of a playlist row (selected, mode, server ids, last run...)."""
        if "mode" in values and isinstance(values["mode"], SyncMode):
            values["mode"] = values["mode"].value
        values["updated_at"] = time.time()
        t = schema.sync_playlists
        with self.store.write() as conn:
            conn.execute(sa.update(t).where(t.c.id == row_id).values(**values))

    def get_playlist_intent(self, row_id: int) -> dict[str, Any] | None:
        """The recorded "creating its server playlist" intent of a playlist, if any."""
        t = schema.sync_playlists
        with self.store.read() as conn:
            value = conn.execute(
                sa.select(t.c.server_playlist_intent).where(t.c.id == row_id)
            ).scalar()
        return dict(json.loads(value)) if value else None

    def cached_playlist(self, row_id: int) -> Playlist | None:
        """The playlist as last fetched (entries in order), without asking the source."""
        t = schema.sync_playlists
        with self.store.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == row_id)).first()
        if row is None or not row.entries_json:
            return None
        entries = entries_from_json(row.entries_json)
        return Playlist(
            id=row.source_id,
            name=row.name,
            source=Source(row.source),
            owner=row.owner,
            snapshot_id=row.snapshot_id,
            total=len(entries),
            entries=entries,
        )


# -- row mappers ------------------------------------------------------------------------------


def _playlist(row: Any) -> PlaylistRecord:
    return PlaylistRecord(
        id=int(row.id),
        source=Source(row.source),
        source_id=row.source_id,
        name=row.name,
        owner=row.owner,
        selected=bool(row.selected),
        mode=SyncMode(row.mode),
        snapshot_id=row.snapshot_id,
        track_count=int(row.track_count or 0),
        server_name=row.server_name,
        server_playlist_id=row.server_playlist_id,
        last_run_id=row.last_run_id,
        last_synced_at=row.last_synced_at,
    )
