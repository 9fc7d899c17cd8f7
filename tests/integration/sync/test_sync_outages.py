"""Plex or slskd down during a sync: nothing is lost, and the sync completes when they are back."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sync_sandbox import FAST_QUEUE, FAST_SYNC

from soulsync.config_outage import OutageSettings
from soulsync.domain import JobState, Source
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.service import SyncOptions, SyncService


@pytest.fixture()
def sync_options() -> SyncOptions:
    """Give up on an unreachable Plex quickly (the next sync fills the playlist in)."""
    return dataclasses.replace(
        FAST_SYNC, outages=OutageSettings(max_wait_min=0.3 / 60, first_retry_s=0.1, max_retry_s=0.1)
    )


async def test_plex_down_downloads_everything_then_next_sync_fills_the_playlist(
    sandbox, spotify_titles
) -> None:  # type: ignore[no-untyped-def]
    sandbox.plex_sim.down = True
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    assert first.state is RunState.COMPLETED, first.error
    assert first.server_reachable is False and not first.playlist_synced
    assert "plex is not reachable" in (first.message or "")
    # The "download all" fallback: every track was queued, none silently skipped.
    assert (first.owned, first.downloaded, first.wishlisted) == (0, 30, 0)

    sandbox.plex_sim.down = False
    second = await sandbox.run(ref, download_missing=True)
    assert second.state is RunState.COMPLETED and second.server_reachable
    assert second.downloaded == 0 and second.playlist_synced
    assert second.owned == 30 - second.wishlisted
    wished = {e.track.title for e in sandbox.sync.wishlist.entries()}
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    assert await sandbox.plex_titles(second.server_playlist_id) == [
        t for t in upstream if t not in wished
    ]


@pytest.fixture()
def queue_settings() -> QueueSettings:
    """Keep retrying an unreachable slskd for a while instead of giving up."""
    return dataclasses.replace(FAST_QUEUE, retries=60, retry_delay_s=0.1, max_retry_delay_s=0.2)


async def test_slskd_down_jobs_wait_and_retry_then_finish(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.unavailable = True
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    # Jobs are queued and wait (the queue is paused) while slskd answers 503...
    await sandbox.wait_for(
        lambda: any(
            "waiting for slskd" in (j.error or "")
            for j in sandbox.queue.jobs.in_states([JobState.QUEUED])
        )
    )
    await asyncio.sleep(1)
    assert not sandbox.queue.jobs.in_states([JobState.FAILED])
    assert not sandbox.sync.run(run_id).state.is_final
    # ...and finish once it is back: nothing lost, nothing failed.
    sandbox.slskd_sim.unavailable = False
    run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED
    assert (run.failed, run.downloaded, run.wishlisted) == (0, 20, 0)
    assert run.playlist_synced
    statuses = {r.status for r in sandbox.sync.sync_store.run_tracks(run_id)}
    assert statuses <= {TrackStatus.OWNED, TrackStatus.DOWNLOADED, TrackStatus.WISHLISTED}


async def test_plex_down_later_does_not_fetch_what_was_owned_before(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    assert first.playlist_synced
    sandbox.plex_sim.down = True
    searches = sandbox.slskd_sim.counters.searches_posted
    jobs = len(sandbox.queue.history(limit=1000))
    second = await sandbox.run(ref, download_missing=True)
    assert second.state is RunState.COMPLETED and second.server_reachable is False
    # The files it knew are on disk: owned, not fetched again; only the wishlisted
    # track stays in its cool-down.
    assert second.owned == first.owned + first.downloaded and second.downloaded == 0
    assert sandbox.slskd_sim.counters.searches_posted == searches
    assert len(sandbox.queue.history(limit=1000)) == jobs
    rows = sandbox.sync.sync_store.run_tracks(second.id)
    assert all(
        "could not confirm" in (r.reason or "") for r in rows if r.status is TrackStatus.OWNED
    )
    assert not second.playlist_synced

    sandbox.plex_sim.down = False
    third = await sandbox.run(ref, download_missing=True)
    assert third.playlist_synced and third.downloaded == 0 and third.owned == second.owned


async def test_plex_down_on_the_first_sync_judges_from_the_files_on_disk(sandbox) -> None:  # type: ignore[no-untyped-def]
    """Issue 18 item 9: with Plex down, the files on disk are read before "everything is missing".

    (The test above shows the last resort, when no folder is known.)
    """
    options = dataclasses.replace(sandbox.options, fallback_folders=(str(sandbox.library_dir),))
    sync = SyncService(
        sandbox.store,
        sources={Source.SPOTIFY: sandbox.spotify},
        media_server=sandbox.media,
        downloads=QueueDownloads(sandbox.queue),
        bus=sandbox.bus,
        options=options,
    )
    sandbox.plex_sim.down = True
    try:
        run_id = await sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
        first = await sync.wait(run_id)
    finally:
        await sync.stop()
    assert first.state is RunState.COMPLETED, first.error
    assert first.server_reachable is False
    # The 10 tracks the user owns are not downloaded again; the 20 missing ones are.
    assert (first.owned, first.downloaded, first.wishlisted) == (10, 20, 0)
    assert "judged owned from the files on disk" in (first.message or "")
    rows = sync.sync_store.run_tracks(run_id)
    owned = [r for r in rows if r.status is TrackStatus.OWNED]
    assert len(owned) == 10
    assert all(
        "plex not reachable; judged from the files on disk" in (r.reason or "") for r in owned
    )
