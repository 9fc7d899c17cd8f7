"""The wishlist: tracks a sync could not get, kept for retry and manual correction.

A track lands here when the searches found no acceptable file or every
download of it failed, with the reason and the queries tried. From here it is

* **retried** - all due entries or one - on a schedule (default every 6 hours,
  a bounded number per pass so the Soulseek search budget is not burnt), and
  until the next retry time it is in **cool-down**: sync does not search for it;
* **corrected by hand** - a new search shows ranked candidates with the
  engine's reasons, and the user picks one, which is queued as a download;
* **ignored** - never searched again until un-ignored.

An entry is resolved (kept for history) once a download of it is filed. The
queued state is reconciled from the download queue, so nothing depends on
this process staying up while a download runs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from soulsync.domain import Track
from soulsync.services.downloads import job_codec
from soulsync.services.events import EventBus
from soulsync.services.sync.models import track_from_dict, track_key, track_keys, track_to_dict
from soulsync.services.sync.ports import Candidate, DownloadPort, JobOutcome
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.store import Store, schema

__all__ = [
    "NeedsConfirmation",
    "WishlistEntry",
    "WishlistError",
    "WishlistService",
]

log = logging.getLogger(__name__)

WAITING, QUEUED, RESOLVED = "waiting", "queued", "resolved"
_CANDIDATE_CACHE = "wishlist.candidates"


class WishlistError(RuntimeError):
    """A wishlist operation could not be done; the message says why."""


class NeedsConfirmation(WishlistError):
    """The picked file was rejected by the engine; the user must confirm it."""


@dataclass(frozen=True, slots=True)
class WishlistEntry:
    """One wanted track that has not been found yet."""

    id: int
    track_key: str
    track: Track
    playlist_ref: str | None
    reason: str
    queries: tuple[str, ...]
    attempts: int
    last_attempt_at: float | None
    next_retry_at: float | None
    state: str  # waiting | queued | resolved
    job_id: int | None
    ignored: bool
    created_at: float
    updated_at: float
    resolved_at: float | None

    def in_cooldown(self, now: float | None = None) -> bool:
        """True while sync must not search for it (waiting and not yet due, or queued)."""
        if self.state == QUEUED:
            return True
        if self.state != WAITING:
            return False
        return self.next_retry_at is not None and self.next_retry_at > (now or time.time())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the web UI and the CLI."""
        return {
            "id": self.id,
            "track_key": self.track_key,
            "title": self.track.title,
            "artist": self.track.display_artist,
            "album": self.track.album,
            "playlist_ref": self.playlist_ref,
            "reason": self.reason,
            "queries": list(self.queries),
            "attempts": self.attempts,
            "last_attempt_at": self.last_attempt_at,
            "next_retry_at": self.next_retry_at,
            "state": self.state,
            "job_id": self.job_id,
            "ignored": self.ignored,
            "created_at": self.created_at,
            "resolved_at": self.resolved_at,
        }


def _entry(row: Any) -> WishlistEntry:
    return WishlistEntry(
        id=int(row.id),
        track_key=row.track_key,
        track=track_from_dict(json.loads(row.track_json)),
        playlist_ref=row.playlist_ref,
        reason=row.reason,
        queries=tuple(json.loads(row.queries_json or "[]")),
        attempts=int(row.attempts),
        last_attempt_at=row.last_attempt_at,
        next_retry_at=row.next_retry_at,
        state=row.state,
        job_id=row.job_id,
        ignored=bool(row.ignored),
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        resolved_at=row.resolved_at,
    )


