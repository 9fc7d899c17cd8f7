"""Settings applied without a restart: the download queue moves to the new slskd.

Two slskd simulators over real sockets. A download runs on the first when the
settings are changed to the second: it finishes with the old client (a
transfer is never moved half-way), the next job goes to the new slskd, and
the old client is closed once its job is done.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Iterator

import pytest
from dl_helpers import API_KEY, fast_slskd, find_share

from soulsync.config import Settings
from soulsync.domain import JobState, SoulseekFile
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.services.container import build_services
from soulsync.services.downloads.lease import LEASE_KEY
from soulsync.services.reconfigure import apply_settings
from soulsync.store import Store


@pytest.fixture()
def second_sim(settings: Settings, audio_cache: AudioCache) -> Iterator[SlskdSimulator]:
    """Another slskd, sharing the same catalogue (the one the settings move to)."""
    simulator = fast_slskd(settings, audio_cache)
    yield simulator
    simulator.close()


def _settings(base: Settings, slskd_url: str) -> Settings:
    """Only slskd (no Spotify/Deezer/YouTube): the queue is what is tested here."""
    return Settings(
        paths=base.paths.model_dump(),
        outages=base.outages.model_dump(),
        slskd={"url": slskd_url, "api_key": API_KEY, "min_gap_s": 0.0},
        deezer={"enabled": False},
        youtube={"enabled": False},
    )


async def _until(check: Callable[[], object], what: str, within_s: float = 20.0) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_download_under_way_finishes_on_the_old_slskd_the_next_uses_the_new(
    store: Store,
    settings: Settings,
    sim: SlskdSimulator,
    second_sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    services = build_services(_settings(settings, sim.url), store)
    await services.start(schedule=False)
    try:
        assert services.downloads is not None
        sim.set_peer("flacfan", transfer_speed=400)  # seconds per file at time_scale 50
        under_way = find_share("flacfan", "Discovery [FLAC]\\01. One More Time")
        first_id = await services.downloads.enqueue_plain(share_file(under_way))
        downloads = services.downloads
        await _until(lambda: downloads.get(first_id).bytes_done > 0, "the first transfer")
        old_client = services.slskd
        assert isinstance(old_client, SlskdClient)

        result = await apply_settings(services, _settings(settings, second_sim.url), grace_s=0)

        assert result.applied, result.message
        assert result.finishing_jobs == 1
        assert "1 download under way" in result.message
        assert isinstance(services.slskd, SlskdClient) and services.slskd is not old_client
        assert services.slskd.url == second_sim.url
        assert services.downloads is not downloads
        # The job under way is still followed, and can still be seen as running.
        assert first_id in services.downloads.running_jobs

        following = find_share("flacfan", "Discovery [FLAC]\\02. Aerodynamic")
        second_id = await services.downloads.enqueue_plain(share_file(following))
        job = await services.downloads.wait_job(second_id, within_s=30)
        assert job.state is JobState.COMPLETED, job.error
        assert [t.filename for t in second_sim.transfer_list()] == [following.filename]

        sim.set_peer("flacfan", transfer_speed=10_000_000)
        job = await services.downloads.wait_job(first_id, within_s=30)
        assert job.state is JobState.COMPLETED, job.error
        assert [t.filename for t in sim.transfer_list()] == [under_way.filename]
        # Done with its job, the old client is closed (no leaked connection pool).
        await _until(lambda: old_client._http.is_closed, "the old client to close")
        assert not services.slskd._http.is_closed
    finally:
        await services.aclose()
    assert services.slskd._http.is_closed


async def test_a_download_under_way_can_be_cancelled_after_the_settings_changed(
    store: Store,
    settings: Settings,
    sim: SlskdSimulator,
    second_sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    services = build_services(_settings(settings, sim.url), store)
    await services.start(schedule=False)
    try:
        assert services.downloads is not None
        sim.set_peer("flacfan", transfer_speed=400)
        share = find_share("flacfan", "Discovery [FLAC]\\01. One More Time")
        job_id = await services.downloads.enqueue_plain(share_file(share))
        downloads = services.downloads
        await _until(lambda: downloads.get(job_id).bytes_done > 0, "the transfer")
        old_client = services.slskd
        assert isinstance(old_client, SlskdClient)
        await apply_settings(services, _settings(settings, second_sim.url), grace_s=0)
        assert services.downloads is not None

        job = await services.downloads.cancel(job_id)

        assert job.state is JobState.CANCELLED
        # Cancelled in the slskd that runs it (through the old client), then closed.
        await _until(
            lambda: [t.state for t in sim.transfer_list()] == ["Completed, Cancelled"],
            "the transfer to be cancelled in the first slskd",
        )
        await _until(lambda: old_client._http.is_closed, "the old client to close")
        assert second_sim.transfer_list() == []
    finally:
        await services.aclose()


async def test_settings_applied_to_services_not_started_only_rebuild_them(
    store: Store, settings: Settings, sim: SlskdSimulator, second_sim: SlskdSimulator
) -> None:
    services = build_services(_settings(settings, sim.url), store)
    old_client = services.slskd
    assert isinstance(old_client, SlskdClient)
    result = await apply_settings(services, _settings(settings, second_sim.url))
    assert result.applied and result.message == "applied"
    assert isinstance(services.slskd, SlskdClient) and services.slskd.url == second_sim.url
    assert old_client._http.is_closed
    assert services.downloads is not None and not services.downloads.running
    await services.aclose()


async def test_two_saves_at_once_are_applied_one_after_the_other(
    store: Store, settings: Settings, sim: SlskdSimulator, second_sim: SlskdSimulator
) -> None:
    services = build_services(_settings(settings, sim.url), store)
    await services.start(schedule=False)
    try:
        first_queue = services.downloads
        first_client = services.slskd
        assert first_queue is not None and isinstance(first_client, SlskdClient)
        results = await asyncio.gather(
            apply_settings(services, _settings(settings, second_sim.url), grace_s=0),
            apply_settings(services, _settings(settings, sim.url), grace_s=0),
        )
        assert all(r.applied for r in results)
        # Applied in order: the second save is the one in force, one queue runs.
        assert isinstance(services.slskd, SlskdClient) and services.slskd.url == sim.url
        assert services.downloads is not None and services.downloads.running
        assert not first_queue.running
        await _until(lambda: first_client._http.is_closed, "the first client to close")
        job = await services.downloads.wait_idle(within_s=1)
        assert job == []
    finally:
        await services.aclose()


async def test_when_another_process_works_the_queue_the_rest_still_applies(
    store: Store, settings: Settings, sim: SlskdSimulator
) -> None:
    no_slskd = Settings(
        paths=settings.paths.model_dump(),
        deezer={"enabled": False},
        youtube={"enabled": False},
    )
    services = build_services(no_slskd, store)
    assert services.downloads is None
    await services.start(schedule=False)
    # A live process (this pid, another owner) holds the queue lease, as a CLI sync would.
    store.set_setting(
        LEASE_KEY,
        {
            "owner": "elsewhere",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": "soulsync sync",
            "heartbeat": time.time(),
        },
    )
    try:
        result = await apply_settings(services, _settings(settings, sim.url), grace_s=0)
        assert result.applied
        assert "downloads wait" in result.message and "soulsync sync" in result.message
        assert services.downloads is not None and not services.downloads.running
        # The new sync service was started: it follows the wishlist's jobs.
        follower = services.sync._wishlist_follower
        assert follower is not None and not follower.done()
    finally:
        await services.aclose()
