"""The source chain and the video-site part of a job (YouTube through yt-dlp).

A playlist-track job carries its chain in ``extra["sources"]`` (default: the
queue's ``[downloads] sources``) and where it is in it in
``extra["source_index"]``; ``extra["tried_sources"]`` lists every source
that was searched, with what happened, for the queue view and the wishlist.

* ``searching`` on ``youtube``: one search (artist and title) through the
  :class:`~soulsync.providers.youtube.VideoSource` port, ranked by
  :func:`soulsync.matching.video.rank_videos`; accepted uploads are stored in
  ``extra["video_candidates"]`` and the first in ``extra["video"]``.
* ``downloading`` a video: yt-dlp fetches the audio stream into
  ``<downloads>/youtube`` (resuming a ``.part`` file); the job then goes to
  ``processing`` like a Soulseek download, so the same pipeline verifies,
  tags and files it. An upload that cannot be had moves on to the next one,
  then to the next source.

A profile that requires lossless files skips the video site unless
``allow_lossy_fallback`` is on (:func:`soulsync.matching.video.lossy_source_allowed`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from soulsync.domain import JobKind, JobState, Track, VideoCandidate
from soulsync.matching.settings import MatchSettings
from soulsync.matching.video import lossy_source_allowed, rank_videos
from soulsync.providers.youtube import DownloadProgress, VideoSource, VideoUnavailable
from soulsync.services.downloads import job_codec as codec
from soulsync.services.downloads.jobs_store import Job, JobsStore
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.resolutions import JobResolutions

__all__ = ["SOULSEEK", "YOUTUBE", "VideoSteps", "chain_of", "video_query"]

log = logging.getLogger(__name__)

SOULSEEK = "soulseek"
YOUTUBE = "youtube"


class _Steps(Protocol):
    """What the video step needs from the job state machine."""

    jobs: JobsStore
    resolutions: JobResolutions

    def _move(self, job: Job, src: Sequence[JobState], dst: JobState, **values: Any) -> bool: ...

    def _fail(self, job_id: int, reason: str, **values: Any) -> None: ...

    def _publish(self, topic: str, **data: Any) -> None: ...


def chain_of(job: Job, queue: QueueSettings) -> tuple[str, ...]:
    """The job's source chain (its own, else the queue's)."""
    own = job.extra.get("sources")
    return tuple(own) if own else queue.sources


def video_query(want: Track) -> str:
    """What to type into the video site's search box for ``want``."""
    return f"{want.artist} {want.title}".strip()


def extra_blob(job: Job, extra: dict[str, Any]) -> str | None:
    """The ``wanted_json`` column holding ``extra`` (and the wanted track)."""
    data: dict[str, Any] = {"extra": extra}
    if job.wanted is not None:
        data["track"] = codec.track_to(job.wanted)
    return codec.dumps(data)