class WishlistService:
    """Wishlist storage, retries and manual correction.

    ``downloads`` may be None (no download source configured): the list can
    still be shown, edited and ignored; retries then raise ``WishlistError``.
    """

    def __init__(
        self,
        store: Store,
        downloads: DownloadPort | None = None,
        bus: EventBus | None = None,
        *,
        cooldown_s: float = 6 * 3600,
        max_per_pass: int = 20,
    ) -> None:
        self.store = store
        self.downloads = downloads
        self.bus = bus
        self.cooldown_s = cooldown_s
        self.max_per_pass = max_per_pass

    # -- reading -----------------------------------------------------------------------------

    def get(self, entry_id: int) -> WishlistEntry:
        """One entry; ``WishlistError`` if there is none."""
        t = schema.wishlist
        with self.store.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == entry_id)).first()
        if row is None:
            raise WishlistError(f"no wishlist entry with id {entry_id}")
        return _entry(row)

    def find(self, track: Track) -> WishlistEntry | None:
        """The entry for ``track`` (by any of its keys), if there is one."""
        found = self.find_many([track])
        return found.get(track_key(track))

    def find_many(self, tracks: Sequence[Track]) -> dict[str, WishlistEntry]:
        """Entries for ``tracks``, keyed by each track's primary key (one query per 500 keys)."""
        owner: dict[str, str] = {}
        by_isrc: dict[str, list[str]] = {}
        for track in tracks:
            primary = track_key(track)
            for k in track_keys(track):
                owner.setdefault(k, primary)
            if track.isrc:
                by_isrc.setdefault(track.isrc.upper(), []).append(primary)
        t = schema.wishlist
        found: dict[str, WishlistEntry] = {}
        keys, isrcs = list(owner), list(by_isrc)
        with self.store.read() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                for row in conn.execute(sa.select(t).where(t.c.track_key.in_(chunk))).all():
                    found.setdefault(owner[row.track_key], _entry(row))
            # The same recording from another source (same ISRC) is the same entry.
            for start in range(0, len(isrcs), 500):
                chunk = isrcs[start : start + 500]
                for row in conn.execute(sa.select(t).where(t.c.isrc.in_(chunk))).all():
                    for primary in by_isrc.get(row.isrc, []):
                        found.setdefault(primary, _entry(row))
            # Without a shared id or ISRC (Deezer playlists carry no ISRC), the same
            # title and credit, written exactly alike, is the same entry.
            by_name: dict[tuple[str, str], list[str]] = {}
            for track in tracks:
                primary = track_key(track)
                if primary not in found:
                    by_name.setdefault((track.title, track.display_artist), []).append(primary)
            titles = list({title for title, _artist in by_name})
            for start in range(0, len(titles), 500):
                chunk = titles[start : start + 500]
                for row in conn.execute(sa.select(t).where(t.c.title.in_(chunk))).all():
                    for primary in by_name.get((row.title, row.artist), []):
                        found.setdefault(primary, _entry(row))
        return found

    def entries(
        self, *, include_ignored: bool = True, include_resolved: bool = False
    ) -> list[WishlistEntry]:
        """Entries, oldest first."""
        t = schema.wishlist
        query = sa.select(t).order_by(t.c.created_at, t.c.id)
        if not include_ignored:
            query = query.where(t.c.ignored.is_(False))
        if not include_resolved:
            query = query.where(t.c.state != RESOLVED)
        with self.store.read() as conn:
            return [_entry(r) for r in conn.execute(query).all()]

    def due(self, now: float | None = None) -> list[WishlistEntry]:
        """Waiting, not ignored entries whose retry time has come, oldest retry first."""
        t = schema.wishlist
        moment = now if now is not None else time.time()
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t)
                .where(
                    t.c.state == WAITING,
                    t.c.ignored.is_(False),
                    sa.or_(t.c.next_retry_at.is_(None), t.c.next_retry_at <= moment),
                )
                .order_by(sa.func.coalesce(t.c.next_retry_at, 0), t.c.id)
            ).all()
        return [_entry(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many entries are waiting, queued, ignored and resolved."""
        t = schema.wishlist
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t.c.state, t.c.ignored)).all()
        out = {WAITING: 0, QUEUED: 0, RESOLVED: 0, "ignored": 0}
        for state, ignored in rows:
            if ignored and state != RESOLVED:
                out["ignored"] += 1
            else:
                out[state] = out.get(state, 0) + 1
        return out

    # -- writing -----------------------------------------------------------------------------

    def add(
        self,
        track: Track,
        reason: str,
        *,
        queries: Sequence[str] = (),
        playlist_ref: str | None = None,
        attempted: bool = True,
    ) -> WishlistEntry:
        """Put ``track`` on the wishlist (or refresh its entry) with the reason and queries.

        ``attempted`` counts this as a failed attempt and starts the cool-down.
        An ignored entry stays ignored; a resolved one is reopened.
        """
        t = schema.wishlist
        now = time.time()
        existing = self.find(track)
        next_retry = now + self.cooldown_s if attempted else now
        with self.store.write() as conn:
            if existing is None:
                conn.execute(
                    sa.insert(t).values(
                        track_key=track_key(track),
                        isrc=track.isrc.upper() if track.isrc else None,
                        title=track.title,
                        artist=track.display_artist,
                        track_json=json.dumps(track_to_dict(track)),
                        playlist_ref=playlist_ref,
                        reason=reason,
                        queries_json=json.dumps(list(dict.fromkeys(queries))),
                        attempts=1 if attempted else 0,
                        last_attempt_at=now if attempted else None,
                        next_retry_at=next_retry,
                        state=WAITING,
                        job_id=None,
                        ignored=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                merged = list(dict.fromkeys([*existing.queries, *queries]))
                conn.execute(
                    sa.update(t)
                    .where(t.c.id == existing.id)
                    .values(
                        reason=reason,
                        queries_json=json.dumps(merged),
                        attempts=existing.attempts + (1 if attempted else 0),
                        last_attempt_at=now if attempted else existing.last_attempt_at,
                        next_retry_at=next_retry,
                        state=WAITING,
                        job_id=None,
                        playlist_ref=playlist_ref or existing.playlist_ref,
                        track_json=json.dumps(track_to_dict(track)),
                        updated_at=now,
                        resolved_at=None,
                    )
                )
        entry = self.find(track)
        assert entry is not None
        self._publish("wishlist.added", entry)
        return entry

    def ignore(self, entry_id: int, ignored: bool = True) -> WishlistEntry:
        """Mark an entry ignored (never searched again) or take the mark off."""
        self.get(entry_id)
        self._update(entry_id, ignored=ignored)
        entry = self.get(entry_id)
        self._publish("wishlist.ignored" if ignored else "wishlist.unignored", entry)
        return entry

    def remove(self, entry_id: int) -> None:
        """Delete an entry for good."""
        self.get(entry_id)
        t = schema.wishlist
        with self.store.write() as conn:
            conn.execute(sa.delete(t).where(t.c.id == entry_id))

    def resolve(self, track: Track) -> WishlistEntry | None:
        """Mark the entry for ``track`` found (owned now); returns it, or None if none."""
        entry = self.find(track)
        if entry is None or entry.state == RESOLVED:
            return entry
        now = time.time()
        self._update(entry.id, state=RESOLVED, resolved_at=now)
        resolved = self.get(entry.id)
        self._publish("wishlist.resolved", resolved)
        return resolved

    def mark_queued(self, entry_id: int, job_id: int) -> None:
        """Record that a download job is fetching this entry."""
        now = time.time()
        with self.store.write() as conn:
            t = schema.wishlist
            conn.execute(
                sa.update(t)
                .where(t.c.id == entry_id)
                .values(
                    state=QUEUED,
                    job_id=job_id,
                    attempts=t.c.attempts + 1,
                    last_attempt_at=now,
                    updated_at=now,
                )
            )

    def _update(self, entry_id: int, **values: Any) -> None:
        values["updated_at"] = time.time()
        t = schema.wishlist
        with self.store.write() as conn:
            conn.execute(sa.update(t).where(t.c.id == entry_id).values(**values))

    def _publish(self, topic: str, entry: WishlistEntry) -> None:
        if self.bus is not None:
            self.bus.publish(topic, entry=entry.as_dict())

    # -- retries -----------------------------------------------------------------------------

    def _port(self) -> DownloadPort:
        if self.downloads is None:
            raise WishlistError("no download source is configured (slskd): cannot retry")
        return self.downloads

    async def retry(self, entry_id: int | None = None, *, only_due: bool = False) -> list[int]:
        """Queue a new download for one entry, or for every waiting entry.

        ``entry_id`` None retries all waiting, non-ignored entries (only the due
        ones with ``only_due``, which is what the scheduler uses), at most
        ``max_per_pass`` of them. Returns the job ids queued.
        """
        port = self._port()
        await self.reconcile()
        if entry_id is not None:
            entry = self.get(entry_id)
            if entry.ignored:
                raise WishlistError(f"wishlist entry {entry_id} is ignored; un-ignore it first")
            if entry.state == QUEUED:
                raise WishlistError(
                    f"wishlist entry {entry_id} is already being downloaded (job {entry.job_id})"
                )
            if entry.state == RESOLVED:
                raise WishlistError(f"wishlist entry {entry_id} was found already")
            chosen = [entry]
        elif only_due:
            chosen = self.due()
        else:
            chosen = [e for e in self.entries(include_ignored=False) if e.state == WAITING]
        job_ids: list[int] = []
        for entry in chosen[: self.max_per_pass]:
            job_id = await port.enqueue_playlist_track(
                entry.track, batch_id=f"wishlist:{entry.id}", playlist_name=None
            )
            self.mark_queued(entry.id, job_id)
            self._publish("wishlist.retry", self.get(entry.id))
            job_ids.append(job_id)
        return job_ids

    async def reconcile(self) -> int:
        """Update queued entries from their jobs; returns how many changed.

        Filed → resolved; no candidate or failed → waiting again with the new
        reason, the queries tried and a fresh cool-down.
        """
        if self.downloads is None:
            return 0
        t = schema.wishlist
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t).where(t.c.state == QUEUED)).all()
        changed = 0
        now = time.time()
        for entry in (_entry(r) for r in rows):
            report = self.downloads.report(entry.job_id) if entry.job_id is not None else None
            if report is not None and report.outcome is JobOutcome.PENDING:
                continue
            changed += 1
            if report is not None and report.outcome is JobOutcome.DOWNLOADED:
                if report.destination:
                    # "Owned once": the next sync waits for the library scan to list
                    # this file instead of searching for the track again.
                    SyncStore(self.store).remember(
                        entry.track,
                        DecisionKind.OWNED,
                        library_id=None,
                        library_path=report.destination,
                    )
                self._update(entry.id, state=RESOLVED, resolved_at=now)
                self._publish("wishlist.resolved", self.get(entry.id))
                continue
            reason = (
                report.reason
                if report is not None and report.reason
                else "the download job disappeared"
                if report is None
                else f"download {report.outcome.value}"
            )
            merged = list(dict.fromkeys([*entry.queries, *(report.queries if report else ())]))
            self._update(
                entry.id,
                state=WAITING,
                job_id=None,
                reason=reason,
                queries_json=json.dumps(merged),
                next_retry_at=now + self.cooldown_s,
            )
            self._publish("wishlist.failed", self.get(entry.id))
        return changed

    # -- manual correction ---------------------------------------------------------------------

    async def candidates(self, entry_id: int, query: str | None = None) -> list[Candidate]:
        """Run a new search for an entry; ranked candidates, best first, with reasons.

        ``query`` replaces the query ladder with the user's own search text
        (what the ladder tried is in the entry's ``queries``). The result is
        kept for an hour so :meth:`pick` (from another request or another CLI
        call) can refer to a candidate by its number.
        """
        entry = self.get(entry_id)
        found = await self._port().search_candidates(entry.track, query)
        payload = [
            {
                "file": job_codec.file_to(c.file),
                "score": c.score,
                "accepted": c.accepted,
                "reasons": list(c.reasons),
                "quality": c.quality,
            }
            for c in found.candidates
        ]
        self.store.cache_put(_CANDIDATE_CACHE, str(entry_id), json.dumps(payload), ttl_s=3600)
        if found.queries:
            merged = list(dict.fromkeys([*entry.queries, *found.queries]))
            self._update(entry_id, queries_json=json.dumps(merged))
        return list(found.candidates)

    def cached_candidates(self, entry_id: int) -> list[Candidate]:
        """The candidates of the last :meth:`candidates` call for this entry (within an hour)."""
        raw = self.store.cache_get(_CANDIDATE_CACHE, str(entry_id))
        if raw is None:
            return []
        return [
            Candidate(
                file=job_codec.file_from(item["file"]),
                score=float(item["score"]),
                accepted=bool(item["accepted"]),
                reasons=tuple(item.get("reasons") or ()),
                quality=item.get("quality"),
            )
            for item in json.loads(raw)
        ]

    async def pick(
        self,
        entry_id: int,
        *,
        index: int | None = None,
        username: str | None = None,
        filename: str | None = None,
        confirmed: bool = False,
    ) -> int:
        """Queue the chosen candidate (by its 0-based ``index`` in the last search, or
        by ``username`` + ``filename``); returns the download job id.

        A candidate the engine rejected needs ``confirmed`` (see
        :meth:`enqueue_candidate`).
        """
        entry = self.get(entry_id)
        if entry.state == QUEUED:
            raise WishlistError(
                f"wishlist entry {entry_id} is already being downloaded (job {entry.job_id})"
            )
        found = self.cached_candidates(entry_id)
        if not found:
            raise WishlistError(
                f"no recent search for wishlist entry {entry_id}; search for candidates first"
            )
        chosen: Candidate | None = None
        if index is not None:
            if not 0 <= index < len(found):
                raise WishlistError(
                    f"candidate {index + 1} does not exist; the last search found {len(found)}"
                )
            chosen = found[index]
        elif username is not None and filename is not None:
            chosen = next(
                (c for c in found if c.file.username == username and c.file.filename == filename),
                None,
            )
            if chosen is None:
                raise WishlistError("that file is not among the last search's candidates")
        else:
            raise WishlistError("say which candidate: its number, or the user and file name")
        return await self.enqueue_candidate(entry_id, chosen, confirmed=confirmed)

    async def enqueue_candidate(
        self, entry_id: int, candidate: Candidate, *, confirmed: bool = False
    ) -> int:
        """Download ``candidate`` for the entry; returns the job id.

        A candidate the engine rejected ("length 112 s off", "a live version")
        is refused unless ``confirmed``: the user saw the reasons and chose it
        anyway. Its length then becomes the length the download is verified
        against, so the file the user accepted is not failed for that length.
        """
        entry = self.get(entry_id)
        if entry.state == QUEUED:
            raise WishlistError(
                f"wishlist entry {entry_id} is already being downloaded (job {entry.job_id})"
            )
        accepted_length: float | None = None
        if not candidate.accepted:
            if not confirmed:
                why = "; ".join(candidate.reasons) or "it does not match"
                raise NeedsConfirmation(
                    f"this file was rejected ({why}): confirm to download it anyway"
                )
            accepted_length = candidate.file.length
        job_id = await self._port().enqueue_file(
            entry.track,
            candidate.file,
            batch_id=f"wishlist:{entry.id}",
            accepted_length_s=accepted_length,
        )
        self._update(entry_id, ignored=False)
        self.mark_queued(entry_id, job_id)
        self._publish("wishlist.picked", self.get(entry_id))
        return job_id

    async def follow_jobs(self) -> None:
        """Reconcile as soon as a wishlist download finishes, not at the next pass.

        Without this an entry whose picked file failed verification stayed
        "downloading" with no buttons until the next scheduled pass.
        """
        if self.bus is None:
            return
        async for event in self.bus.subscribe(["job.state"]):
            data = event.data
            if str(data.get("batch_id") or "").startswith("wishlist:") and data.get("state") in (
                "completed",
                "failed",
                "cancelled",
            ):
                await self.reconcile()
