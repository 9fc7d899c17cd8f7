"""The enqueue API of the download queue: every way a download becomes job rows.

Mixed into :class:`~soulsync.services.downloads.service.DownloadService`.
These methods only write rows (and may list a remote folder in slskd); they
work without the workers running, so a CLI can enqueue while another process
works the queue. A file an unfinished job already fetches is not queued twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

from soulsync.domain import Album, Artist, JobKind, JobState, SoulseekFile, Track
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.services.downloads.jobs_store import Job, JobsStore, NewJob
from soulsync.services.downloads.transfer_port import TransferPort

__all__ = ["EnqueueApi"]

_MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | {"wav", "aif", "aiff", "ape", "wv", "alac"}


class EnqueueApi:
    """Enqueue methods. Needs the queue's ``jobs``, ``slskd``, ``_wake`` and ``_publish``."""

    jobs: JobsStore
    slskd: TransferPort
    _wake: asyncio.Event

    def _publish(self, topic: str, **data: Any) -> None:
        raise NotImplementedError  # provided by DownloadService

    async def enqueue_plain(self, file: SoulseekFile) -> int:
        """Download one file as is; it stays in the downloads folder.

        If an unfinished job already fetches this exact remote file, its id is
        returned instead of queueing the file twice.
        """
        existing = self.jobs.find_active_source(file.username, file.filename)
        if existing is not None:
            return existing.id
        return self._insert([NewJob(JobKind.PLAIN, file=file, candidates=(file,))])[0]

    async def enqueue_plain_folder(self, username: str, folder: str) -> str:
        """Download every audio file of a remote folder as is; returns the batch id."""
        files = await self._folder_files(username, folder)
        batch = _new_batch_id()
        self._insert(
            [
                NewJob(
                    JobKind.PLAIN, file=f, candidates=(f,), batch_id=batch, extra={"folder": folder}
                )
                for f in files
            ]
        )
        return batch

    async def enqueue_matched_track(
        self, file: SoulseekFile, artist: Artist | None, *, wanted: Track | None = None
    ) -> int:
        """Download one file and file it under ``artist`` with clean metadata.

        ``artist`` None (nothing picked) resolves the artist from the path;
        if nothing matches, the job completes as a plain download. If an
        unfinished job already fetches this exact remote file, its id is
        returned instead of queueing the file twice.
        """
        existing = self.jobs.find_active_source(file.username, file.filename)
        if existing is not None:
            return existing.id
        job = NewJob(
            JobKind.MATCHED_TRACK, file=file, artist=artist, wanted=wanted, candidates=(file,)
        )
        return self._insert([job])[0]

    async def enqueue_matched_album(
        self,
        username: str,
        folder: str,
        artist: Artist | None,
        album: Album | None,
        *,
        files: Sequence[SoulseekFile] | None = None,
    ) -> str:
        """Queue a remote folder as one batch, one job per audio file; returns the batch id.

        The files are assigned to ``album``'s tracklist; files that belong to
        other releases (or every file, when no album is given) are matched
        on their own and filed under their own artist. ``files`` skips the
        folder listing (e.g. a multi-disc album spread over ``CD1``/``CD2``).
        """
        listed = list(files) if files is not None else await self._folder_files(username, folder)
        batch = _new_batch_id()
        self._insert(
            [
                NewJob(
                    JobKind.MATCHED_ALBUM,
                    file=f,
                    candidates=(f,),
                    artist=artist,
                    album=album,
                    batch_id=batch,
                    extra={"folder": folder},
                )
                for f in listed
            ]
        )
        return batch

    async def enqueue_playlist_track(
        self,
        track: Track,
        *,
        queries: Sequence[str] = (),
        candidates: Sequence[SoulseekFile] = (),
        batch_id: str | None = None,
        source: str | None = None,
        accepted_length_s: float | None = None,
    ) -> int:
        """Search, rank, download and organise ``track`` with its own metadata.

        ``queries`` overrides the engine's query ladder; ``candidates`` skips
        the search; ``accepted_length_s`` is the length a user confirmed for a
        file the engine rejected (the download is verified against it). A job that finds nothing ends ``failed`` with
        ``result == "no_candidate"`` (see :meth:`no_candidate`), which the
        sync service tells apart from a failed transfer to wishlist it.
        """
        extra: dict[str, Any] = {"queries": list(queries)}
        if source:
            extra["source"] = source
        if candidates:
            # Chosen files (a manual pick) are retried as they are, not searched again.
            extra["fixed_candidates"] = True
        if accepted_length_s:
            extra["accepted_length_s"] = float(accepted_length_s)
        job = NewJob(
            JobKind.PLAYLIST_TRACK,
            wanted=track,
            track=None,
            candidates=tuple(candidates),
            file=candidates[0] if candidates else None,
            batch_id=batch_id,
            extra=extra,
        )
        return self._insert([job])[0]

    async def enqueue_playlist_tracks(
        self, tracks: Sequence[Track], *, source: str | None = None
    ) -> tuple[str, list[int]]:
        """Queue many playlist tracks as one batch in one transaction."""
        batch = _new_batch_id()
        extra: dict[str, Any] = {"queries": []}
        if source:
            extra["source"] = source
        rows = [
            NewJob(JobKind.PLAYLIST_TRACK, wanted=t, batch_id=batch, extra=dict(extra))
            for t in tracks
        ]
        return batch, self._insert(rows)

    async def enqueue_track_batch(
        self, items: Sequence[tuple[Track, dict[str, Any]]]
    ) -> tuple[str, list[int]]:
        """Queue playlist-track jobs, each with its own extra (source chain, a fixed upload).

        Used for links: ``extra["sources"]`` overrides the chain for one job and
        ``extra["video"]`` names the upload to fetch (a YouTube link).
        """
        batch = _new_batch_id()
        rows = [
            NewJob(JobKind.PLAYLIST_TRACK, wanted=t, batch_id=batch, extra={"queries": [], **x})
            for t, x in items
        ]
        return batch, self._insert(rows)

    @staticmethod
    def no_candidate(job: Job) -> bool:
        """True if the job failed because no acceptable file was found."""
        return job.state is JobState.FAILED and job.result == "no_candidate"

    # -- internals: rows

    def _insert(self, rows: Sequence[NewJob]) -> list[int]:
        jobs = self.jobs.insert(rows)
        for job in jobs:
            self._publish("job.state", **job.as_dict())
        self._wake.set()
        return [job.id for job in jobs]

    async def _folder_files(self, username: str, folder: str) -> list[SoulseekFile]:
        files = await self.slskd.directory(username, folder)
        audio = [f for f in files if f.extension in _MEDIA_EXTENSIONS]
        if not audio:
            raise ValueError(f"no audio files in {username}:{folder}")
        return sorted(audio, key=lambda f: f.filename)


def _new_batch_id() -> str:
    return uuid.uuid4().hex[:12]
