"""SQL for the download queue: job rows and per-peer failure counters.

Every state change is a compare-and-set (``transition``): the row only moves
from one of the states the caller expects. That is what keeps a cancel from
the web UI and a worker finishing the same job at the same moment from
overwriting each other, and what lets a restarted process tell "I was in the
middle of this" from "someone already finished it".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from soulsync.domain import Album, Artist, JobKind, JobState, SoulseekFile, Track
from soulsync.services.downloads import job_codec as codec
from soulsync.services.sync.models import track_key
from soulsync.store import Store
from soulsync.store.schema import bad_files, peer_stats
from soulsync.store.schema import jobs as jobs_table

__all__ = ["FINAL_STATES", "Job", "JobsStore", "NewJob", "wanted_identity"]

FINAL_STATES = (JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED)
ACTIVE_STATES = (JobState.QUEUED, JobState.SEARCHING, JobState.DOWNLOADING, JobState.PROCESSING)


@dataclass(frozen=True, slots=True)
class NewJob:
    """What a caller asks for; becomes a row in state ``queued``."""

    kind: JobKind
    file: SoulseekFile | None = None
    wanted: Track | None = None
    artist: Artist | None = None
    album: Album | None = None
    track: Track | None = None
    batch_id: str | None = None
    candidates: tuple[SoulseekFile, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Job:
    """One row of the queue, decoded."""

    id: int
    kind: JobKind
    state: JobState
    batch_id: str | None
    file: SoulseekFile | None
    wanted: Track | None
    artist: Artist | None
    album: Album | None
    track: Track | None
    candidates: tuple[SoulseekFile, ...]
    candidate_index: int
    bytes_done: int
    percent: float
    speed: float
    attempts: int
    next_attempt_at: float | None
    error: str | None
    result: str | None
    transfer_id: str | None
    local_path: str | None
    destination: str | None
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    cleared: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        """True once the job will not change on its own."""
        return self.state.is_final

    @property
    def title(self) -> str:
        """A one-line description for lists and logs."""
        if self.track is not None:
            return f"{self.track.display_artist} - {self.track.title}"
        if self.wanted is not None:
            return f"{self.wanted.display_artist} - {self.wanted.title}"
        if self.file is not None:
            return self.file.basename
        return f"job {self.id}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view for the web API and events."""
        return {
            "id": self.id,
            "kind": str(self.kind),
            "state": str(self.state),
            "batch_id": self.batch_id,
            "title": self.title,
            "username": self.file.username if self.file else None,
            "filename": self.file.filename if self.file else None,
            "size": self.file.size if self.file else None,
            "bytes_done": self.bytes_done,
            "percent": round(self.percent, 1),
            "speed": round(self.speed),
            "attempts": self.attempts,
            "error": self.error,
            "result": self.result,
            "local_path": self.local_path,
            "destination": self.destination,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "finished_at": self.finished_at,
            "cleared": self.cleared,
        }


def _wanted_blob(job: NewJob) -> str | None:
    data: dict[str, Any] = {"extra": job.extra}
    if job.wanted is not None:
        data["track"] = codec.track_to(job.wanted)
    return codec.dumps(data)


def wanted_identity(track: Track | None) -> tuple[str | None, str | None]:
    """``(wanted_key, wanted_isrc)`` of the recording a playlist-track job stands for."""
    if track is None:
        return None, None
    return track_key(track), track.isrc.upper() if track.isrc else None


