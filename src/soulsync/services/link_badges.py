"""Owned / queued / downloaded badges for tracks a person is about to fetch.

Search results and link previews mark each track so the same song is not
fetched twice:

* ``owned`` — the media-server library has it (the library index, as the sync
  checks it);
* ``downloaded`` — a finished download job delivered it;
* ``downloading`` — a job is fetching or filing it now;
* ``queued`` — an unfinished job will fetch it.

A job is the track's when a service id or the ISRC is shared, else when the
one matching engine scores the job's track at least ``owned_threshold``.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence

from soulsync.domain import JobState, Track
from soulsync.matching.index import OwnedStatus
from soulsync.matching.releases import ReleaseFacts
from soulsync.matching.score import score_track
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.services.downloads.jobs_store import Job
from soulsync.services.sync.analysis import LibrarySnapshot
from soulsync.services.sync.models import track_key

__all__ = ["Badge", "job_badge", "track_badges"]


class Badge(enum.StrEnum):
    """What the app already knows about a track."""

    OWNED = "owned"
    DOWNLOADED = "downloaded"
    DOWNLOADING = "downloading"
    QUEUED = "queued"


# What an unfinished job's state means for its track.
_RUNNING = frozenset({JobState.DOWNLOADING, JobState.PROCESSING})


def job_badge(state: JobState) -> Badge | None:
    """The badge a job in ``state`` gives its track (None for failed or cancelled)."""
    if state is JobState.COMPLETED:
        return Badge.DOWNLOADED
    if state in _RUNNING:
        return Badge.DOWNLOADING
    if state.is_final:
        return None
    return Badge.QUEUED


def _same(track: Track, other: Track, settings: MatchSettings) -> bool:
    for source, ident in track.ids.items():
        if ident and other.ids.get(source) == ident:
            return True
    if track.isrc and other.isrc:
        return track.isrc == other.isrc
    return score_track(track, other, settings).value >= settings.owned_threshold


def track_badges(
    tracks: Sequence[Track],
    *,
    library: LibrarySnapshot | None,
    jobs: Sequence[Job],
    settings: MatchSettings = DEFAULT_SETTINGS,
    filed: Collection[str] = (),
    releases: ReleaseFacts | None = None,
) -> list[Badge | None]:
    """One badge (or None) per track, in order: owned, downloaded, downloading, queued first.

    ``filed`` holds the ``track_key`` of the tracks the filed-tracks record has
    (``FiledTracks.find_many``): downloaded, even before the media server sees them.
    ``releases`` are the release types the sync's check would use
    (``ReleaseTypeService.facts_for_library``): a song owned only from a live
    album is not "owned" here either.
    """
    done = [
        t for j in jobs if j.state is JobState.COMPLETED and (t := j.track or j.wanted) is not None
    ]
    active = [(j.wanted, j.state) for j in jobs if not j.is_final and j.wanted is not None]
    out: list[Badge | None] = []
    for track in tracks:
        if library is not None and library.index.check(track, releases).status is OwnedStatus.OWNED:
            out.append(Badge.OWNED)
            continue
        if track_key(track) in filed or any(_same(track, other, settings) for other in done):
            out.append(Badge.DOWNLOADED)
            continue
        states = [state for other, state in active if _same(track, other, settings)]
        if states:
            running = any(state in _RUNNING for state in states)
            out.append(Badge.DOWNLOADING if running else Badge.QUEUED)
            continue
        out.append(None)
    return out
