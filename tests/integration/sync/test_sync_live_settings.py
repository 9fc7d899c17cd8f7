"""Settings applied without a restart while a sync runs: the run finishes with its clients.

The new sync service and download queue take over from the old ones (as
:func:`soulsync.services.reconfigure.apply_settings` does): the running run is
adopted, not resumed a second time, nothing is queued twice, and it can still
be followed and cancelled through the new service.
"""

from __future__ import annotations

import asyncio

from soulsync.domain import JobKind, JobState
from soulsync.services.sync.models import RunState


def _playlist_jobs(sandbox):  # type: ignore[no-untyped-def]
    return [
        j for j in sandbox.queue.jobs.in_states(list(JobState)) if j.kind is JobKind.PLAYLIST_TRACK
    ]


async def _mid_download(sandbox) -> str:  # type: ignore[no-untyped-def]
    run_id: str = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(
        lambda: (
            bool(sandbox.queue.jobs.in_states([JobState.DOWNLOADING]))
            and sandbox.sync.run(run_id).phase == "downloading"
        )
    )
    return run_id


async def test_a_running_sync_is_adopted_and_finishes(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.time_scale = 5
    run_id = await _mid_download(sandbox)
    old_sync = sandbox.sync

    queue = sandbox.new_queue()
    await queue.take_over(sandbox.queue)
    sync = sandbox.new_sync(queue)
    try:
        await sync.take_over(old_sync)
        assert await sync.start() == []  # adopted, not resumed a second time
        assert sync.is_running(run_id) and sync.running_runs == (run_id,)
        assert sync.owner == old_sync.owner
        sandbox.slskd_sim.time_scale = 50
        async with asyncio.timeout(120):
            run = await sync.wait(run_id)
        assert run.state is RunState.COMPLETED, run.error
        assert run.playlist_synced
        assert not sync.is_running(run_id)
        assert len(_playlist_jobs(sandbox)) == 20  # nothing queued twice
        async with asyncio.timeout(10):
            await old_sync.retire()
            await sandbox.queue.retire()
    finally:
        await sync.stop()
        await queue.stop()


async def test_an_adopted_sync_can_be_cancelled(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.time_scale = 1
    run_id = await _mid_download(sandbox)
    queue = sandbox.new_queue()
    await queue.take_over(sandbox.queue)
    sync = sandbox.new_sync(queue)
    try:
        await sync.take_over(sandbox.sync)
        run = await sync.cancel(run_id)
        assert run.state is RunState.CANCELLED and not sync.is_running(run_id)
        assert not sandbox.sync.is_running(run_id)
    finally:
        await sync.stop()
        await queue.stop()