class _StandingJobs:
    """The live or completed jobs of the recordings in one batch, looked up at once.

    Also remembers the recordings the batch itself is about to write, so a
    playlist holding the same recording twice queues it once.
    """

    _CHUNK = 400  # keys per IN (...): well under SQLite's variable limit

    def __init__(self) -> None:
        self.by_key: dict[str, Job] = {}
        self.by_isrc: dict[str, Job] = {}
        self.pending_key: dict[str, int] = {}
        self.pending_isrc: dict[str, int] = {}

    @classmethod
    def load(cls, conn: Connection, values: Sequence[dict[str, Any]]) -> _StandingJobs:
        found = cls()
        keys = sorted({v["wanted_key"] for v in values if v["wanted_key"] is not None})
        isrcs = sorted({v["wanted_isrc"] for v in values if v["wanted_isrc"]})
        c = jobs_table.c
        live = sa.and_(
            c.wanted_key.is_not(None),
            c.state.not_in([str(JobState.FAILED), str(JobState.CANCELLED)]),
        )
        rows: dict[int, Any] = {}
        for column, wanted in ((c.wanted_key, keys), (c.wanted_isrc, isrcs)):
            for n in range(0, len(wanted), cls._CHUNK):
                chunk = wanted[n : n + cls._CHUNK]
                for row in conn.execute(sa.select(jobs_table).where(live, column.in_(chunk))):
                    rows[row.id] = row
        for job_id in sorted(rows):  # oldest first: the first job of a recording stands
            row = rows[job_id]
            if row.state == str(JobState.COMPLETED) and not (
                row.destination and os.path.isfile(row.destination)
            ):
                conn.execute(sa.update(jobs_table).where(c.id == row.id).values(wanted_key=None))
                continue
            job = _decode(row)
            found.by_key.setdefault(row.wanted_key, job)
            if row.wanted_isrc:
                found.by_isrc.setdefault(row.wanted_isrc, job)
        return found

    def find(self, key: str, isrc: str | None) -> Job | None:
        """The standing job of this recording (same key, else same ISRC), or None."""
        return self.by_key.get(key) or (self.by_isrc.get(isrc) if isrc else None)

    def written_as(self, key: str, isrc: str | None) -> int | None:
        """The batch position of an earlier row of this batch for the same recording."""
        earlier = self.pending_key.get(key)
        if earlier is None and isrc:
            earlier = self.pending_isrc.get(isrc)
        return earlier

    def claim(self, key: str, isrc: str | None, position: int) -> None:
        """Record that the batch writes this recording as its ``position``-th new row."""
        self.pending_key.setdefault(key, position)
        if isrc:
            self.pending_isrc.setdefault(isrc, position)


def _row_values(job: NewJob, now: float) -> dict[str, Any]:
    key, isrc = wanted_identity(job.wanted) if job.kind is JobKind.PLAYLIST_TRACK else (None, None)
    return {
        "wanted_key": key,
        "wanted_isrc": isrc,
        "kind": str(job.kind),
        "batch_id": job.batch_id,
        "state": str(JobState.QUEUED),
        "username": job.file.username if job.file else None,
        "filename": job.file.filename if job.file else None,
        "size": job.file.size if job.file else None,
        "file_json": codec.dumps(codec.file_to(job.file)) if job.file else None,
        "wanted_json": _wanted_blob(job),
        "artist_json": codec.dumps(codec.artist_to(job.artist)) if job.artist else None,
        "album_json": codec.dumps(codec.album_to(job.album)) if job.album else None,
        "track_json": codec.dumps(codec.track_to(job.track)) if job.track else None,
        "candidates_json": codec.dumps([codec.file_to(f) for f in job.candidates])
        if job.candidates
        else None,
        "candidate_index": 0,
        "created_at": now,
        "updated_at": now,
    }


def _decode(row: Any) -> Job:
    wanted = codec.loads(row.wanted_json) or {}
    file_data = codec.loads(row.file_json)
    artist_data = codec.loads(row.artist_json)
    album_data = codec.loads(row.album_json)
    track_data = codec.loads(row.track_json)
    cands = codec.loads(row.candidates_json) or []
    return Job(
        id=row.id,
        kind=JobKind(row.kind),
        state=JobState(row.state),
        batch_id=row.batch_id,
        file=codec.file_from(file_data) if file_data else None,
        wanted=codec.track_from(wanted["track"]) if wanted.get("track") else None,
        artist=codec.artist_from(artist_data) if artist_data else None,
        album=codec.album_from(album_data) if album_data else None,
        track=codec.track_from(track_data) if track_data else None,
        candidates=tuple(codec.file_from(c) for c in cands),
        candidate_index=row.candidate_index,
        bytes_done=row.bytes_done,
        percent=row.percent,
        speed=row.speed,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        error=row.error,
        result=row.result,
        transfer_id=row.transfer_id,
        local_path=row.local_path,
        destination=row.destination,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        cleared=bool(row.cleared),
        extra=dict(wanted.get("extra") or {}),
    )


