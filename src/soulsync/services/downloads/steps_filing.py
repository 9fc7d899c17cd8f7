"""Filing steps of a download job: one file per recording, and bad files from peers.

Mixed into :class:`~soulsync.services.downloads.steps.JobSteps`:

* a download of a recording already filed keeps the better copy (see
  :mod:`soulsync.services.downloads.duplicates`) and records the file in
  SoulSync's record of filed tracks in the transaction that completes the job;
* a download that fails verification (not audio, truncated, wrong length) is
  the peer's fault: the (peer, file) pair is remembered, the peer's failure
  count goes up, and the job moves on to its next candidate or searches again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from soulsync.domain import JobKind, JobState, SoulseekFile
from soulsync.library.safe_move import MoveError, MoveReason, prune_empty_dirs
from soulsync.matching.settings import MatchSettings
from soulsync.services.downloads.duplicates import ExistingCopy
from soulsync.services.downloads.jobs_store import Job, JobsStore
from soulsync.services.filed import FiledTracks, filed_row
from soulsync.services.matched import Organiser, Resolution

__all__ = ["BAD_FILE_REASONS", "FilingSteps", "drop_superseded"]

log = logging.getLogger(__name__)

# Move failures that say the file itself is bad (not our disk): the peer's fault.
BAD_FILE_REASONS = (MoveReason.CORRUPT_AUDIO, MoveReason.VERIFY_FAILED, MoveReason.TAG_ERROR)


class FilingSteps:
    """Filing and bad-file handling (needs the attributes of ``JobSteps``)."""

    jobs: JobsStore
    match: MatchSettings
    organiser: Organiser
    filed: FiledTracks

    def get(self, job_id: int) -> Job:
        """One job (it must exist)."""
        return self.jobs.require(job_id)

    # Provided by JobSteps (the state machine); declared here for the type checker.
    def _move(self, job: Job, src: Any, dst: JobState, **values: Any) -> bool:
        """Compare-and-set move of the job to ``dst`` (JobSteps implements it)."""
        raise NotImplementedError("JobSteps provides _move")

    def _fail(self, job_id: int, reason: str, **values: Any) -> None:
        """Fail the job with ``reason`` (JobSteps implements it)."""
        raise NotImplementedError("JobSteps provides _fail")

    async def _clear_transfer(self, job: Job) -> None:
        """Remove the job's finished transfer from slskd (TransferSteps implements it)."""
        raise NotImplementedError("TransferSteps provides _clear_transfer")

    def _next_usable(self, job: Job) -> int:
        """Index of the next candidate whose peer is not ignored and whose file is not bad."""
        failures = self.jobs.peer_failures()
        bad = self.jobs.bad_files()
        index = job.candidate_index + 1
        while index < len(job.candidates):
            nxt = job.candidates[index]
            usable = (nxt.username, nxt.filename) not in bad
            if usable and failures.get(nxt.username, 0) < self.match.fails_to_ignore:
                break
            index += 1
        return index

    def _skip_bad_files(self, job: Job, current: SoulseekFile | None) -> dict[str, Any] | None:
        """``{}`` if ``current`` may be fetched, else the first usable candidate, else None."""
        bad = self.jobs.bad_files()
        if current is None or (current.username, current.filename) not in bad:
            return {}
        for index, candidate in enumerate(job.candidates):
            if (candidate.username, candidate.filename) not in bad:
                return {"file": candidate, "candidate_index": index}
        return None

    async def _bad_file(self, job: Job, source: Path, exc: MoveError) -> None:
        """The downloaded file failed verification: blame the peer, try the next candidate.

        The (peer, file) pair is remembered so no search or retry picks it
        again, the peer's failure count goes up (it ranks lower), and the job
        goes on with its next candidate (the bad download is deleted), or
        searches again (the next source) when none is left. With nothing else
        to try the job fails and the download stays where it is, to look at.
        """
        file = job.file
        reason = f"the file failed verification ({exc.reason.value}: {exc.message})"
        if file is not None:
            self.jobs.mark_bad_file(file.username, file.filename, reason)
            self.jobs.record_peer(file.username, ok=False, error=reason)
        index = self._next_usable(job)
        search_again = job.kind is JobKind.PLAYLIST_TRACK and not job.extra.get("fixed_candidates")
        if index >= len(job.candidates) and not search_again:
            self._fail(job.id, f"could not file the download: {reason}; original kept at {source}")
            return
        await asyncio.to_thread(_remove_download, source, self.organiser.downloads_dir)
        await self._clear_transfer(job)
        log.info("job %s: %s; trying the next candidate", job.id, reason)
        reset: dict[str, Any] = {
            "local_path": None,
            "destination": None,
            "transfer_id": None,
            "bytes_done": 0,
            "percent": 0.0,
            "speed": 0.0,
            "error": f"previous candidate failed: {reason}",
        }
        if index < len(job.candidates):
            self._move(
                job,
                (JobState.PROCESSING,),
                JobState.DOWNLOADING,
                file=job.candidates[index],
                candidate_index=index,
                **reset,
            )
            return
        # Every candidate is used up: search again (bad files are left out).
        self._move(
            job,
            (JobState.PROCESSING,),
            JobState.QUEUED,
            candidates=(),
            file=None,
            candidate_index=0,
            attempts=job.attempts + 1,
            **reset,
        )

    async def _keep_existing(
        self, job: Job, source: Path, existing: ExistingCopy, resolution: Resolution
    ) -> None:
        """The filed copy is as good or better: complete with it and remove the download."""
        log.info(
            "job %s: %s already filed as %s (%s, %s); the download is removed",
            job.id,
            job.title,
            existing.path,
            existing.quality,
            existing.how,
        )
        # Destination first: a crash after the removal completes the job on resume.
        self.jobs.update(
            job.id,
            destination=str(existing.path),
            track=resolution.track,
            album=resolution.album,
            result="duplicate_kept_existing",
        )
        await asyncio.to_thread(_remove_download, source, self.organiser.downloads_dir)
        fresh = self.get(job.id)
        self._move(
            fresh,
            (JobState.PROCESSING,),
            JobState.COMPLETED,
            result="duplicate_kept_existing",
            error=None,
            also=self._filed_writer(fresh, existing.path, existing.quality_rank, existing.quality),
        )
        await self._clear_transfer(job)

    def _filed_writer(
        self,
        job: Job,
        path: Path,
        rank: int | None,
        quality: str | None,
    ) -> Callable[[Connection], None] | None:
        """Records ``path`` as the job's recording in the completing transaction."""
        descriptions = [t for t in (job.wanted, job.track) if t is not None]
        if not descriptions:
            return None
        values = filed_row(
            descriptions,
            str(path),
            quality_rank=rank,
            quality=quality,
            size=path.stat().st_size if path.exists() else None,
            job_id=job.id,
        )
        return lambda conn: FiledTracks.record_in(conn, values)


def _remove_download(source: Path, downloads_root: Path) -> None:
    """Delete a download that duplicates a filed copy, and its folders left empty."""
    source.unlink(missing_ok=True)
    prune_empty_dirs(source.parent, downloads_root)


def drop_superseded(job: Job) -> None:
    """After a crash: remove the worse copy a finished replacement left behind."""
    old = job.extra.get("replaces")
    if old and job.destination and Path(old) != Path(job.destination):
        Path(old).unlink(missing_ok=True)
