"""A scheduled sync fires after a restart, mirroring a playlist file onto the Jellyfin simulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from soulsync.config_outage import OutageSettings
from soulsync.domain import Source
from soulsync.providers.jellyfin import JellyfinMediaServer
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.library_seed import library_seed_tracks, seed_library
from soulsync.sandbox.media import AudioCache
from soulsync.services.automation.notify import WebhookNotifier
from soulsync.services.automation.relay import SyncNotificationRelay
from soulsync.services.automation.scheduler import AutomationScheduler
from soulsync.services.automation.schedules import ScheduleStore
from soulsync.services.events import EventBus
from soulsync.services.sync.run import SyncOptions
from soulsync.services.sync.service import SyncService
from soulsync.store import Store

if TYPE_CHECKING:
    from tests.integration.automation.conftest import Receiver

FAST = SyncOptions(
    poll_interval_s=0.05,
    scan_wait_s=5.0,
    scan_retrigger_s=2.0,
    outages=OutageSettings(max_wait_min=5 / 60, first_retry_s=0.1, max_retry_s=0.5),
    server_retry_s=0.1,
    wishlist_interval_s=0,
    library_ttl_s=0.0,
)
TITLES = ["September", "Hello", "Something", "Uptown Funk"]


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    return AudioCache()


@pytest.fixture()
def jellyfin(tmp_path: Path, audio_cache: AudioCache) -> Iterator[JellyfinSimulator]:
    library = tmp_path / "Music"
    seed_library(library, cache=audio_cache)
    sim = JellyfinSimulator([library], scan_start_delay_s=0.01, scan_duration_s=0.05)
    sim.start()
    yield sim
    sim.stop()


def _playlist_file(tmp_path: Path) -> Path:
    seeds = {s.title: s for s in library_seed_tracks()}
    path = tmp_path / "road-trip.txt"
    path.write_text("".join(f"{seeds[t].artist} - {t}\n" for t in TITLES), encoding="utf-8")
    return path


def _sync(store: Store, sim: JellyfinSimulator) -> tuple[SyncService, JellyfinMediaServer]:
    server = JellyfinMediaServer(sim.url, api_key=sim.api_key, scan_poll_s=0.05)
    return SyncService(store, sources={}, media_server=server, downloads=None, options=FAST), server


async def test_schedule_fires_after_a_restart(tmp_path: Path, jellyfin: JellyfinSimulator) -> None:
    db = tmp_path / "soulsync.db"
    listing = _playlist_file(tmp_path)

    # First process: follow the playlist (one manual sync) and schedule it hourly.
    store = Store(db)
    sync, server = _sync(store, jellyfin)
    first = await sync.wait(await sync.start_sync(f"file:{listing}"))
    assert first.error is None, first.error
    record = sync.sync_store.find_playlist(Source.FILE, str(listing.resolve()))
    assert record is not None
    two_hours_ago = time.time() - 7200
    schedule = ScheduleStore(store).set(record.id, every_hours=1, now=two_hours_ago)
    assert schedule.next_run_at is not None and schedule.next_run_at < time.time()
    await server.aclose()
    store.close()

    # Someone empties the Jellyfin playlist while SoulSync is down.
    (playlist_id,) = list(jellyfin.playlists)
    jellyfin.playlists[playlist_id].keys.clear()

    # Second process: nothing but the database says the schedule is due.
    store = Store(db)
    sync, server = _sync(store, jellyfin)
    scheduler = AutomationScheduler(store, sync, tick_s=0.05, jitter_s=60, pause_s=0)
    scheduler.start()
    try:
        async with asyncio.timeout(30):
            while True:
                current = ScheduleStore(store).get(record.id)
                if current is not None and current.last_run_id is not None:
                    break
                await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
    after = ScheduleStore(store).get(record.id)
    assert after is not None and after.last_error is None, after
    run = sync.sync_store.get_run(str(after.last_run_id))
    assert run is not None and run.state.value == "completed"
    # The next run is one period after the missed slot's run, never in the past, jittered.
    assert after.next_run_at is not None
    assert time.time() < after.next_run_at <= time.time() + 3600 + 60
    assert scheduler.runs_started == 1
    titles = {t.id: t.title for t in await server.all_tracks()}
    remote = await server.get_playlist(playlist_id)
    assert remote is not None and [titles[i] for i in remote.item_ids] == TITLES
    kinds = [a["kind"] for a in store.recent_activity(20)]
    assert "schedule.ran" in kinds
    # A second tick right away runs nothing: the schedule is not due.
    assert await scheduler.tick() == []
    await server.aclose()
    store.close()


async def test_due_schedules_run_one_at_a_time(tmp_path: Path, jellyfin: JellyfinSimulator) -> None:
    store = Store(tmp_path / "db.sqlite")
    sync, server = _sync(store, jellyfin)
    ids = []
    for n in range(3):
        listing = tmp_path / f"list{n}.txt"
        seeds = library_seed_tracks()[n : n + 2]
        listing.write_text("".join(f"{s.artist} - {s.title}\n" for s in seeds), encoding="utf-8")
        await sync.wait(await sync.start_sync(f"file:{listing}"))
        record = sync.sync_store.find_playlist(Source.FILE, str(listing.resolve()))
        assert record is not None
        ScheduleStore(store).set(record.id, daily_at="03:00", now=time.time() - 2 * 86400)
        ids.append(record.id)
    scheduler = AutomationScheduler(store, sync, tick_s=1, jitter_s=0, pause_s=0)
    running: list[int] = []
    overlap: list[bool] = []
    original = sync.start_sync

    async def counting(ref: str, **kwargs: object) -> str:
        overlap.append(bool(sync._tasks))  # another run still going?
        running.append(1)
        return await original(ref, **kwargs)  # type: ignore[arg-type]

    sync.start_sync = counting  # type: ignore[method-assign]
    started = await scheduler.tick()
    assert len(started) == 3 and len(running) == 3
    assert overlap == [False, False, False]
    for playlist_id in ids:
        schedule = ScheduleStore(store).get(playlist_id)
        assert schedule is not None and schedule.next_run_at is not None
        assert time.localtime(schedule.next_run_at).tm_hour == 3
    await server.aclose()
    store.close()


async def test_finished_sync_is_announced_once_by_webhook(
    tmp_path: Path, jellyfin: JellyfinSimulator, receiver: Receiver
) -> None:
    store = Store(tmp_path / "db.sqlite")
    bus = EventBus()
    server = JellyfinMediaServer(jellyfin.url, api_key=jellyfin.api_key, scan_poll_s=0.05)
    sync = SyncService(
        store, sources={}, media_server=server, downloads=None, bus=bus, options=FAST
    )
    notifier = WebhookNotifier(receiver.url)
    relay = SyncNotificationRelay(bus, sync.sync_store, notifier.notify)
    relay.start()
    await asyncio.sleep(0.05)  # subscribed before the run starts
    listing = _playlist_file(tmp_path)
    run = await sync.wait(await sync.start_sync(f"file:{listing}"))
    async with asyncio.timeout(10):
        while True:
            if notifier.deliveries:
                break
            await asyncio.sleep(0.02)
    await relay.stop()
    (body,) = receiver.bodies
    assert body["event"] == "sync.finished"
    assert body["data"]["run_id"] == run.id and body["data"]["owned"] == len(TITLES)
    assert "road-trip" in body["title"]
    await server.aclose()
    store.close()
