"""Issue 18 item 6: an slskd outage pauses the queue and the run instead of failing them.

A 20-second outage failed all 20 jobs in 9 s (each retried alone, 3 tries,
even jobs that never started) and stranded two finished files. Now the first
job to meet the outage records it; no job starts or counts a retry while it
lasts; the run says "waiting for slskd since 14:02, next try in 2 s"; a probe
with capped backoff sees slskd come back, and everything resumes: the
transfers that finished meanwhile are filed, nothing failed.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from soulsync.domain import JobState
from soulsync.services.outage import OutageBook
from soulsync.services.sync.models import RunState


async def test_slskd_outage_pauses_then_resumes_with_no_failed_job(sandbox) -> None:  # type: ignore[no-untyped-def]
    jobs = sandbox.queue.jobs
    book = OutageBook(sandbox.store)
    sandbox.slskd_sim.time_scale = 5  # transfers under way when slskd goes away
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(lambda: bool(jobs.in_states([JobState.DOWNLOADING])))
    sandbox.slskd_sim.unavailable = True
    await sandbox.wait_for(lambda: book.get("slskd") is not None)
    # Far longer than the queue's own retries would last (2 retries, 0.05-0.2 s apart).
    await asyncio.sleep(4)
    assert not jobs.in_states([JobState.FAILED])
    waiting = jobs.in_states([JobState.QUEUED])
    assert waiting and all(j.attempts == 0 for j in waiting)
    # Jobs that met the outage say so; the others never started (the queue is paused).
    met = [j for j in waiting if j.error]
    assert met and all(j.error and "waiting for slskd since" in j.error for j in met)
    run = sandbox.sync.run(run_id)
    assert run.phase == "waiting" and "waiting for slskd since" in (run.message or "")
    outage = book.get("slskd")
    assert outage is not None and outage.attempts >= 3  # probed with backoff meanwhile

    sandbox.slskd_sim.time_scale = 50
    sandbox.slskd_sim.unavailable = False
    async with asyncio.timeout(120):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert (run.failed, run.downloaded, run.wishlisted) == (0, 20, 0)
    assert run.playlist_synced
    assert book.get("slskd") is None


@pytest.mark.slow
async def test_a_60_s_slskd_outage_pauses_and_resumes_with_no_failed_job(sandbox) -> None:  # type: ignore[no-untyped-def]
    """The issue's own figure: slskd really stopped (port closed) for 60 s mid-download.

    The slskd simulator comes back on the same port with its state (a
    restarted slskd keeps its finished transfers on disk).
    """
    jobs = sandbox.queue.jobs
    book = OutageBook(sandbox.store)
    sandbox.slskd_sim.time_scale = 5  # transfers under way when slskd goes away
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(lambda: bool(jobs.in_states([JobState.DOWNLOADING])))
    url = sandbox.slskd_sim.url
    sandbox.slskd_sim.stop()
    stopped = time.monotonic()
    await sandbox.wait_for(lambda: book.get("slskd") is not None)
    await sandbox.wait_for(lambda: sandbox.sync.run(run_id).phase == "waiting")
    while time.monotonic() - stopped < 60:
        await asyncio.sleep(5)
        # Paused all along: nothing failed, nothing counted a retry, the run says why.
        assert not jobs.in_states([JobState.FAILED])
        assert all(j.attempts == 0 for j in jobs.in_states([JobState.QUEUED]))
        run = sandbox.sync.run(run_id)
        assert run.phase == "waiting" and "waiting for slskd since" in (run.message or "")
    outage = book.get("slskd")
    assert outage is not None and time.time() - outage.since >= 59

    sandbox.slskd_sim.time_scale = 50
    sandbox.slskd_sim.start()
    assert sandbox.slskd_sim.url == url
    async with asyncio.timeout(120):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert (run.failed, run.downloaded, run.wishlisted) == (0, 20, 0)
    assert not jobs.in_states([JobState.FAILED])
    assert run.playlist_synced
    assert book.get("slskd") is None
