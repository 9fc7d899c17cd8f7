"""Downloaded / downloading / queued badges for Soulseek search results.

A file's badge comes first from a download job of that very file (same peer
and path). Otherwise its recording, read from the remote path by the matching
engine (artist, title, album) with the length the peer reports, is looked up

* among the tracks SoulSync has filed (the filed-tracks record, files that
  still exist): ``downloaded``, also when the copy came from another peer;
* among the tracks unfinished jobs fetch: ``downloading`` or ``queued``.

Both lookups use the one matching engine's library index, so a live version
or a remix does not count as the studio recording. An album folder sums its
files up ("downloaded 3/12").
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from soulsync.domain import JobState, LibraryTrack, SoulseekFile, Track
from soulsync.matching import parse_path
from soulsync.matching.index import LibraryIndex, OwnedStatus
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.services.downloads.jobs_store import Job
from soulsync.services.filed import FiledTrack
from soulsync.services.link_badges import Badge, job_badge

__all__ = ["FileBadges", "file_recording", "folder_badge"]

# Most advanced first: an album folder shows the first one any of its files has.
_ORDER = (Badge.DOWNLOADED, Badge.DOWNLOADING, Badge.QUEUED)


def file_recording(file: SoulseekFile) -> Track | None:
    """The recording a remote path names (None when no artist and title can be read)."""
    anatomy = parse_path(file.filename)
    artist = anatomy.artist or (anatomy.readings[0].artist if anatomy.readings else None)
    if not artist or not anatomy.title:
        return None
    return Track(
        title=anatomy.title,
        artists=(artist,),
        album=anatomy.album,
        duration_ms=file.length * 1000 if file.length else None,
    )


def _as_library(track: Track, ident: str) -> LibraryTrack:
    return LibraryTrack(
        id=ident,
        title=track.title,
        artist=track.display_artist,
        album=track.album,
        duration_ms=track.duration_ms,
        isrc=track.isrc,
    )


@dataclass(frozen=True)
class FileBadges:
    """What is known about files, built once per search from the jobs and the filed record."""

    by_source: dict[tuple[str, str], Badge]
    filed: LibraryIndex
    active: LibraryIndex
    active_states: dict[str, JobState]

    @classmethod
    def build(
        cls,
        jobs: Sequence[Job],
        filed: Sequence[FiledTrack],
        settings: MatchSettings = DEFAULT_SETTINGS,
    ) -> FileBadges:
        """From the queue's jobs (history and active) and the filed tracks (blocking: stats files)."""
        by_source: dict[tuple[str, str], Badge] = {}
        # Oldest first, so the newest job of a file decides (a retry after a failure).
        for job in sorted(jobs, key=lambda j: j.id):
            if job.file is None:
                continue
            badge = job_badge(job.state)
            key = (job.file.username, job.file.filename)
            if badge is not None:
                by_source[key] = badge
            else:
                by_source.pop(key, None)
        present = [
            LibraryTrack(
                id=f.path,
                title=f.title,
                artist=f.artist,
                album=f.album,
                duration_ms=f.duration_ms,
                path=f.path,
                isrc=f.isrc,
            )
            for f in filed
            if os.path.isfile(f.path)
        ]
        states: dict[str, JobState] = {}
        wanted: list[LibraryTrack] = []
        for job in jobs:
            track = job.wanted or job.track
            if job.is_final or track is None:
                continue
            states[str(job.id)] = job.state
            wanted.append(_as_library(track, str(job.id)))
        return cls(
            by_source=by_source,
            filed=LibraryIndex(present, settings),
            active=LibraryIndex(wanted, settings),
            active_states=states,
        )

    def badge(self, file: SoulseekFile) -> Badge | None:
        """This file's badge, or None when nothing is known about its recording."""
        direct = self.by_source.get((file.username, file.filename))
        if direct is not None:
            return direct
        recording = file_recording(file)
        if recording is None:
            return None
        if len(self.filed) and self.filed.check(recording).status is OwnedStatus.OWNED:
            return Badge.DOWNLOADED
        if len(self.active):
            match = self.active.check(recording)
            if match.status is OwnedStatus.OWNED and match.track is not None:
                state = self.active_states.get(match.track.id)
                return job_badge(state) if state is not None else Badge.QUEUED
        return None


def folder_badge(badges: Sequence[Badge | None]) -> str | None:
    """An album folder's label: "downloaded" when every file is, else "downloaded 3/12"."""
    total = len(badges)
    for badge in _ORDER:
        count = sum(1 for b in badges if b is badge)
        if count:
            return badge.value if count == total else f"{badge.value} {count}/{total}"
    return None