def encode_updates(values: dict[str, Any]) -> dict[str, Any]:
    """Turn domain-typed keyword updates into column values.

    Accepts ``file``, ``track``, ``album``, ``artist``, ``candidates`` and
    ``state`` as domain objects; other keys are column names.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "file":
            out["file_json"] = codec.dumps(codec.file_to(value)) if value else None
            out["username"] = value.username if value else None
            out["filename"] = value.filename if value else None
            out["size"] = value.size if value else None
        elif key == "track":
            out["track_json"] = codec.dumps(codec.track_to(value)) if value else None
        elif key == "album":
            out["album_json"] = codec.dumps(codec.album_to(value)) if value else None
        elif key == "artist":
            out["artist_json"] = codec.dumps(codec.artist_to(value)) if value else None
        elif key == "candidates":
            out["candidates_json"] = codec.dumps([codec.file_to(f) for f in value])
        elif key == "state":
            out["state"] = str(value)
        else:
            out[key] = value
    return out


class JobsStore:
    """Reads and writes job rows and peer counters in the SoulSync database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- jobs ---------------------------------------------------------------------------

    def insert(self, new_jobs: Sequence[NewJob]) -> list[Job]:
        """Write jobs in state ``queued`` in one transaction; the rows, in order.

        A playlist-track job for a recording that already has a live or
        completed job is not written: that job is returned in its place (see
        :meth:`insert_or_existing`).
        """
        return [job for job, _new in self.insert_or_existing(new_jobs)]

    def insert_or_existing(self, new_jobs: Sequence[NewJob]) -> list[tuple[Job, bool]]:
        """Like :meth:`insert`, with a flag per row: True if written, False if it existed.

        "Is this recording queued or done? else queue it" is one atomic step
        for every process on the database: the whole batch is looked up and
        written inside one ``BEGIN IMMEDIATE`` transaction, so no other process
        writes between the lookup and the insert, and the partial unique index
        ``uq_jobs_wanted_live`` (one live-or-completed job per recording) backs
        that up. A completed job whose filed file is gone no longer stands for
        the recording (the user deleted it): it gives up its key and the new
        job is written. The lookup is one query per chunk of keys and the
        insert one statement for the batch, so queueing 1,000 tracks costs a
        handful of statements, not 3,000.
        """
        now = time.time()
        values = [_row_values(job, now) for job in new_jobs]
        # Per row: (the standing job it turned out to be, or None and the position of
        # the written row it becomes, and whether that row is its own new job).
        plan: list[tuple[Job | None, int, bool]] = []
        to_write: list[dict[str, Any]] = []
        with self.store.immediate() as conn:
            standing = _StandingJobs.load(conn, values)
            for row in values:
                key, isrc = row["wanted_key"], row["wanted_isrc"]
                if key is not None:
                    existing = standing.find(key, isrc)
                    if existing is not None:
                        plan.append((existing, -1, False))
                        continue
                    earlier = standing.written_as(key, isrc)
                    if earlier is not None:  # the same recording twice in this batch
                        plan.append((None, earlier, False))
                        continue
                    standing.claim(key, isrc, len(to_write))
                plan.append((None, len(to_write), True))
                to_write.append(row)
            written: list[Job] = []
            if to_write:
                result = conn.execute(
                    sa.insert(jobs_table).returning(jobs_table, sort_by_parameter_order=True),
                    to_write,
                )
                written = [_decode(r) for r in result.all()]
        return [(job if job is not None else written[at], new) for job, at, new in plan]

    def get(self, job_id: int) -> Job | None:
        """One job, or None."""
        with self.store.read() as conn:
            row = conn.execute(sa.select(jobs_table).where(jobs_table.c.id == job_id)).first()
        return _decode(row) if row is not None else None

    def require(self, job_id: int) -> Job:
        """One job; KeyError with a clear message if there is no such job."""
        job = self.get(job_id)
        if job is None:
            raise KeyError(f"no download job with id {job_id}")
        return job

    def update(self, job_id: int, **values: Any) -> None:
        """Set columns (domain objects accepted, see :func:`encode_updates`)."""
        cols = encode_updates(values)
        cols["updated_at"] = time.time()
        with self.store.write() as conn:
            conn.execute(sa.update(jobs_table).where(jobs_table.c.id == job_id).values(**cols))

    def transition(
        self,
        job_id: int,
        from_states: Iterable[JobState],
        to_state: JobState,
        *,
        also: Callable[[Connection], None] | None = None,
        **values: Any,
    ) -> Job | None:
        """Move the job to ``to_state`` only if it is in one of ``from_states``.

        Returns the updated job, or None (and changes nothing) if the job is
        elsewhere, e.g. cancelled meanwhile. ``also`` runs in the same
        transaction when the move happens (e.g. recording the filed track, so
        a completed job and its file's record appear together or not at all).
        """
        cols = encode_updates(values)
        now = time.time()
        cols.update(state=str(to_state), updated_at=now)
        if to_state.is_final:
            cols.setdefault("finished_at", now)
        allowed = [str(s) for s in from_states]
        with self.store.write() as conn:
            row = conn.execute(
                sa.update(jobs_table)
                .where(jobs_table.c.id == job_id, jobs_table.c.state.in_(allowed))
                .values(**cols)
                .returning(jobs_table)
            ).first()
            if row is not None and also is not None:
                also(conn)
        return _decode(row) if row is not None else None

    def in_states(self, states: Iterable[JobState], *, limit: int | None = None) -> list[Job]:
        """Jobs in any of ``states``, oldest first."""
        query = (
            sa.select(jobs_table)
            .where(jobs_table.c.state.in_([str(s) for s in states]))
            .order_by(jobs_table.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.store.read() as conn:
            return [_decode(r) for r in conn.execute(query).all()]

    def due_queued(self, now: float, limit: int) -> list[Job]:
        """Queued jobs whose retry time (if any) has come, oldest first."""
        c = jobs_table.c
        query = (
            sa.select(jobs_table)
            .where(
                c.state == str(JobState.QUEUED),
                sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
            )
            .order_by(c.id)
            .limit(limit)
        )
        with self.store.read() as conn:
            return [_decode(r) for r in conn.execute(query).all()]

    def next_due_time(self) -> float | None:
        """The earliest retry time among queued jobs waiting for one."""
        c = jobs_table.c
        with self.store.read() as conn:
            value = conn.execute(
                sa.select(sa.func.min(c.next_attempt_at)).where(
                    c.state == str(JobState.QUEUED), c.next_attempt_at.is_not(None)
                )
            ).scalar()
        return float(value) if value is not None else None

    def batch(self, batch_id: str) -> list[Job]:
        """Every job of a batch, in the order they were queued."""
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(jobs_table)
                .where(jobs_table.c.batch_id == batch_id)
                .order_by(jobs_table.c.id)
            ).all()
        return [_decode(r) for r in rows]

    def active(self, limit: int = 500) -> list[Job]:
        """Jobs not cleared from the active view, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(jobs_table)
                .where(jobs_table.c.cleared.is_(False))
                .order_by(jobs_table.c.id)
                .limit(limit)
            ).all()
        return [_decode(r) for r in rows]

    def history(self, limit: int = 200, offset: int = 0) -> list[Job]:
        """Finished jobs (cleared or not), newest first."""
        c = jobs_table.c
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(jobs_table)
                .where(c.state.in_([str(s) for s in FINAL_STATES]))
                .order_by(c.finished_at.desc(), c.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return [_decode(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many visible jobs are in each state."""
        c = jobs_table.c
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(c.state, sa.func.count()).where(c.cleared.is_(False)).group_by(c.state)
            ).all()
        return {str(state): int(n) for state, n in rows}

    def count_in_states(self, states: Iterable[JobState]) -> int:
        """How many jobs are in any of ``states`` (cheap: no rows are decoded)."""
        c = jobs_table.c
        with self.store.read() as conn:
            value = conn.execute(
                sa.select(sa.func.count()).where(c.state.in_([str(s) for s in states]))
            ).scalar()
        return int(value or 0)

    def mark_cleared(self, states: Iterable[JobState] = FINAL_STATES) -> list[Job]:
        """Hide finished jobs from the active view; returns the jobs cleared."""
        c = jobs_table.c
        wanted = [str(s) for s in states]
        with self.store.write() as conn:
            rows = conn.execute(
                sa.select(jobs_table).where(c.state.in_(wanted), c.cleared.is_(False))
            ).all()
            ids = [r.id for r in rows]
            if ids:
                conn.execute(
                    sa.update(jobs_table)
                    .where(c.id.in_(ids), c.state.in_(wanted))
                    .values(cleared=True, updated_at=time.time())
                )
        return [_decode(r) for r in rows]

    def find_active_source(self, username: str, filename: str) -> Job | None:
        """A not-finished job already fetching this exact remote file, if any."""
        c = jobs_table.c
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(jobs_table)
                .where(
                    c.username == username,
                    c.filename == filename,
                    c.state.in_([str(s) for s in ACTIVE_STATES]),
                )
                .order_by(c.id)
                .limit(1)
            ).first()
        return _decode(row) if row is not None else None

    # -- peers ----------------------------------------------------------------------------

    def record_peer(self, username: str, *, ok: bool, error: str | None = None) -> None:
        """Count a finished transfer for a peer (success or failure)."""
        t = peer_stats
        values: dict[str, Any] = (
            {"successes": t.c.successes + 1}
            if ok
            else {"failures": t.c.failures + 1, "last_failure_at": time.time(), "last_error": error}
        )
        insert = sqlite_insert(t).values(
            username=username,
            failures=0 if ok else 1,
            successes=1 if ok else 0,
            last_failure_at=None if ok else time.time(),
            last_error=None if ok else error,
        )
        with self.store.write() as conn:
            conn.execute(insert.on_conflict_do_update(index_elements=[t.c.username], set_=values))

    def release_waiting(self, service: str) -> int:
        """Queued jobs waiting for ``service`` may start now; returns how many."""
        c = jobs_table.c
        with self.store.write() as conn:
            result = conn.execute(
                sa.update(jobs_table)
                .where(
                    c.state == str(JobState.QUEUED),
                    c.error.like(f"waiting for {service} since%"),
                )
                .values(next_attempt_at=None, updated_at=time.time())
            )
        return int(result.rowcount or 0)

    def mark_bad_file(self, username: str, filename: str, reason: str) -> None:
        """Remember that this peer's file failed verification: it is never picked again."""
        t = bad_files
        insert = sqlite_insert(t).values(
            username=username, filename=filename, reason=reason, at=time.time()
        )
        with self.store.write() as conn:
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[t.c.username, t.c.filename],
                    set_={"reason": reason, "at": time.time()},
                )
            )

    def bad_files(self) -> set[tuple[str, str]]:
        """Every remembered bad ``(username, filename)`` pair."""
        t = bad_files
        with self.store.read() as conn:
            return {(r.username, r.filename) for r in conn.execute(sa.select(t)).all()}

    def peer_failures(self) -> dict[str, int]:
        """Net failure count per peer (failures minus successes, never below 0).

        This is slsk-batchdl's per-user counter: the ranking downranks a peer
        at 1 and ignores it at 2 (``MatchSettings.fails_to_*``).
        """
        t = peer_stats
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t.c.username, t.c.failures, t.c.successes)).all()
        return {r.username: r.failures - r.successes for r in rows if r.failures > r.successes}
