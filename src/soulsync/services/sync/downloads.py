"""The :class:`~soulsync.services.sync.ports.DownloadPort` over the download queue.

The only module of playlist sync that knows the
:class:`~soulsync.services.downloads.service.DownloadService` API. It maps job rows to
:class:`JobReport` (filed / no acceptable candidate / failed / cancelled) and
runs the fresh, ranked search that manual wishlist correction shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from soulsync.domain import JobState, SoulseekFile, Track
from soulsync.matching.queries import query_ladder
from soulsync.matching.rank import rank_soulseek_files
from soulsync.services.downloads.job_codec import track_from
from soulsync.services.downloads.service import DownloadService, JobNotFound
from soulsync.services.sync.ports import (
    Candidate,
    CandidateSearch,
    JobOutcome,
    JobReport,
)
from soulsync.store import schema

__all__ = ["QueueDownloads"]

_CHUNK = 500


class QueueDownloads:
    """Playlist sync's view of the download queue (implements ``DownloadPort``)."""

    def __init__(self, service: DownloadService) -> None:
        self.service = service

    # -- queueing -----------------------------------------------------------------------------

    async def enqueue_playlist_track(
        self, track: Track, *, batch_id: str | None, playlist_name: str | None
    ) -> int:
        """Queue a search-rank-download-organise job for ``track``."""
        return await self.service.enqueue_playlist_track(
            track, batch_id=batch_id, source=f"playlist:{playlist_name}" if playlist_name else None
        )

    async def enqueue_file(
        self,
        track: Track,
        file: SoulseekFile,
        *,
        batch_id: str | None,
        accepted_length_s: float | None = None,
    ) -> int:
        """Queue this exact file for ``track`` (no search), organised with the track's metadata."""
        return await self.service.enqueue_playlist_track(
            track,
            candidates=(file,),
            batch_id=batch_id,
            source="wishlist:manual",
            accepted_length_s=accepted_length_s,
        )

    async def cancel(self, job_id: int) -> None:
        """Cancel a job that has not finished; finished or unknown jobs are left alone."""
        try:
            await self.service.cancel(job_id)
        except (JobNotFound, ValueError):
            return

    # -- reading ------------------------------------------------------------------------------

    def _queries_tried(self, track: Track | None, extra: dict[str, Any]) -> tuple[str, ...]:
        explicit = [str(q) for q in extra.get("queries") or []]
        if explicit:
            return tuple(explicit[: self.service.queue.search_max_queries])
        if track is None:
            return ()
        ladder = [q.text for q in query_ladder(track)]
        return tuple(ladder[: self.service.queue.search_max_queries])

    def _report(self, row: Any) -> JobReport:
        state = JobState(row.state)
        wanted = json.loads(row.wanted_json) if row.wanted_json else {}
        extra = dict(wanted.get("extra") or {})
        track: Track | None = None
        if wanted.get("track"):
            track = track_from(wanted["track"])
        queries: tuple[str, ...] = ()
        reason = row.error
        if state is JobState.COMPLETED:
            if row.destination:
                outcome = JobOutcome.DOWNLOADED
            else:
                # Downloaded but not filed (no metadata match): it is not in the library.
                outcome = JobOutcome.FAILED
                reason = f"downloaded but not filed ({row.result or 'unknown'}): {row.error or ''}"
        elif state is JobState.FAILED:
            if row.result == "no_candidate":
                outcome = JobOutcome.NO_CANDIDATE
                queries = self._queries_tried(track, extra)
            else:
                outcome = JobOutcome.FAILED
                queries = self._queries_tried(track, extra) if not row.filename else ()
        elif state is JobState.CANCELLED:
            outcome = JobOutcome.CANCELLED
        else:
            outcome = JobOutcome.PENDING
        return JobReport(
            job_id=int(row.id),
            outcome=outcome,
            state=state.value,
            reason=reason,
            queries=queries,
            destination=row.destination,
            percent=float(row.percent or 0.0),
            batch_id=row.batch_id,
        )

    def report(self, job_id: int) -> JobReport | None:
        """The job's outcome now, or None if there is no such job."""
        return self.reports([job_id]).get(job_id)

    def reports(self, job_ids: Sequence[int]) -> dict[int, JobReport]:
        """Outcomes of many jobs in a few queries (one per 500 ids)."""
        t = schema.jobs
        cols = (
            t.c.id,
            t.c.state,
            t.c.result,
            t.c.error,
            t.c.destination,
            t.c.percent,
            t.c.wanted_json,
            t.c.filename,
            t.c.batch_id,
        )
        ids = list(dict.fromkeys(job_ids))
        out: dict[int, JobReport] = {}
        with self.service.store.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                for row in conn.execute(sa.select(*cols).where(t.c.id.in_(chunk))).all():
                    out[int(row.id)] = self._report(row)
        return out

    # -- manual correction -----------------------------------------------------------------------

    async def search_candidates(self, track: Track, query: str | None = None) -> CandidateSearch:
        """Search now (paced by the slskd client) and rank every file found against ``track``.

        ``query`` None walks the query ladder until a query finds an acceptable
        file; a ``query`` typed by the user is sent alone. Rejected files are
        listed after the accepted ones with the reason they were declined, so
        the user can still pick one.
        """
        if query is not None and query.strip():
            texts = [" ".join(query.split())]
        else:
            texts = [q.text for q in query_ladder(track)][: self.service.queue.search_max_queries]
        failures = self.service.jobs.peer_failures()
        seen: dict[tuple[str, str], Candidate] = {}
        used: list[str] = []
        for text in texts:
            used.append(text)
            responses = await self.service.slskd.search(text)
            ranked = rank_soulseek_files(track, responses, self.service.match, failures)
            for r in (*ranked.candidates, *ranked.rejected):
                key = (r.file.username, r.file.filename)
                if key not in seen:
                    seen[key] = Candidate(
                        file=r.file,
                        score=r.value,
                        accepted=r.accepted,
                        reasons=r.reasons,
                        quality=r.quality_name,
                    )
            if ranked.candidates:
                break
        ordered = sorted(seen.values(), key=lambda c: (not c.accepted,))
        return CandidateSearch(queries=tuple(used), candidates=tuple(ordered))
