"""Cancel a sync mid-run (with cleanup), and resume one interrupted by a restart."""

from __future__ import annotations

import asyncio

from soulsync.domain import JobKind, JobState
from soulsync.services.downloads.service import ACTIVE_STATES
from soulsync.services.sync.models import RunState, TrackStatus


def _playlist_jobs(sandbox):  # type: ignore[no-untyped-def]
    return [
        j for j in sandbox.queue.jobs.in_states(list(JobState)) if j.kind is JobKind.PLAYLIST_TRACK
    ]


async def test_cancel_mid_run_cancels_its_downloads_and_keeps_the_verified_playlist(
    sandbox,
) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.time_scale = 1  # transfers take real seconds: the run is mid-download
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(
        lambda: (
            bool(sandbox.queue.jobs.in_states([JobState.DOWNLOADING]))
            and sandbox.sync.run(run_id).phase == "downloading"
        )
    )
    run = await sandbox.sync.cancel(run_id)
    assert run.state is RunState.CANCELLED and not sandbox.sync.is_running(run_id)
    assert "cancelled" in (run.message or "")
    # Cleanup: none of the run's downloads is left running or queued.
    await sandbox.wait_for(lambda: not sandbox.queue.jobs.in_states(ACTIVE_STATES), within_s=20)
    jobs = _playlist_jobs(sandbox)
    assert jobs and {j.state for j in jobs} <= {JobState.CANCELLED, JobState.COMPLETED}
    assert any(j.state is JobState.CANCELLED for j in jobs)
    rows = sandbox.sync.sync_store.run_tracks(run_id)
    assert not [r for r in rows if r.status is TrackStatus.QUEUED]
    assert any(r.reason == "cancelled with the sync" for r in rows)
    # The Plex playlist kept its last verified state: the 10 owned tracks, in order.
    titles = await sandbox.plex_titles(run.server_playlist_id)
    owned = [r.title for r in rows if r.status is TrackStatus.OWNED]
    assert titles == owned and len(owned) == 10
    # A new run picks up from there.
    sandbox.slskd_sim.time_scale = 50
    again = await sandbox.run(sandbox.ref("road-trip"), download_missing=True)
    assert again.state is RunState.COMPLETED and again.playlist_synced
    assert again.owned + again.downloaded + again.wishlisted == 30


async def test_restart_mid_run_resumes_without_queueing_twice(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.time_scale = 5
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(
        lambda: (
            bool(sandbox.queue.jobs.in_states([JobState.DOWNLOADING]))
            and sandbox.sync.run(run_id).phase == "downloading"
        )
    )
    # The process stops: sync first, then the queue (as the app's shutdown does).
    await sandbox.sync.stop()
    await sandbox.queue.stop()
    interrupted = sandbox.sync.run(run_id)
    assert interrupted.state is RunState.RUNNING  # left resumable, not cancelled
    queued_before = len(_playlist_jobs(sandbox))
    assert queued_before == 20

    # A new process: new queue and sync service on the same database.
    sandbox.slskd_sim.time_scale = 50
    queue = sandbox.new_queue()
    await queue.start()
    sync = sandbox.new_sync(queue)
    try:
        assert await sync.start() == [run_id]
        async with asyncio.timeout(120):
            run = await sync.wait(run_id)
    finally:
        await sync.stop()
        await queue.stop()
    assert run.state is RunState.COMPLETED, run.error
    assert (run.owned, run.downloaded, run.wishlisted, run.failed) == (10, 20, 0, 0)
    assert run.playlist_synced
    assert len(_playlist_jobs(sandbox)) == queued_before  # nothing queued twice
