"""The user's and the sync's memory about source tracks: match decisions.

* **confirmed** / **corrected**: the user said which library track a playlist
  track is; it stays matched on every later run;
* **owned**: the sync matched or downloaded it once; it is not fetched again
  because its title changed upstream (the file is looked up by id, then path);
* **rejected**: the user said a library track is NOT that song; it is never
  offered for it again.

Decisions are keyed by the track's primary key (``spotify:<id>``...) and found
by any of its keys or its ISRC (:func:`~soulsync.services.sync.models.track_keys`).
:class:`DecisionRows` is mixed into :class:`~soulsync.services.sync.store.SyncStore`.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from soulsync.domain import LibraryTrack, Track
from soulsync.services.sync.models import track_key, track_keys
from soulsync.store import Store, schema

__all__ = ["Decision", "DecisionKind", "DecisionRows"]

_CHUNK = 500  # SQLite host-parameter batches


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class DecisionKind(enum.StrEnum):
    """What a stored decision says about a source track."""

    CONFIRMED = "confirmed"  # the user said this library match is right
    CORRECTED = "corrected"  # the user picked another library track by hand
    OWNED = "owned"  # matched or downloaded once: do not fetch it again
    REJECTED = "rejected"  # the user said this library track is NOT the song

    @property
    def positive(self) -> bool:
        """True for decisions that name the library track to use."""
        return self is not DecisionKind.REJECTED


@dataclass(frozen=True, slots=True)
class Decision:
    """One stored decision."""

    track_key: str
    isrc: str | None
    kind: DecisionKind
    library_id: str | None
    library_path: str | None
    title: str | None
    artist: str | None
    decided_by: str
    updated_at: float


class DecisionRows:
    """Reads and writes ``match_decisions`` (needs ``self.store``)."""

    store: Store

    def remember(
        self,
        track: Track,
        kind: DecisionKind,
        *,
        library_id: str | None,
        library_path: str | None = None,
        decided_by: str = "sync",
    ) -> None:
        """Store a decision about ``track``.

        A user's decision (confirmed/corrected) replaces every earlier positive
        decision for the track; an automatic ``owned`` never overrides the
        user's. A rejection is kept per library track, and a correction to a
        library track lifts an earlier rejection of it.
        """
        t = schema.match_decisions
        key = track_key(track)
        keys = track_keys(track)
        now = time.time()
        positive = [k.value for k in DecisionKind if k.positive]
        with self.store.write() as conn:
            if kind.positive:
                if decided_by != "user":
                    user_rows = conn.execute(
                        sa.select(t.c.id).where(
                            t.c.track_key.in_(keys),
                            t.c.kind.in_(positive),
                            t.c.decided_by == "user",
                        )
                    ).first()
                    if user_rows is not None:
                        return
                conn.execute(sa.delete(t).where(t.c.track_key.in_(keys), t.c.kind.in_(positive)))
                if library_id is not None:
                    conn.execute(
                        sa.delete(t).where(
                            t.c.track_key.in_(keys),
                            t.c.kind == DecisionKind.REJECTED.value,
                            t.c.library_id == library_id,
                        )
                    )
            else:
                conn.execute(
                    sa.delete(t).where(
                        t.c.track_key.in_(keys),
                        t.c.kind.in_(positive),
                        t.c.library_id == library_id,
                    )
                )
            conn.execute(
                sa.insert(t).values(
                    track_key=key,
                    isrc=track.isrc.upper() if track.isrc else None,
                    kind=kind.value,
                    library_id=library_id,
                    library_path=library_path,
                    title=track.title,
                    artist=track.display_artist,
                    decided_by=decided_by,
                    created_at=now,
                    updated_at=now,
                )
            )

    def remember_owned_many(self, pairs: Sequence[tuple[Track, LibraryTrack]]) -> int:
        """Remember "owned" for many tracks in one transaction; returns how many were written.

        Skips tracks whose current positive decision already names the same
        library track (so an unchanged playlist writes nothing) and tracks
        with a user decision (the user's word stands).
        """
        if not pairs:
            return 0
        existing = self.decisions_for([t for t, _ in pairs])
        t = schema.match_decisions
        positive = [k.value for k in DecisionKind if k.positive]
        now = time.time()
        written = 0
        with self.store.write() as conn:
            for track, lib in pairs:
                mine = [d for d in existing.get(track_key(track), []) if d.kind.positive]
                if any(d.decided_by == "user" for d in mine):
                    continue
                if any(d.library_id == lib.id and d.library_path == lib.path for d in mine):
                    continue
                conn.execute(
                    sa.delete(t).where(t.c.track_key.in_(track_keys(track)), t.c.kind.in_(positive))
                )
                conn.execute(
                    sa.insert(t).values(
                        track_key=track_key(track),
                        isrc=track.isrc.upper() if track.isrc else None,
                        kind=DecisionKind.OWNED.value,
                        library_id=lib.id,
                        library_path=lib.path,
                        title=track.title,
                        artist=track.display_artist,
                        decided_by="sync",
                        created_at=now,
                        updated_at=now,
                    )
                )
                written += 1
        return written

    def forget(self, track: Track) -> int:
        """Drop every decision about ``track``; returns how many were removed."""
        t = schema.match_decisions
        with self.store.write() as conn:
            result = conn.execute(sa.delete(t).where(t.c.track_key.in_(track_keys(track))))
        return int(result.rowcount or 0)

    def decisions_for(self, tracks: Sequence[Track]) -> dict[str, list[Decision]]:
        """Every stored decision about any of ``tracks``, keyed by each track's primary key.

        One query per 500 keys, so a 1,000-track playlist costs a handful of
        queries. A decision matches a track by any of its keys (service ids,
        ``isrc:``, text key) or by ISRC.
        """
        t = schema.match_decisions
        key_owner: dict[str, str] = {}
        isrc_owner: dict[str, list[str]] = {}
        for track in tracks:
            primary = track_key(track)
            for k in track_keys(track):
                key_owner.setdefault(k, primary)
            if track.isrc:
                isrc_owner.setdefault(track.isrc.upper(), []).append(primary)
        found: dict[str, list[Decision]] = {}
        seen: set[tuple[str, int]] = set()
        with self.store.read() as conn:
            for chunk in _chunks(list(key_owner)):
                for row in conn.execute(sa.select(t).where(t.c.track_key.in_(chunk))).all():
                    owner = key_owner[row.track_key]
                    if (owner, row.id) not in seen:
                        seen.add((owner, row.id))
                        found.setdefault(owner, []).append(_decision(row))
            for chunk in _chunks(list(isrc_owner)):
                for row in conn.execute(sa.select(t).where(t.c.isrc.in_(chunk))).all():
                    for owner in isrc_owner.get(row.isrc, []):
                        if (owner, row.id) not in seen:
                            seen.add((owner, row.id))
                            found.setdefault(owner, []).append(_decision(row))
        return found


def _decision(row: Any) -> Decision:
    return Decision(
        track_key=row.track_key,
        isrc=row.isrc,
        kind=DecisionKind(row.kind),
        library_id=row.library_id,
        library_path=row.library_path,
        title=row.title,
        artist=row.artist,
        decided_by=row.decided_by,
        updated_at=float(row.updated_at),
    )
