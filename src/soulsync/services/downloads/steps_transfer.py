"""The downloading step of a Soulseek job: its transfer in slskd, from request to file.

Mixed into :class:`~soulsync.services.downloads.steps.JobSteps` (on top of
:class:`~soulsync.services.downloads.steps_filing.FilingSteps`). Before asking
slskd for the file, the step adopts the transfer slskd already has for this
``username + filename`` (by stored id, else from slskd's list), so a restart
never requests a file twice; it follows the transfer with stall and
remote-queue timeouts, and on a failure counts it against the peer and moves
to the next candidate (or the next source, or a retry later). Metadata is
resolved while the transfer runs. Finished transfers are cleared in slskd and
cancelled ones removed.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import httpx

from soulsync.domain import JobState, SoulseekFile
from soulsync.providers.base import ProviderError
from soulsync.services.downloads.jobs_store import Job
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.resolutions import JobResolutions
from soulsync.services.downloads.stalls import StallBook
from soulsync.services.downloads.steps_filing import FilingSteps
from soulsync.services.downloads.transfer_port import (
    TransferGone,
    TransferPort,
    TransferRefused,
    TransferStatus,
)
from soulsync.services.downloads.transfer_watch import TransferFailed, watch_transfer
from soulsync.services.downloads.video_steps import VideoSteps

__all__ = ["TRANSIENT_ERRORS", "TransferSteps"]

log = logging.getLogger(__name__)

# Errors worth retrying later: the service may be back then.
TRANSIENT_ERRORS = (httpx.HTTPError, ProviderError, ConnectionError, TimeoutError)
_TRANSIENT = TRANSIENT_ERRORS


class TransferSteps(FilingSteps):
    """The downloading step and the job's slskd transfer (needs the attributes of ``JobSteps``)."""

    slskd: TransferPort
    queue: QueueSettings
    resolutions: JobResolutions
    stalls: StallBook
    videos: VideoSteps

    # Provided by JobSteps (the state machine); declared here for the type checker.
    def _publish(self, topic: str, **data: Any) -> None:
        """Publish an event on the bus (JobSteps implements it)."""
        raise NotImplementedError("JobSteps provides _publish")

    def _announce(self, job: Job) -> None:
        """Publish the job's state (JobSteps implements it)."""
        raise NotImplementedError("JobSteps provides _announce")

    def _retry_later(self, job_id: int, reason: str, *, reset_candidates: bool = False) -> None:
        """Queue the job again after a backoff (JobSteps implements it)."""
        raise NotImplementedError("JobSteps provides _retry_later")

    async def _download(self, job: Job) -> None:
        file = job.file
        if file is None:
            self._fail(job.id, "no file to download")
            return
        self.resolutions.start(job)
        try:
            status = await self._adopt_or_enqueue(job, file)
            self.jobs.update(job.id, transfer_id=status.id)

            async def progress(s: TransferStatus, idle_s: float) -> None:
                await self._progress(job.id, s, idle_s)

            try:
                final, path = await watch_transfer(self.slskd, status, self.queue.watch(), progress)
            finally:
                self.stalls.forget(job.id)
        except TransferFailed as exc:
            await self._next_candidate(job, str(exc), peer_fault=exc.peer_fault)
            return
        except TransferRefused as exc:
            await self._next_candidate(
                job, str(exc), peer_fault=not exc.permanent, permanent=exc.permanent
            )
            return
        # The peer's success is counted once the file passed verification (processing).
        self._move(
            job,
            (JobState.DOWNLOADING,),
            JobState.PROCESSING,
            local_path=str(path),
            bytes_done=final.size,
            percent=100.0,
            speed=final.speed,
        )

    async def _adopt_or_enqueue(self, job: Job, file: SoulseekFile) -> TransferStatus:
        """The transfer of this file slskd already has (after a restart), else a new one."""
        if job.transfer_id:
            with contextlib.suppress(TransferGone):
                status = await self.slskd.status(file.username, job.transfer_id)
                if not status.failed:
                    return status
        existing = await self.slskd.find(file.username, file.filename)
        if existing is not None and not existing.failed:
            log.info("job %s: picking up transfer %s already in slskd", job.id, existing.id)
            return existing
        if existing is not None:
            # An earlier, failed attempt of ours: remove it so slskd accepts the file again.
            await self.slskd.remove(file.username, existing.id)
        return await self.slskd.enqueue(file)

    async def _progress(self, job_id: int, status: TransferStatus, idle_s: float = 0.0) -> None:
        self.jobs.update(
            job_id,
            bytes_done=status.bytes_transferred,
            percent=status.percent,
            speed=status.speed,
            transfer_id=status.id,
        )
        stalled = self.stalls.update(job_id, idle_s, self.queue.stall_timeout_s)
        self._publish(
            "job.progress",
            id=job_id,
            bytes=status.bytes_transferred,
            size=status.size,
            percent=round(status.percent, 1),
            speed=round(status.speed),
            transfer_state=status.describe,
            # Seconds without data (None while data flows): the page counts up from it.
            stalled_s=None if stalled is None else round(stalled, 1),
            stall_limit_s=self.queue.stall_timeout_s,
        )

    async def _next_candidate(
        self, job: Job, reason: str, *, peer_fault: bool, permanent: bool = False
    ) -> None:
        file = job.file
        if file is not None and peer_fault:
            self.jobs.record_peer(file.username, ok=False, error=reason)
        index = self._next_usable(job)
        log.info("job %s: %s failed (%s)", job.id, file.username if file else "?", reason)
        if index < len(job.candidates):
            self.jobs.update(
                job.id,
                file=job.candidates[index],
                candidate_index=index,
                transfer_id=None,
                bytes_done=0,
                percent=0.0,
                speed=0.0,
                error=f"previous candidate failed: {reason}",
            )
            self._announce(self.get(job.id))
            return
        if self.videos.has_next_source(job) and self.videos.advance(
            job, f"every candidate failed; last: {reason}"
        ):
            # The source chain: the next source is searched now, not this one later.
            self._move(
                self.get(job.id),
                (JobState.DOWNLOADING,),
                JobState.SEARCHING,
                candidates=(),
                file=None,
                candidate_index=0,
                transfer_id=None,
                bytes_done=0,
                percent=0.0,
                speed=0.0,
                error=f"every Soulseek candidate failed; last: {reason}",
            )
            return
        if permanent and len(job.candidates) <= 1:
            self._fail(job.id, reason)
            return
        self._retry_later(job.id, f"all candidates failed; last: {reason}", reset_candidates=True)

    async def _clear_transfer(self, job: Job) -> None:
        fresh = self.get(job.id)
        if fresh.transfer_id and fresh.file is not None:
            try:
                await self.slskd.remove(fresh.file.username, fresh.transfer_id)
            except (*_TRANSIENT, TransferGone) as exc:
                log.warning("job %s: could not clear the transfer in slskd: %s", job.id, exc)

    async def cancel_transfer(self, job: Job) -> None:
        """Cancel (and remove) the job's transfer in slskd; problems are logged, not raised."""
        if job.file is None:
            return
        transfer_id = job.transfer_id
        try:
            if transfer_id is None:
                found = await self.slskd.find(job.file.username, job.file.filename)
                transfer_id = found.id if found is not None else None
            if transfer_id is not None:
                await self.slskd.cancel(job.file.username, transfer_id, remove=True)
        except (*_TRANSIENT, TransferGone) as exc:
            log.warning("job %s: could not cancel the transfer in slskd: %s", job.id, exc)
