"""SQLite rows of sync runs: the run records and their per-track outcomes.

:class:`RunRows` is mixed into :class:`~soulsync.services.sync.store.SyncStore`:
creating and updating runs, which process owns a run (claim, heartbeat,
release) and its resume state, the per-track rows of a run and, across runs,
the tracks that already have a live download job.
"""

from __future__ import annotations

import enum
import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from soulsync.domain import JobState, Track
from soulsync.services.sync.models import (
    RunState,
    SyncMode,
    TrackStatus,
    track_from_dict,
    track_key,
    track_to_dict,
)
from soulsync.store import Store, schema

__all__ = ["RunRecord", "RunRows", "RunTrack"]

_CHUNK = 500  # SQLite host-parameter batches


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One sync run as stored (totals, timing, state)."""

    id: str
    playlist_row_id: int | None
    playlist_name: str
    source: str
    source_id: str
    snapshot_id: str | None
    mode: SyncMode
    download_missing: bool
    dry_run: bool
    state: RunState
    phase: str | None
    media_server: str | None
    server_reachable: bool | None
    started_at: float
    finished_at: float | None
    duration_s: float | None
    total: int
    owned: int
    uncertain: int
    missing: int
    downloaded: int
    wishlisted: int
    failed: int
    unavailable: int
    in_server_playlist: int
    playlist_synced: bool
    server_playlist_id: str | None
    message: str | None
    error: str | None

    @property
    def ref(self) -> str:
        """The playlist reference the run was started with."""
        return f"{self.source}:{self.source_id}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (for the web UI and ``--json`` output)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.value if isinstance(value, enum.Enum) else value
        return out


@dataclass(frozen=True, slots=True)
class RunTrack:
    """Outcome of one playlist position in a run."""

    run_id: str
    position: int
    track_key: str | None
    title: str | None
    artist: str | None
    album: str | None
    isrc: str | None
    track: Track | None
    status: TrackStatus
    confidence: float | None
    reason: str | None
    library_id: str | None
    library_path: str | None
    job_id: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the track itself is left out; title/artist/album are enough)."""
        return {
            "position": self.position,
            "track_key": self.track_key,
            "title": self.title,
            "artist": self.artist,
            "album": self.album,
            "isrc": self.isrc,
            "status": self.status.value,
            "confidence": self.confidence,
            "reason": self.reason,
            "library_id": self.library_id,
            "library_path": self.library_path,
            "job_id": self.job_id,
        }


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class RunRows:
    """Reads and writes ``sync_runs`` and ``sync_run_tracks`` (needs ``self.store``)."""

    store: Store

    # -- runs ---------------------------------------------------------------------------

    def create_run(
        self,
        *,
        playlist_row_id: int | None,
        playlist_name: str,
        source: str,
        source_id: str,
        mode: SyncMode,
        download_missing: bool,
        dry_run: bool,
        media_server: str | None,
        owner: str | None = None,
    ) -> str:
        """Start a run record in state ``pending``; returns its id."""
        run_id = uuid.uuid4().hex[:16]
        with self.store.write() as conn:
            conn.execute(
                sa.insert(schema.sync_runs).values(
                    id=run_id,
                    playlist_row_id=playlist_row_id,
                    playlist_name=playlist_name,
                    source=source,
                    source_id=source_id,
                    mode=mode.value,
                    download_missing=download_missing,
                    dry_run=dry_run,
                    state=RunState.PENDING.value,
                    phase="pending",
                    media_server=media_server,
                    started_at=time.time(),
                    owner=owner,
                    heartbeat_at=time.time(),
                )
            )
        return run_id

    def update_run(self, run_id: str, **values: Any) -> None:
        """Set columns of a run (state, phase, totals, message...)."""
        for key, value in list(values.items()):
            if isinstance(value, enum.Enum):
                values[key] = value.value
        t = schema.sync_runs
        with self.store.write() as conn:
            conn.execute(sa.update(t).where(t.c.id == run_id).values(values))

    def get_run(self, run_id: str) -> RunRecord | None:
        """A run by id."""
        t = schema.sync_runs
        with self.store.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == run_id)).first()
        return _run(row) if row else None

    def runs(self, limit: int = 20, playlist_row_id: int | None = None) -> list[RunRecord]:
        """The newest runs first."""
        t = schema.sync_runs
        query = sa.select(t).order_by(t.c.started_at.desc(), t.c.id).limit(limit)
        if playlist_row_id is not None:
            query = query.where(t.c.playlist_row_id == playlist_row_id)
        with self.store.read() as conn:
            return [_run(r) for r in conn.execute(query).all()]

    def unfinished_runs(self) -> list[RunRecord]:
        """Runs left pending, running or interrupted (by a crash or a restart), oldest first."""
        t = schema.sync_runs
        unfinished = [RunState.PENDING.value, RunState.RUNNING.value, RunState.INTERRUPTED.value]
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.state.in_(unfinished)).order_by(t.c.started_at)
            ).all()
        return [_run(r) for r in rows]

    def run_owners(self, run_ids: Sequence[str]) -> dict[str, tuple[str | None, float | None]]:
        """``run id -> (owner, heartbeat_at)``: which process works each run."""
        t = schema.sync_runs
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t.c.id, t.c.owner, t.c.heartbeat_at).where(t.c.id.in_(list(run_ids)))
            ).all()
        return {r.id: (r.owner, r.heartbeat_at) for r in rows}

    def claim_run(self, run_id: str, owner: str, *, expected: str | None) -> bool:
        """Make ``owner`` the run's process if its owner is still ``expected`` (compare-and-set).

        Two processes finding the same orphaned run cannot both resume it.
        """
        t = schema.sync_runs
        where = t.c.owner.is_(None) if expected is None else t.c.owner == expected
        with self.store.write() as conn:
            result = conn.execute(
                sa.update(t)
                .where(t.c.id == run_id, where)
                .values(owner=owner, heartbeat_at=time.time())
            )
        return bool(result.rowcount)

    def release_runs(self, run_ids: Sequence[str], owner: str) -> None:
        """``owner`` stops working on ``run_ids`` (a clean shutdown): they become orphans."""
        self._update_owned(run_ids, owner, {"owner": None, "heartbeat_at": None})

    def heartbeat(self, run_ids: Sequence[str], owner: str) -> None:
        """Say ``owner`` is alive and still works on ``run_ids``."""
        self._update_owned(run_ids, owner, {"heartbeat_at": time.time()})

    def _update_owned(self, run_ids: Sequence[str], owner: str, values: dict[str, object]) -> None:
        """Set ``values`` on those of ``run_ids`` that ``owner`` holds."""
        if not run_ids:
            return
        t = schema.sync_runs
        with self.store.write() as conn:
            conn.execute(
                sa.update(t).where(t.c.id.in_(list(run_ids)), t.c.owner == owner).values(values)
            )

    def resume_state(self, run_id: str) -> dict[str, Any]:
        """The JSON resume state of a run ({} if none)."""
        t = schema.sync_runs
        with self.store.read() as conn:
            value = conn.execute(sa.select(t.c.resume_json).where(t.c.id == run_id)).scalar()
        return json.loads(value) if value else {}

    # -- per-track outcomes ------------------------------------------------------------------

    def write_tracks(self, run_id: str, rows: Sequence[dict[str, Any]]) -> None:
        """Replace the per-track rows of a run (one transaction)."""
        t = schema.sync_run_tracks
        now = time.time()
        payload = []
        for row in rows:
            track: Track | None = row.get("track")
            status = row["status"]
            payload.append(
                {
                    "run_id": run_id,
                    "position": row["position"],
                    "track_key": track_key(track) if track is not None else None,
                    "title": track.title if track else row.get("title"),
                    "artist": track.display_artist if track else row.get("artist"),
                    "album": track.album if track else None,
                    "isrc": track.isrc if track else None,
                    "track_json": json.dumps(track_to_dict(track)) if track else None,
                    "status": status.value if isinstance(status, enum.Enum) else status,
                    "confidence": row.get("confidence"),
                    "reason": row.get("reason"),
                    "library_id": row.get("library_id"),
                    "library_path": row.get("library_path"),
                    "job_id": row.get("job_id"),
                    "updated_at": now,
                }
            )
        with self.store.write() as conn:
            conn.execute(sa.delete(t).where(t.c.run_id == run_id))
            if payload:
                conn.execute(sa.insert(t), payload)

    def update_track(self, run_id: str, position: int, **values: Any) -> None:
        """Set columns of one per-track row (status, reason, job id...)."""
        for key, value in list(values.items()):
            if isinstance(value, enum.Enum):
                values[key] = value.value
        values["updated_at"] = time.time()
        t = schema.sync_run_tracks
        with self.store.write() as conn:
            conn.execute(
                sa.update(t).where(t.c.run_id == run_id, t.c.position == position).values(values)
            )

    def run_tracks(self, run_id: str) -> list[RunTrack]:
        """The per-track rows of a run, in playlist order."""
        t = schema.sync_run_tracks
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.run_id == run_id).order_by(t.c.position)
            ).all()
        return [_run_track(r) for r in rows]

    def prune_track_rows(self, playlist_row_id: int, *, keep_runs: int) -> int:
        """Drop per-track rows of a playlist's runs older than the newest ``keep_runs``.

        Run totals stay; only the per-track detail of old runs goes. Returns
        how many rows were deleted.
        """
        runs, rt = schema.sync_runs, schema.sync_run_tracks
        with self.store.write() as conn:
            old = [
                r.id
                for r in conn.execute(
                    sa.select(runs.c.id)
                    .where(runs.c.playlist_row_id == playlist_row_id)
                    .order_by(runs.c.started_at.desc(), runs.c.id)
                    .offset(keep_runs)
                ).all()
            ]
            if not old:
                return 0
            result = conn.execute(sa.delete(rt).where(rt.c.run_id.in_(old)))
        return int(result.rowcount or 0)

    def active_jobs_for(self, keys: Sequence[str]) -> dict[str, int]:
        """``track_key -> job id`` for tracks that have a download job not yet finished.

        This is how "do not search again for a track already queued" works
        across runs: any run's per-track row pointing at a live job counts.
        """
        if not keys:
            return {}
        rt, jobs = schema.sync_run_tracks, schema.jobs
        final = [JobState.COMPLETED.value, JobState.FAILED.value, JobState.CANCELLED.value]
        found: dict[str, int] = {}
        with self.store.read() as conn:
            for chunk in _chunks(list(dict.fromkeys(keys))):
                rows = conn.execute(
                    sa.select(rt.c.track_key, rt.c.job_id)
                    .join(jobs, jobs.c.id == rt.c.job_id)
                    .where(rt.c.track_key.in_(chunk), jobs.c.state.not_in(final))
                ).all()
                for row in rows:
                    found[str(row.track_key)] = int(row.job_id)
        return found