class VideoSteps:
    """Source-chain moves and the video-site search and download of one job."""

    def __init__(
        self,
        steps: _Steps,
        *,
        video: VideoSource | None,
        video_dir: Path,
        queue: QueueSettings,
        match: MatchSettings,
    ) -> None:
        self.steps = steps
        self.video = video
        self.video_dir = video_dir
        self.queue = queue
        self.match = match
        # Running downloads' stop switches (a cancel sets it; yt-dlp's hook raises).
        self.cancels: dict[int, threading.Event] = {}

    # -- the chain -----------------------------------------------------------------------

    def current_source(self, job: Job) -> str:
        """The source the job searches now."""
        chain = chain_of(job, self.queue)
        index = int(job.extra.get("source_index") or 0)
        return chain[index] if index < len(chain) else chain[-1]

    def skip_reason(self, source: str) -> str | None:
        """Why ``source`` cannot serve jobs here, or None."""
        if source == YOUTUBE:
            if self.video is None:
                return "YouTube is not set up"
            return lossy_source_allowed(self.match, self.queue.allow_lossy_fallback)
        return None

    def advance(self, job: Job, outcome: str) -> bool:
        """Record ``outcome`` for the current source and move to the next usable one.

        Returns False when the chain is exhausted (the caller fails the job).
        """
        chain = chain_of(job, self.queue)
        extra = dict(job.extra)
        index = int(extra.get("source_index") or 0)
        tried = list(extra.get("tried_sources") or [])
        tried.append({"source": chain[min(index, len(chain) - 1)], "outcome": outcome})
        index += 1
        while index < len(chain):
            why = self.skip_reason(chain[index])
            if why is None:
                break
            tried.append({"source": chain[index], "outcome": f"skipped: {why}"})
            index += 1
        extra.update(source_index=index, tried_sources=tried)
        for key in ("video", "video_candidates", "video_index"):
            extra.pop(key, None)
        self.steps.jobs.update(job.id, wanted_json=extra_blob(job, extra))
        return index < len(chain)

    def has_next_source(self, job: Job) -> bool:
        """True when a searched playlist track has a usable source after the current one."""
        if job.kind is not JobKind.PLAYLIST_TRACK or job.extra.get("fixed_candidates"):
            return False
        chain = chain_of(job, self.queue)
        index = int(job.extra.get("source_index") or 0)
        return any(self.skip_reason(s) is None for s in chain[index + 1 :])

    def exhausted_error(self, job: Job, outcome: str) -> str:
        """The error of a job no source could serve: every source's words if several searched."""
        tried = job.extra.get("tried_sources") or []
        searched = [str(t["outcome"]) for t in tried if not str(t["outcome"]).startswith("skipped")]
        if len(searched) > 1:
            return f"nothing acceptable ({self.tried_text(job)})"
        # One source searched: its own words (the skipped ones are in extra["tried_sources"]).
        return searched[0] if searched else outcome

    @staticmethod
    def tried_text(job: Job) -> str:
        """ "soulseek: no acceptable file; youtube: …" for error messages."""
        tried = job.extra.get("tried_sources") or []
        return "; ".join(f"{t['source']}: {t['outcome']}" for t in tried)

    # -- searching -----------------------------------------------------------------------

    async def search(self, job: Job, want: Track) -> str | None:
        """Search the video site and store the accepted uploads (job -> ``downloading``).

        Returns None on success, else why nothing was accepted.
        """
        video = self.video
        if video is None:
            return "YouTube is not set up"
        found = await video.search(video_query(want), self.queue.video_search_limit)
        ranked = rank_videos(want, found, self.match)
        if not ranked.candidates:
            detail = f"{len(found)} uploads seen, {len(ranked.rejected)} declined"
            if ranked.rejected:
                detail += f"; best declined: {ranked.rejected[0].rejected_because}"
            return f"no acceptable upload ({detail})"
        uploads = [codec.video_to(r.video) for r in ranked.candidates[: self.queue.max_candidates]]
        extra = dict(job.extra)
        extra.update(video=uploads[0], video_candidates=uploads, video_index=0)
        extra["declined_uploads"] = [
            {"title": r.video.title, "channel": r.video.channel, "why": r.rejected_because}
            for r in ranked.rejected[:10]
        ]
        self.steps._move(
            job,
            (JobState.SEARCHING,),
            JobState.DOWNLOADING,
            wanted_json=extra_blob(job, extra),
            candidate_index=0,
        )
        return None

    # -- downloading ---------------------------------------------------------------------

    async def download(self, job: Job) -> None:
        """Fetch the job's current upload; then ``processing``, the next upload, or fail."""
        data = job.extra.get("video")
        if self.video is None or not data:
            self.steps._fail(job.id, "no video to download (YouTube is not set up)")
            return
        upload = codec.video_from(data)
        self.steps.resolutions.start(job)
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        self.cancels[job.id] = cancel

        def progress(p: DownloadProgress) -> None:
            loop.call_soon_threadsafe(self._progress, job.id, p)

        try:
            path = await self.video.download(
                upload, self.video_dir, progress=progress, cancel=cancel
            )
        except asyncio.CancelledError:
            cancel.set()
            raise
        except VideoUnavailable as exc:
            await self._next_upload(job, str(exc))
            return
        finally:
            self.cancels.pop(job.id, None)
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        self.steps._move(
            job,
            (JobState.DOWNLOADING,),
            JobState.PROCESSING,
            local_path=str(path),
            bytes_done=size,
            percent=100.0,
        )

    def _progress(self, job_id: int, p: DownloadProgress) -> None:
        percent = 100.0 * p.downloaded / p.total if p.total else 0.0
        self.steps.jobs.update(job_id, bytes_done=p.downloaded, percent=percent, speed=p.speed)
        self.steps._publish(
            "job.progress",
            id=job_id,
            bytes=p.downloaded,
            size=p.total,
            percent=round(percent, 1),
            speed=round(p.speed),
            transfer_state="youtube",
        )

    async def _next_upload(self, job: Job, reason: str) -> None:
        extra = dict(job.extra)
        uploads = list(extra.get("video_candidates") or [])
        index = int(extra.get("video_index") or 0) + 1
        log.info("job %s: upload failed (%s)", job.id, reason)
        if index < len(uploads):
            extra.update(video=uploads[index], video_index=index)
            self.steps.jobs.update(
                job.id, wanted_json=extra_blob(job, extra), error=f"previous upload: {reason}"
            )
            return
        fresh = self.steps.jobs.require(job.id)
        if self.advance(fresh, f"every upload failed; last: {reason}"):
            self.steps._move(
                fresh, (JobState.DOWNLOADING,), JobState.SEARCHING, file=None, candidates=()
            )
            return
        done = self.steps.jobs.require(job.id)
        self.steps._fail(job.id, f"no source could deliver ({self.tried_text(done)})")

    def as_video(self, job: Job) -> VideoCandidate | None:
        """The upload the job downloads now, if it is a video job."""
        data = job.extra.get("video")
        return codec.video_from(data) if data else None
