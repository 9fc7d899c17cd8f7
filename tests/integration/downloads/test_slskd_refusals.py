"""Issue 13 items 1 and 7 through the download queue: refused searches and a logged-out slskd.

* a search slskd refuses (400: nothing but one-letter terms) is one failed
  rung of the ladder; the job goes on to the next rung, it is not restarted;
* while slskd is not logged in to Soulseek (409 on search, 500 "must be
  connected and logged in" on enqueue) the job waits with a clear message,
  without using up a retry and without counting anything against a peer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from dl_helpers import find_share

from soulsync.domain import JobState, SoulseekFile, Track
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.services.downloads.service import DownloadService
from soulsync.store import Store


@pytest.fixture(autouse=True, params=["0.24.1", "0.26.0"], ids=["slskd-0.24", "slskd-0.26"])
def version(sim: SlskdSimulator, request: pytest.FixtureRequest) -> str:
    """Every test here runs against slskd 0.24 and 0.26 behaviour."""
    sim.version = str(request.param)
    return sim.version


XZIBIT_X = Track("X", ("Xzibit",), album="Restless", duration_ms=254_000)


async def test_refused_rung_is_skipped_not_retried(
    service: DownloadService, sim: SlskdSimulator
) -> None:
    # Queries stored by an older SoulSync: "x" alone is refused by slskd (400).
    job_id = await service.enqueue_playlist_track(XZIBIT_X, queries=["x", "o o c", "xzibit"])
    job = await service.wait_job(job_id, within_s=30)
    assert job.state is JobState.COMPLETED, job.error
    assert sim.counters.searches_refused == 2
    assert sim.counters.searches_posted == 1
    assert job.attempts == 0
    assert job.local_path is not None or job.destination is not None


async def test_only_refused_rungs_fail_once_with_a_reason(
    service: DownloadService, sim: SlskdSimulator
) -> None:
    job_id = await service.enqueue_playlist_track(XZIBIT_X, queries=["x", "x u"])
    job = await service.wait_job(job_id, within_s=10)
    assert job.state is JobState.FAILED
    assert job.error is not None and "slskd refused 2 of 2 searches" in job.error
    assert job.attempts == 0  # no restart loop
    assert sim.counters.searches_refused == 2


async def test_logged_out_waits_with_a_clear_message(
    service: DownloadService, sim: SlskdSimulator, store: Store
) -> None:
    sim.server_state = "Disconnected"
    job_id = await service.enqueue_playlist_track(XZIBIT_X)
    deadline = time.monotonic() + 10
    job = service.jobs.require(job_id)
    while time.monotonic() < deadline:
        job = service.jobs.require(job_id)
        if job.error:
            break
        await asyncio.sleep(0.05)
    assert job.state is JobState.QUEUED
    assert job.error is not None
    assert "slskd is not connected to the Soulseek network" in job.error
    assert job.attempts == 0
    assert service.jobs.peer_failures() == {}


async def test_logged_out_enqueue_blames_no_peer(
    service: DownloadService,
    sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    share = find_share("flacfan", "Restless [FLAC]\\01. X")
    sim.server_state = "Disconnected"
    job_id = await service.enqueue_playlist_track(XZIBIT_X, candidates=[share_file(share)])
    deadline = time.monotonic() + 10
    job = service.jobs.require(job_id)
    while time.monotonic() < deadline and not job.error:
        await asyncio.sleep(0.05)
        job = service.jobs.require(job_id)
    assert job.state is JobState.QUEUED
    assert job.error is not None and "not connected to the Soulseek network" in job.error
    assert service.jobs.peer_failures() == {}
    assert job.attempts == 0
    assert job.file is not None and job.file.username == "flacfan"  # same candidate kept