# -- row mappers ------------------------------------------------------------------------------


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        playlist_row_id=row.playlist_row_id,
        playlist_name=row.playlist_name,
        source=row.source,
        source_id=row.source_id,
        snapshot_id=row.snapshot_id,
        mode=SyncMode(row.mode),
        download_missing=bool(row.download_missing),
        dry_run=bool(row.dry_run),
        state=RunState(row.state),
        phase=row.phase,
        media_server=row.media_server,
        server_reachable=None if row.server_reachable is None else bool(row.server_reachable),
        started_at=float(row.started_at),
        finished_at=row.finished_at,
        duration_s=row.duration_s,
        total=int(row.total),
        owned=int(row.owned),
        uncertain=int(row.uncertain),
        missing=int(row.missing),
        downloaded=int(row.downloaded),
        wishlisted=int(row.wishlisted),
        failed=int(row.failed),
        unavailable=int(row.unavailable),
        in_server_playlist=int(row.in_server_playlist),
        playlist_synced=bool(row.playlist_synced),
        server_playlist_id=row.server_playlist_id,
        message=row.message,
        error=row.error,
    )


def _run_track(row: Any) -> RunTrack:
    return RunTrack(
        run_id=row.run_id,
        position=int(row.position),
        track_key=row.track_key,
        title=row.title,
        artist=row.artist,
        album=row.album,
        isrc=row.isrc,
        track=track_from_dict(json.loads(row.track_json)) if row.track_json else None,
        status=TrackStatus(row.status),
        confidence=row.confidence,
        reason=row.reason,
        library_id=row.library_id,
        library_path=row.library_path,
        job_id=row.job_id,
    )
