"""What playlist sync and the wishlist need from the download queue.

A small protocol of their own, so the sync workflow is written against plain
value objects and one adapter (:mod:`soulsync.services.sync.downloads`) is the
only place that knows the download service's method names.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from soulsync.domain import SoulseekFile, Track

__all__ = [
    "Candidate",
    "CandidateSearch",
    "DownloadPort",
    "JobOutcome",
    "JobReport",
]


class JobOutcome(enum.StrEnum):
    """How a download job for a playlist track ended (or that it has not yet)."""

    PENDING = "pending"  # queued, searching, downloading or processing
    DOWNLOADED = "downloaded"  # filed in the library
    NO_CANDIDATE = "no_candidate"  # the searches found no acceptable file
    FAILED = "failed"  # candidates existed but every download failed
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class JobReport:
    """The state of one download job as sync needs it."""

    job_id: int
    outcome: JobOutcome
    state: str  # the queue's own state name, for display
    reason: str | None = None
    queries: tuple[str, ...] = ()
    destination: str | None = None  # where the file was filed (DOWNLOADED)
    percent: float = 0.0
    batch_id: str | None = None  # who queued it (``sync:<run id>``...)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One Soulseek file offered for a wanted track, with the engine's verdict."""

    file: SoulseekFile
    score: float
    accepted: bool
    reasons: tuple[str, ...] = ()
    quality: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the web UI."""
        return {
            "username": self.file.username,
            "filename": self.file.filename,
            "size": self.file.size,
            "bit_rate": self.file.bit_rate,
            "length": self.file.length,
            "extension": self.file.extension,
            "score": round(self.score, 4),
            "accepted": self.accepted,
            "reasons": list(self.reasons),
            "quality": self.quality,
        }


@dataclass(frozen=True, slots=True)
class CandidateSearch:
    """A fresh search for one track: the queries sent and the ranked files, best first."""

    queries: tuple[str, ...]
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


class DownloadPort(Protocol):
    """The download queue, seen from playlist sync and the wishlist."""

    async def enqueue_playlist_track(
        self, track: Track, *, batch_id: str | None, playlist_name: str | None
    ) -> int:
        """Queue a search-rank-download-organise job for ``track``; returns the job id."""
        ...

    def report(self, job_id: int) -> JobReport | None:
        """The job's current outcome, or None if there is no such job."""
        ...

    def reports(self, job_ids: Sequence[int]) -> dict[int, JobReport]:
        """Outcomes of many jobs at once (unknown ids are left out)."""
        ...

    async def cancel(self, job_id: int) -> None:
        """Cancel a job that has not finished (no-op if it has)."""
        ...

    async def search_candidates(self, track: Track, query: str | None = None) -> CandidateSearch:
        """Search now (the query ladder, or only ``query``; paced) and rank every file found."""
        ...

    async def enqueue_file(
        self,
        track: Track,
        file: SoulseekFile,
        *,
        batch_id: str | None,
        accepted_length_s: float | None = None,
    ) -> int:
        """Queue a download of this exact file for ``track`` (manual pick); returns the job id.

        ``accepted_length_s``: the user confirmed this length for a rejected file.
        """
        ...
