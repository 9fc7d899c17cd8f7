"""What a downloaded file is: metadata resolution of a job, started while it transfers.

A matched job's track and album are looked up (:class:`~soulsync.services.matched.MetadataResolver`)
as soon as its transfer starts, so the answer is usually there when the file is;
the outcome is stored on the job row, so a restarted worker does not ask again.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from soulsync.domain import JobKind
from soulsync.services.downloads import job_codec as codec
from soulsync.services.downloads.jobs_store import Job, JobsStore
from soulsync.services.matched import MetadataResolver, Resolution

__all__ = ["JobResolutions", "album_cover", "wanted_blob", "with_accepted_length"]


class JobResolutions:
    """Resolutions of the jobs one :class:`~.steps.JobSteps` runs."""

    def __init__(self, jobs: JobsStore, resolver: MetadataResolver | None) -> None:
        self.jobs = jobs
        self.resolver = resolver
        # Resolutions started while the transfer runs, by job id.
        self.tasks: dict[int, asyncio.Task[Resolution | None]] = {}

    def start(self, job: Job) -> None:
        """Resolve metadata while the transfer runs (matched kinds only)."""
        if job.kind is JobKind.PLAIN or self.resolver is None or job.id in self.tasks:
            return
        if job.extra.get("resolution") is not None:
            return
        task = asyncio.create_task(self.resolve(job), name=f"resolve-job-{job.id}")
        self.tasks[job.id] = task
        # Errors are retrieved in get(); this keeps asyncio from warning meanwhile.
        task.add_done_callback(consume_error)

    async def get(self, job: Job) -> Resolution | None:
        """The job's resolution: stored, else the running task's, else resolved now (then stored)."""
        stored = job.extra.get("resolution")
        if stored is not None:
            if not stored.get("matched"):
                return None
            if job.track is not None:
                return Resolution(
                    job.track,
                    job.album,
                    stored.get("folder_artist"),
                    stored.get("score", 0.0),
                    stored.get("how", ""),
                )
        task = self.tasks.pop(job.id, None)
        resolution = await task if task is not None else await self.resolve(job)
        self.store(job, resolution)
        return resolution

    def store(self, job: Job, resolution: Resolution | None) -> None:
        """Keep the outcome on the job row, so a restarted worker does not resolve again."""
        extra = dict(job.extra)
        if resolution is None:
            extra["resolution"] = {"matched": False}
            self.jobs.update(job.id, wanted_json=codec.dumps(wanted_blob(job, extra)))
            return
        extra["resolution"] = {
            "matched": True,
            "folder_artist": resolution.folder_artist,
            "score": round(resolution.score, 4),
            "how": resolution.how,
        }
        self.jobs.update(
            job.id,
            wanted_json=codec.dumps(wanted_blob(job, extra)),
            track=resolution.track,
            album=resolution.album,
        )

    async def resolve(self, job: Job) -> Resolution | None:
        """Ask the metadata resolver what the job's file (or wanted track) is."""
        resolver = self.resolver
        file = job.file
        if resolver is None:
            if job.kind is JobKind.PLAYLIST_TRACK and job.wanted is not None:
                return Resolution(job.wanted, None, None, 1.0, "playlist")
            return None
        if job.kind is JobKind.PLAYLIST_TRACK and job.wanted is not None:
            return await resolver.resolve_wanted(job.wanted)
        if file is None:
            return None
        if job.kind is JobKind.MATCHED_ALBUM and job.batch_id and job.album is not None:
            batch = [j.file for j in self.jobs.batch(job.batch_id) if j.file is not None]
            return await resolver.resolve_in_album(file, batch, job.album, job.artist)
        found = await resolver.resolve_file(file, job.artist)
        if found is None and job.artist is not None and job.kind is JobKind.MATCHED_ALBUM:
            # A favourites folder: files by other artists go under their own artist.
            found = await resolver.resolve_file(file, None)
        return found


def album_cover(resolution: Resolution) -> str | None:
    """The cover of the resolved album, if any."""
    return resolution.album.cover_url if resolution.album is not None else None


def consume_error(task: asyncio.Task[Any]) -> None:
    """Mark a background task's error as seen (it is re-raised where it is awaited)."""
    if not task.cancelled():
        task.exception()


def wanted_blob(job: Job, extra: dict[str, Any]) -> dict[str, Any]:
    """The job's ``wanted_json`` with ``extra`` in place of its old extra."""
    data: dict[str, Any] = {"extra": extra}
    if job.wanted is not None:
        data["track"] = codec.track_to(job.wanted)
    return data


def with_accepted_length(job: Job, resolution: Resolution | None) -> Resolution | None:
    """The length a user accepted for a file the engine rejected ("Pick anyway").

    The download is verified against that length instead of the wanted
    track's, so the file the user chose is not failed for the very
    difference they were shown and confirmed.
    """
    accepted = job.extra.get("accepted_length_s")
    if resolution is None or not accepted:
        return resolution
    track = replace(resolution.track, duration_ms=round(float(accepted) * 1000))
    return replace(resolution, track=track)
