"""Where a release's download stands, for an artist's discography.

A release the library lacks can already be on its way: its tracks queued,
downloading or downloaded (filed, not yet seen by the media server). The
download jobs of the artist's tracks are counted per release: a job belongs
to a release when the matching engine finds its track's album title and
artist close enough to the release's (the same rule the page uses to count
owned albums).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soulsync.domain import JobState
from soulsync.matching import name_similarity
from soulsync.services.downloads.jobs_store import Job
from soulsync.services.link_badges import Badge, job_badge

__all__ = ["ReleaseDownloads", "release_downloads"]

# As close as an owned album title must be to count as the release (routes_artists).
SIMILARITY = 0.85


@dataclass(frozen=True, slots=True)
class ReleaseDownloads:
    """How many of a release's tracks are queued, downloading and downloaded."""

    queued: int = 0
    downloading: int = 0
    downloaded: int = 0

    @property
    def badge(self) -> Badge | None:
        """The most pressing state: downloading, then queued, then downloaded."""
        if self.downloading:
            return Badge.DOWNLOADING
        if self.queued:
            return Badge.QUEUED
        if self.downloaded:
            return Badge.DOWNLOADED
        return None

    def label(self, total: int | None) -> str | None:
        """E.g. "queued · 0/11 done", "downloading · 4/11 done", "downloaded 11/11"."""
        badge = self.badge
        if badge is None:
            return None
        wanted = total or (self.queued + self.downloading + self.downloaded)
        if badge is Badge.DOWNLOADED:
            return f"downloaded {self.downloaded}/{wanted}"
        return f"{badge.value} · {self.downloaded}/{wanted} done"


def release_downloads(
    titles: Sequence[str], artist: str, jobs: Sequence[Job]
) -> dict[str, ReleaseDownloads]:
    """``title -> counts`` for each release title with at least one job of its tracks.

    The newest job of a track decides (a retry after a failure); failed and
    cancelled jobs do not count.
    """
    latest: dict[tuple[str, str], Job] = {}
    for job in sorted(jobs, key=lambda j: j.id):
        track = job.wanted or job.track
        if track is None or not track.album:
            continue
        artists = (*track.album_artists, *track.artists)
        if not any(name_similarity(a, artist) >= SIMILARITY for a in artists):
            continue
        latest[(track.album, track.title)] = job
    counts: dict[str, dict[JobState | Badge, int]] = {}
    for (album, _title), job in latest.items():
        badge = job_badge(job.state)
        if badge is None:
            continue
        for title in titles:
            if name_similarity(album, title) >= SIMILARITY:
                tally = counts.setdefault(title, {})
                tally[badge] = tally.get(badge, 0) + 1
                break
    return {
        title: ReleaseDownloads(
            queued=tally.get(Badge.QUEUED, 0),
            downloading=tally.get(Badge.DOWNLOADING, 0),
            downloaded=tally.get(Badge.DOWNLOADED, 0),
        )
        for title, tally in counts.items()
    }
