"""Cancel in every state: queued, searching, downloading, processing.

Same behaviour for plain and matched jobs: the slskd transfer is cancelled,
partial files are removed (by slskd), and a file that finished downloading
but was not yet processed stays untouched in the downloads folder.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
from dl_helpers import FAST_QUEUE, exists, find_share, tree

from soulsync.config import Settings
from soulsync.domain import Album, Artist, JobState, SoulseekFile, Track
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.matched import FacadeLookup
from soulsync.store import Store


class SlowAlbums:
    """The real metadata facade, with album searches held back so processing takes a while."""

    def __init__(self, inner: FacadeLookup, delay_s: float) -> None:
        self.inner = inner
        self.delay_s = delay_s

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        return await self.inner.search_tracks(query, limit)

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        await asyncio.sleep(self.delay_s)
        return await self.inner.search_albums(query, limit)

    async def get_album(self, album_id: str) -> Album:
        return await self.inner.get_album(album_id)


async def _wait_state(
    service: DownloadService, job_id: int, state: JobState, within_s: float = 10
) -> None:
    deadline = time.monotonic() + within_s
    while service.get(job_id).state is not state:
        assert time.monotonic() < deadline, f"job never reached {state}: {service.get(job_id)}"
        await asyncio.sleep(0.01)


@pytest.fixture()
def idle_service(
    store: Store,
    slskd_client: SlskdClient,
    metadata: FacadeLookup,
    bus: EventBus,
    settings: Settings,
) -> DownloadService:
    """A service whose workers are not running (jobs stay queued)."""
    return DownloadService(
        store, SlskdPort(slskd_client), metadata, bus, settings, queue=FAST_QUEUE
    )


@pytest.fixture()
async def slow_processing_service(
    store: Store,
    slskd_client: SlskdClient,
    metadata: FacadeLookup,
    bus: EventBus,
    settings: Settings,
) -> AsyncIterator[DownloadService]:
    """A running service whose metadata lookups take 1.5 s each."""
    svc = DownloadService(
        store, SlskdPort(slskd_client), SlowAlbums(metadata, 1.5), bus, settings, queue=FAST_QUEUE
    )
    await svc.start()
    yield svc
    await svc.stop()


async def test_cancel_queued(
    idle_service: DownloadService,
    sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    share = find_share("flacfan", "Discovery [FLAC]\\02. Aerodynamic")
    job_id = await idle_service.enqueue_plain(share_file(share))
    job = await idle_service.cancel(job_id)
    assert job.state is JobState.CANCELLED
    await idle_service.start()
    try:
        await asyncio.sleep(0.3)
        assert idle_service.get(job_id).state is JobState.CANCELLED
        assert sim.transfer_list() == []
    finally:
        await idle_service.stop()
    with pytest.raises(ValueError, match="already cancelled"):
        await idle_service.cancel(job_id)


async def test_cancel_searching(service: DownloadService, sim: SlskdSimulator) -> None:
    sim.search_duration_s = 1.5
    wanted = Track("Hello", ("Adele",), album="25", duration_ms=295_000)
    job_id = await service.enqueue_playlist_track(wanted)
    await _wait_state(service, job_id, JobState.SEARCHING)
    job = await service.cancel(job_id)
    assert job.state is JobState.CANCELLED
    await asyncio.sleep(2.0)
    assert service.get(job_id).state is JobState.CANCELLED
    assert sim.transfer_list() == []


@pytest.mark.parametrize("matched", [False, True], ids=["plain", "matched"])
async def test_cancel_downloading(
    service: DownloadService,
    sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
    matched: bool,
) -> None:
    sim.set_peer("flacfan", transfer_speed=400)  # ~20 KB/s real at time_scale 50: seconds
    share = find_share("flacfan", "Discovery [FLAC]\\01. One More Time")
    file = share_file(share)
    job_id = await (
        service.enqueue_matched_track(file, Artist("Daft Punk"))
        if matched
        else service.enqueue_plain(file)
    )
    deadline = time.monotonic() + 10
    while service.get(job_id).bytes_done == 0:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    job = await service.cancel(job_id)
    assert job.state is JobState.CANCELLED
    # slskd cancels asynchronously and removes only finished transfers: the queue
    # cancels, waits for "Completed, Cancelled", then removes (issue 13 item 5).
    deadline = time.monotonic() + 5
    transfers = sim.transfer_list()
    while not (transfers and transfers[0].removed) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        transfers = sim.transfer_list()
    assert len(transfers) == 1
    assert transfers[0].state == "Completed, Cancelled" and transfers[0].removed
    assert tree(service.settings.downloads_dir) == set()
    assert tree(service.settings.transfer_dir) == set()


async def test_cancel_processing_keeps_the_original(
    slow_processing_service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    service = slow_processing_service
    share = find_share("flacfan", "Discovery [FLAC]\\03. Digital Love")
    job_id = await service.enqueue_matched_track(share_file(share), Artist("Daft Punk"))
    await _wait_state(service, job_id, JobState.PROCESSING, within_s=15)
    job = await service.cancel(job_id)
    assert job.state is JobState.CANCELLED
    await asyncio.sleep(2.0)
    job = service.get(job_id)
    assert job.state is JobState.CANCELLED
    assert exists(job.local_path)
    assert tree(service.settings.transfer_dir) == set()
    # A cancelled job can be retried: it continues from the downloaded file.
    await service.retry(job_id)
    job = await service.wait_job(job_id, within_s=20)
    assert job.state is JobState.COMPLETED, job.error
    assert exists(job.destination) and not exists(job.local_path)
