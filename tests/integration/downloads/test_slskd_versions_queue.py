"""The download queue against slskd 0.24 and 0.26 behaviour (issue 13 items 3, 4, 5).

* item 3: slskd says "Completed, Succeeded" before the file is moved into the
  downloads folder (a copy that grows): the job waits for the full file;
* item 4: slskd 0.26 retries a failed download itself; the queue neither
  cancels it nor moves on, and shows "retrying (2/3)"; 0.24 does not retry;
* item 5: a failed transfer is cleared from slskd's list.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import pytest
from dl_helpers import find_share

from soulsync.domain import JobState, SoulseekFile, Track
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.slskd_transfers import TransferTiming
from soulsync.services.downloads.service import DownloadService
from soulsync.services.events import EventBus

BLINDING = Track("Blinding Lights", ("The Weeknd",), album="After Hours", duration_ms=200_040)
SEVEN = Track("7", ("Catfish and the Bottlemen",), album="The Balcony", duration_ms=213_000)


@pytest.fixture(params=["0.24.1", "0.26.0"], ids=["slskd-0.24", "slskd-0.26"])
def version(sim: SlskdSimulator, request: pytest.FixtureRequest) -> str:
    sim.version = str(request.param)
    return sim.version


async def test_job_waits_for_the_moved_file(
    version: str,
    service: DownloadService,
    sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    # 1 s until the file appears, then 1 s while it grows (real time, at 50x).
    sim.timing = TransferTiming(move_delay_s=50.0, copy_s=50.0)
    share = find_share("flacfan", "Balcony [FLAC]\\02. 7")
    job_id = await service.enqueue_playlist_track(SEVEN, candidates=[share_file(share)])
    job = await service.wait_job(job_id, within_s=30)
    assert job.state is JobState.COMPLETED, job.error
    assert job.destination is not None
    organised = await asyncio.to_thread(os.path.getsize, job.destination)
    assert organised >= sim.size_of(share) * 0.9  # the whole audio, not the first chunk


async def test_slskd_retries_are_not_cancelled(
    version: str,
    service: DownloadService,
    sim: SlskdSimulator,
    bus: EventBus,
    slskd_client: SlskdClient,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    flaky = find_share("flaky", "Blinding Lights")
    other = find_share("mp3hoarder", "02 - Blinding Lights")

    async def recover_after_first_failure() -> None:
        # The peer fails once; by the second attempt it is fine again.
        while True:
            if any(t.username == "flaky" and t.attempts >= 2 for t in sim.transfer_list()):
                sim.set_peer("flaky", behaviour="ok")
                return
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(recover_after_first_failure())
    job_id = await service.enqueue_playlist_track(
        BLINDING, candidates=[share_file(flaky), share_file(other)]
    )
    job = await service.wait_job(job_id, within_s=30)
    watcher.cancel()
    assert job.state is JobState.COMPLETED, job.error
    states = {e.data.get("transfer_state") for e in bus.recent(prefixes=("job.progress",))}
    flaky_transfers = [t for t in sim.transfer_list() if t.username == "flaky"]
    if version == "0.26.0":
        assert job.file is not None and job.file.username == "flaky"
        assert "retrying (2/3)" in states
        assert not any(t.state == "Completed, Cancelled" for t in flaky_transfers)
        assert service.jobs.peer_failures().get("flaky", 0) == 0
    else:
        assert job.file is not None and job.file.username == "mp3hoarder"
        assert not any(s and s.startswith("retrying") for s in states)
        assert service.jobs.peer_failures().get("flaky", 0) == 1
        # Item 5: the failed transfer was cleared from slskd's list.
        assert await slskd_client.transfers("flaky") == []
        assert all(t.removed for t in flaky_transfers)
