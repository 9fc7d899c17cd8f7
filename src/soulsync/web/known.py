"""What the app already knows about tracks and files, gathered for a page.

The badges themselves are decided in :mod:`soulsync.services.link_badges`
(tracks: library, filed record, jobs) and :mod:`soulsync.services.file_badges`
(Soulseek files); this module reads their inputs from the running services.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from soulsync.domain import Track
from soulsync.services.file_badges import FileBadges
from soulsync.services.filed import FiledTracks
from soulsync.services.link_badges import Badge, track_badges

JOBS_LOOKED_AT = 1000  # finished jobs read back (newest first) besides the unfinished ones
# Release-type look-ups a page waits for (MusicBrainz allows one a second);
# answers are cached, so the next view and the sync reuse them.
PAGE_RELEASE_LOOKUPS = 4


def _jobs(services: Any) -> list[Any]:
    queue = services.downloads
    return [*queue.history(JOBS_LOOKED_AT), *queue.list_active()] if queue is not None else []


async def tracks_known(
    services: Any, tracks: Sequence[Track]
) -> tuple[list[Badge | None], str | None]:
    """Owned / downloaded / downloading / queued per track, and why the library was not read."""
    snapshot, why = await services.sync.library.get()
    filed = await asyncio.to_thread(FiledTracks(services.store).find_many, tracks)
    releases = services.sync.releases
    facts = (
        await releases.facts_for_library(snapshot.index, tracks, limit=PAGE_RELEASE_LOOKUPS)
        if releases is not None and snapshot is not None
        else None
    )
    badges = track_badges(
        tracks,
        library=snapshot,
        jobs=_jobs(services),
        settings=services.settings.match_settings(),
        filed=set(filed),
        releases=facts,
    )
    return badges, why


async def files_known(services: Any) -> FileBadges | None:
    """What is known about Soulseek files (None when there is no download queue)."""
    if services is None or services.downloads is None:
        return None
    jobs = _jobs(services)
    filed = FiledTracks(services.store)
    match = services.settings.match_settings()
    return await asyncio.to_thread(lambda: FileBadges.build(jobs, filed.all(), match))
