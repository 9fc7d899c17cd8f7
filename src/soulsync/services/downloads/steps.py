"""The job state machine: one job driven through searching, downloading and processing.

:class:`JobSteps` is what each worker of :class:`soulsync.services.downloads.service.DownloadService`
runs. Every step writes its outcome to the job row first (compare-and-set
transitions), so a process killed between two steps resumes from the row:

* ``searching``: query ladder → paced slskd search → ranking (peer failure
  counts fed in) → candidates stored, or ``failed`` with ``no_candidate``;
* ``downloading``: adopt the transfer slskd already has for this
  ``username + filename`` (by stored id, else from slskd's list) or enqueue
  it; follow it (stall and remote-queue timeouts); on failure count it
  against the peer and move to the next candidate, or retry later;
* ``processing``: plain jobs complete; matched jobs resolve metadata
  (started while the transfer ran), store the planned destination, then
  organise (tag, cover, crash-safe move) and clear the transfer in slskd.

The downloading step lives in :mod:`soulsync.services.downloads.steps_transfer`,
filing and bad files in :mod:`soulsync.services.downloads.steps_filing`, the
source chain and video sites in :mod:`soulsync.services.downloads.video_steps`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from soulsync.domain import JobKind, JobState
from soulsync.library.safe_move import MoveError
from soulsync.matching.queries import query_ladder
from soulsync.matching.rank import rank_soulseek_files, releases_to_check
from soulsync.matching.settings import MatchSettings
from soulsync.providers.base import ServiceUnavailable
from soulsync.providers.youtube import VideoSource
from soulsync.services.cover_fetch import CoverFetcher
from soulsync.services.downloads import job_codec as codec
from soulsync.services.downloads.duplicates import existing_copy, keep_new, quality_of_file
from soulsync.services.downloads.genres import ArtistGenres, GenreMode, genres_to_write
from soulsync.services.downloads.jobs_store import ACTIVE_STATES, Job, JobsStore
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.resolutions import (
    JobResolutions,
    album_cover,
    wanted_blob,
    with_accepted_length,
)
from soulsync.services.downloads.stalls import StallBook
from soulsync.services.downloads.steps_filing import (
    BAD_FILE_REASONS,
    drop_superseded,
)
from soulsync.services.downloads.steps_transfer import TRANSIENT_ERRORS, TransferSteps
from soulsync.services.downloads.transfer_port import (
    NetworkOffline,
    QueryRefused,
    TransferPort,
)
from soulsync.services.downloads.video_steps import SOULSEEK, VideoSteps
from soulsync.services.filed import FiledTracks
from soulsync.services.matched import (
    MetadataResolver,
    Organiser,
    genres_for,
)
from soulsync.services.outage import OutageBook
from soulsync.services.release_types import ReleaseTypeService

__all__ = ["JobSteps"]


log = logging.getLogger(__name__)

# Errors worth retrying later: the service may be back then.
_TRANSIENT = TRANSIENT_ERRORS


class JobSteps(TransferSteps):
    """Runs jobs through their states; shared by every worker of one service."""

    def __init__(
        self,
        *,
        jobs: JobsStore,
        slskd: TransferPort,
        queue: QueueSettings,
        match: MatchSettings,
        resolver: MetadataResolver | None,
        organiser: Organiser,
        covers: CoverFetcher,
        publish: Callable[..., None],
        video: VideoSource | None = None,
        video_dir: Path | None = None,
        releases: ReleaseTypeService | None = None,
        outages: OutageBook | None = None,
        genre_mode: GenreMode = "release_or_artist",
        artist_genres: ArtistGenres | None = None,
    ) -> None:
        self.jobs = jobs
        self.genre_mode: GenreMode = genre_mode
        self.artist_genres = artist_genres
        # Release types (live/remix releases) for candidate folders; None = no look-ups.
        self.releases = releases
        self.slskd = slskd
        self.queue = queue
        self.match = match
        self.resolver = resolver
        self.organiser = organiser
        self.covers = covers
        self.filed = FiledTracks(jobs.store)
        self.outages = outages or OutageBook(jobs.store)
        self._publish_fn = publish
        # Jobs whose (atomic) file move is running: a cancel waits for it.
        self.moving: set[int] = set()
        # Jobs the user cancelled while a worker ran them, with the state they were in.
        self.user_cancelled: dict[int, JobState] = {}
        # Metadata resolutions started while the transfer runs.
        self.resolutions = JobResolutions(jobs, resolver)
        self.resolving = self.resolutions.tasks
        # Transfers going without data right now (the queue page's "stalled 25 s").
        self.stalls = StallBook()
        # The source chain and the video-site (YouTube) steps.
        self.videos = VideoSteps(
            self,
            video=video,
            video_dir=video_dir or organiser.downloads_dir / "youtube",
            queue=queue,
            match=match,
        )

    def get(self, job_id: int) -> Job:
        """One job (it must exist)."""
        return self.jobs.require(job_id)

    def _publish(self, topic: str, **data: Any) -> None:
        self._publish_fn(topic, **data)

    def _announce(self, job: Job) -> None:
        self._publish("job.state", **job.as_dict())

    async def run(self, job_id: int) -> None:
        """Drive one job until it finishes or has to wait (retry time, cancel, stop)."""
        try:
            while True:
                job = self.jobs.get(job_id)
                if job is None or job.is_final:
                    return
                if job.state is JobState.QUEUED:
                    if job.next_attempt_at and job.next_attempt_at > time.time():
                        return
                    self._begin(job)
                elif job.state is JobState.SEARCHING:
                    await self._search(job)
                elif job.state is JobState.DOWNLOADING and job.extra.get("video"):
                    await self.videos.download(job)
                elif job.state is JobState.DOWNLOADING:
                    await self._download(job)
                elif job.state is JobState.PROCESSING:
                    await self._process(job)
        except asyncio.CancelledError:
            if job_id in self.user_cancelled:
                await self._after_user_cancel(job_id)
                return
            raise
        except NetworkOffline as exc:
            self._wait_for_network(job_id, str(exc))
        except ServiceUnavailable as exc:
            self._wait_for_service(job_id, exc)
        except _TRANSIENT as exc:
            self._retry_later(job_id, f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            log.exception("download job %s failed unexpectedly", job_id)
            self._fail(job_id, f"internal error: {type(exc).__name__}: {exc}")

    def _begin(self, job: Job) -> None:
        """queued → the state that can continue the job."""
        if job.local_path and _is_file(job.local_path):
            target = JobState.PROCESSING
        elif job.file is not None or job.candidates or job.extra.get("video"):
            target = JobState.DOWNLOADING
        else:
            target = JobState.SEARCHING
        values: dict[str, Any] = {"started_at": job.started_at or time.time()}
        if target is JobState.DOWNLOADING and job.file is None and job.candidates:
            values["file"] = job.candidates[job.candidate_index % len(job.candidates)]
        if target is JobState.DOWNLOADING and job.candidates:
            chosen = self._skip_bad_files(job, values.get("file") or job.file)
            if chosen is None:
                self._fail(job.id, "every candidate failed verification before")
                return
            values.update(chosen)
        self._move(job, (JobState.QUEUED,), target, **values)

    def _move(self, job: Job, src: Sequence[JobState], dst: JobState, **values: Any) -> bool:
        moved = self.jobs.transition(job.id, src, dst, **values)
        if moved is not None:
            self._announce(moved)
            return True
        if not self.get(job.id).is_final:
            raise RuntimeError(f"job {job.id} changed state unexpectedly")
        return False

    # -- searching -----------------------------------------------------------------------

    async def _search(self, job: Job) -> None:
        want = job.wanted
        if want is None:
            self._fail(job.id, "nothing to search for (no wanted track)")
            return
        source = self.videos.current_source(job)
        skipped = self.videos.skip_reason(source)
        if skipped is not None:
            self._next_source(job, f"skipped: {skipped}")
            return
        if source != SOULSEEK:
            declined = await self.videos.search(job, want)
            if declined is not None:
                self._next_source(job, declined)
            return
        # Queries given by the caller are sent as given (slskd answers for them);
        # the ladder's are already in the form slskd accepts.
        texts = [str(t) for t in job.extra.get("queries") or []]
        texts = texts or [q.text for q in query_ladder(want)]
        texts = texts[: self.queue.search_max_queries]
        if not texts:
            self._next_source(job, "no search slskd would accept (only one-letter words)")
            return
        failures = self.jobs.peer_failures()
        bad = self.jobs.bad_files()  # files that failed verification before: never again
        seen = rejected = 0
        top_reason = ""
        refused: list[str] = []
        for text in texts:
            try:
                responses = await self.slskd.search(text)
            except QueryRefused as exc:
                # This rung is invalid for slskd; the next one may not be. Never
                # a reason to restart the job: the same text would be refused again.
                log.info("job %s: slskd refused the search %r: %s", job.id, text, exc)
                refused.append(text)
                continue
            ranked = rank_soulseek_files(want, responses, self.match, failures)
            if self.releases is not None and ranked.candidates:
                # Only folders that are otherwise acceptable are looked up.
                facts = await self.releases.facts_for(releases_to_check(want, ranked))
                if facts:
                    ranked = rank_soulseek_files(
                        want, responses, self.match, failures, releases=facts
                    )
            seen += len(ranked.candidates) + len(ranked.rejected)
            rejected += len(ranked.rejected)
            if ranked.rejected and not top_reason:
                top_reason = ranked.rejected[0].rejected_because or ""
            usable = [r for r in ranked.candidates if (r.file.username, r.file.filename) not in bad]
            if usable:
                files = tuple(r.file for r in usable[: self.queue.max_candidates])
                self._move(
                    job,
                    (JobState.SEARCHING,),
                    JobState.DOWNLOADING,
                    candidates=files,
                    file=files[0],
                    candidate_index=0,
                )
                return
        detail = f"{seen} files seen, {rejected} rejected"
        if top_reason:
            detail += f"; best rejected: {top_reason}"
        if refused:
            detail += f"; slskd refused {len(refused)} of {len(texts)} searches"
        self._next_source(job, f"no acceptable candidate ({detail})")

    def _next_source(self, job: Job, outcome: str) -> None:
        """Nothing acceptable on this source: search the next one, or fail ``no_candidate``."""
        if self.videos.advance(job, outcome):
            self._announce(self.get(job.id))
            return
        fresh = self.get(job.id)
        error = self.videos.exhausted_error(fresh, outcome)
        self._move(
            fresh, (JobState.SEARCHING,), JobState.FAILED, result="no_candidate", error=error
        )

    # -- processing ----------------------------------------------------------------------

    async def _process(self, job: Job) -> None:
        if job.local_path is None:
            self._fail(job.id, "processing without a downloaded file")
            return
        source = Path(job.local_path)
        if job.kind is JobKind.PLAIN:
            if not _is_file(source):
                self._fail(job.id, f"downloaded file is gone: {source}")
                return
            if job.file is not None:
                self.jobs.record_peer(job.file.username, ok=True)
            self._move(job, (JobState.PROCESSING,), JobState.COMPLETED, result="plain")
            return
        if not _is_file(source):
            if job.destination and _is_file(job.destination):
                # A move (or a duplicate's removal) finished just before a crash: it is done.
                await asyncio.to_thread(drop_superseded, job)
                rank, quality = await asyncio.to_thread(
                    quality_of_file, Path(job.destination), self.match
                )
                self._move(
                    job,
                    (JobState.PROCESSING,),
                    JobState.COMPLETED,
                    result=job.result or "moved",
                    also=self._filed_writer(job, Path(job.destination), rank, quality),
                )
                await self._clear_transfer(job)
                return
            self._fail(job.id, f"downloaded file is gone: {source}")
            return
        resolution = with_accepted_length(job, await self.resolutions.get(job))
        if resolution is None:
            self._move(
                job,
                (JobState.PROCESSING,),
                JobState.COMPLETED,
                result="plain_no_match",
                error="no metadata match; kept in the downloads folder",
            )
            return
        dest = self.organiser.destination(source, resolution)
        descriptions = [t for t in (job.wanted, resolution.track) if t is not None]
        existing = await asyncio.to_thread(
            existing_copy, self.filed, descriptions, dest, self.match
        )
        replaces: Path | None = None
        if existing is not None:
            rank, quality = await asyncio.to_thread(quality_of_file, source, self.match)
            if not keep_new(rank, existing):
                await self._keep_existing(job, source, existing, resolution)
                return
            log.info(
                "job %s: %s replaces %s (%s)", job.id, quality, existing.path, existing.quality
            )
            replaces = existing.path
        cover = await self.covers.get(resolution.track.cover_url or album_cover(resolution))
        extra = dict(self.get(job.id).extra)
        extra["replaces"] = str(replaces) if replaces is not None else None
        self.jobs.update(
            job.id,
            destination=str(dest),
            track=resolution.track,
            album=resolution.album,
            wanted_json=codec.dumps(wanted_blob(job, extra)),
        )
        genres = await genres_to_write(
            self.genre_mode,
            genres_for(resolution, job.artist.genres if job.artist else ()),
            resolution.track.artist,
            self.artist_genres,
        )
        self.moving.add(job.id)
        try:
            outcome = await asyncio.to_thread(
                self.organiser.organise,
                source,
                resolution,
                cover=cover,
                genres=genres,
                replaces=replaces,
                job_id=job.id,
            )
        except MoveError as exc:
            self.moving.discard(job.id)
            if exc.reason in BAD_FILE_REASONS:
                await self._bad_file(self.get(job.id), source, exc)
                return
            self._fail(
                job.id,
                f"could not file the download ({exc}); original kept at {source}",
                destination=None,
            )
            return
        finally:
            self.moving.discard(job.id)
        if job.file is not None:
            self.jobs.record_peer(job.file.username, ok=True)
        rank, quality = await asyncio.to_thread(quality_of_file, outcome.destination, self.match)
        done = self.jobs.transition(
            job.id,
            (JobState.PROCESSING,),
            JobState.COMPLETED,
            destination=str(outcome.destination),
            result="replaced_worse_copy" if replaces is not None else outcome.status,
            error=None,
            also=self._filed_writer(self.get(job.id), outcome.destination, rank, quality),
        )
        if done is None:
            # Cancelled while the (atomic) move ran: record where the file went.
            self.jobs.update(
                job.id,
                destination=str(outcome.destination),
                result=f"{outcome.status}_before_cancel",
            )
        self._announce(self.get(job.id))
        await self._clear_transfer(job)

    # -- failure handling ----------------------------------------------------------------

    def _fail(self, job_id: int, reason: str, **values: Any) -> None:
        failed = self.jobs.transition(
            job_id, ACTIVE_STATES, JobState.FAILED, error=reason, **values
        )
        if failed is not None:
            self._announce(failed)

    def _wait_for_network(self, job_id: int, reason: str) -> None:
        """slskd is not logged in to Soulseek: look again later without using up a retry.

        Nothing is counted against a peer or against the job's retries; the job
        keeps its candidates and carries on where it was.
        """
        job = self.get(job_id)
        if job.is_final:
            return
        delay = self.queue.network_wait_s
        requeued = self.jobs.transition(
            job_id,
            ACTIVE_STATES,
            JobState.QUEUED,
            next_attempt_at=time.time() + delay,
            error=f"{reason}; waiting {delay:.0f}s",
        )
        if requeued is not None:
            self._announce(requeued)

    def _retry_later(self, job_id: int, reason: str, *, reset_candidates: bool = False) -> None:
        job = self.get(job_id)
        if job.is_final:
            return
        attempts = job.attempts + 1
        if attempts > self.queue.retries:
            self._fail(job_id, f"{reason} (gave up after {job.attempts} retries)")
            return
        delay = self.queue.backoff(attempts)
        values: dict[str, Any] = {
            "attempts": attempts,
            "next_attempt_at": time.time() + delay,
            "error": f"{reason}; retry {attempts}/{self.queue.retries} in {delay:.0f}s",
        }
        if reset_candidates:
            if job.kind is JobKind.PLAYLIST_TRACK and not job.extra.get("fixed_candidates"):
                # Search again next time: peers come and go.
                values.update(candidates=(), file=None, candidate_index=0, transfer_id=None)
            elif job.candidates:
                values.update(file=job.candidates[0], candidate_index=0, transfer_id=None)
        requeued = self.jobs.transition(job_id, ACTIVE_STATES, JobState.QUEUED, **values)
        if requeued is not None:
            self._announce(requeued)

    def _wait_for_service(self, job_id: int, exc: ServiceUnavailable) -> None:
        """A service is down: the job waits for it without a retry counted against it.

        The job goes back to the queue as it is (its transfer, its downloaded
        file), so it continues where it stopped once the service is back; only
        an outage longer than ``[outages] max_wait_min`` counts as a failure.
        """
        outage = self.outages.down(exc.service, exc.message)
        if self.outages.gave_up(outage):
            self._retry_later(job_id, f"{exc.service} unreachable for too long: {exc.message}")
            return
        self._publish("service.outage", **self.outages.as_dict(outage))
        waiting = self.jobs.transition(
            job_id,
            ACTIVE_STATES,
            JobState.QUEUED,
            next_attempt_at=outage.next_try,
            error=f"{outage.describe()} ({exc.message})",
        )
        if waiting is not None:
            self._announce(waiting)

    async def _after_user_cancel(self, job_id: int) -> None:
        # Only a transfer still under way is cancelled; a finished download stays on disk.
        if self.user_cancelled.get(job_id) in (JobState.DOWNLOADING, JobState.QUEUED):
            await self.cancel_transfer(self.get(job_id))


def _is_file(path: str | Path | None) -> bool:
    """A quick stat (fine on the event loop: one local syscall)."""
    return path is not None and Path(path).is_file()
