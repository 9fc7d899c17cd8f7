"""Wishlist bookkeeping on a real database and real (not started) download queue rows.

The download workers are not running: job outcomes are written to the job rows
the way the workers write them (compare-and-set transitions), and the wishlist
reconciles from those rows.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from soulsync.config import Settings
from soulsync.domain import JobState, Track
from soulsync.providers.slskd import SlskdClient
from soulsync.services.downloads.jobs_store import ACTIVE_STATES
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.ports import JobOutcome
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.services.wishlist.scheduler import WishlistScheduler
from soulsync.services.wishlist.service import WishlistError, WishlistService
from soulsync.store import Store

SONG = Track("Song", ("Artist",), album="Album", isrc="QZAA00000009", ids={"spotify": "s9"})
OTHER = Track("Other", ("Artist",), ids={"spotify": "s10"})


@pytest.fixture()
async def queue(store: Store, tmp_path: Path) -> AsyncIterator[DownloadService]:
    """A download queue that is never started (nothing talks to slskd)."""
    settings = Settings(paths={"data_dir": tmp_path / "data"})
    client = SlskdClient("http://127.0.0.1:9", "unused-key-0123456789")
    yield DownloadService(store, SlskdPort(client), None, EventBus(), settings)
    await client.aclose()


@pytest.fixture()
def wishlist(store: Store, queue: DownloadService) -> WishlistService:
    """The wishlist over that queue, with a one-hour cool-down."""
    return WishlistService(store, QueueDownloads(queue), EventBus(), cooldown_s=3600)


def test_add_refreshes_one_entry_and_merges_queries(wishlist: WishlistService) -> None:
    first = wishlist.add(
        SONG, "no acceptable candidate", queries=["a b", "b"], playlist_ref="spotify:p"
    )
    assert first.attempts == 1 and first.in_cooldown()
    assert first.next_retry_at is not None and first.next_retry_at > time.time() + 3500
    # The same recording from Deezer (same ISRC) is the same entry.
    same = Track("Song", ("Artist",), isrc="qzaa00000009", ids={"deezer": "d1"})
    again = wishlist.add(same, "every download failed", queries=["b", "c"])
    assert again.id == first.id and again.attempts == 2
    assert again.queries == ("a b", "b", "c") and again.reason == "every download failed"
    assert again.playlist_ref == "spotify:p"
    assert [e.id for e in wishlist.entries()] == [first.id]
    assert wishlist.counts()["waiting"] == 1


def test_ignore_unignore_remove_and_unknown_ids(wishlist: WishlistService) -> None:
    entry = wishlist.add(SONG, "x")
    assert wishlist.ignore(entry.id).ignored
    assert wishlist.entries(include_ignored=False) == []
    assert wishlist.counts()["ignored"] == 1
    assert not wishlist.ignore(entry.id, False).ignored
    wishlist.remove(entry.id)
    with pytest.raises(WishlistError, match="no wishlist entry with id"):
        wishlist.get(entry.id)


def test_due_lists_only_waiting_unignored_entries_past_their_time(
    wishlist: WishlistService,
) -> None:
    cooling = wishlist.add(SONG, "x")
    fresh = wishlist.add(OTHER, "never tried", attempted=False)
    assert [e.id for e in wishlist.due()] == [fresh.id]
    assert [e.id for e in wishlist.due(now=time.time() + 7200)] == [fresh.id, cooling.id]
    wishlist.ignore(fresh.id)
    assert [e.id for e in wishlist.due(now=time.time() + 7200)] == [cooling.id]


async def test_retry_queues_a_job_and_reconcile_follows_its_outcome(
    wishlist: WishlistService, queue: DownloadService, store: Store
) -> None:
    entry = wishlist.add(SONG, "no acceptable candidate", queries=["artist song"])
    [job_id] = await wishlist.retry(entry.id)
    queued = wishlist.get(entry.id)
    assert queued.state == "queued" and queued.job_id == job_id and queued.attempts == 2
    assert queued.in_cooldown()  # a queued entry is never searched for by a sync
    with pytest.raises(WishlistError, match="already being downloaded"):
        await wishlist.retry(entry.id)
    job = queue.get(job_id)
    assert job.wanted == SONG and job.state is JobState.QUEUED

    # Still running: nothing changes.
    assert await wishlist.reconcile() == 0
    # The worker finds nothing: back to waiting, with the job's reason and a new cool-down.
    queue.jobs.transition(
        job_id,
        ACTIVE_STATES,
        JobState.FAILED,
        result="no_candidate",
        error="no acceptable candidate (3 files seen)",
    )
    report = queue_report(wishlist, job_id)
    assert report.outcome is JobOutcome.NO_CANDIDATE and report.queries
    assert await wishlist.reconcile() == 1
    waiting = wishlist.get(entry.id)
    assert waiting.state == "waiting" and waiting.reason == "no acceptable candidate (3 files seen)"
    assert set(report.queries) <= set(waiting.queries)

    # Next time it is filed: resolved, and remembered as owned at that path.
    [job2] = await wishlist.retry(entry.id)
    queue.jobs.transition(
        job2,
        ACTIVE_STATES,
        JobState.COMPLETED,
        result="organised",
        destination="/music/A/A - Album/01 Song.flac",
    )
    await wishlist.reconcile()
    assert wishlist.get(entry.id).state == "resolved"
    assert wishlist.entries() == []  # resolved entries are history
    [memory] = SyncStore(store).decisions_for([SONG])["spotify:s9"]
    assert (
        memory.kind is DecisionKind.OWNED
        and memory.library_path == "/music/A/A - Album/01 Song.flac"
    )


def queue_report(wishlist: WishlistService, job_id: int):  # type: ignore[no-untyped-def]
    assert wishlist.downloads is not None
    report = wishlist.downloads.report(job_id)
    assert report is not None
    return report


async def test_retry_all_is_bounded_and_skips_ignored(store: Store, queue: DownloadService) -> None:
    wishlist = WishlistService(store, QueueDownloads(queue), None, cooldown_s=3600, max_per_pass=2)
    tracks = [Track(f"T{i}", ("A",), ids={"spotify": f"t{i}"}) for i in range(4)]
    entries = [wishlist.add(t, "x") for t in tracks]
    wishlist.ignore(entries[0].id)
    jobs = await wishlist.retry()
    assert len(jobs) == 2
    assert [wishlist.get(e.id).state for e in entries] == ["waiting", "queued", "queued", "waiting"]
    with pytest.raises(WishlistError, match="ignored"):
        await wishlist.retry(entries[0].id)


async def test_pick_needs_a_recent_search(wishlist: WishlistService) -> None:
    entry = wishlist.add(SONG, "x")
    with pytest.raises(WishlistError, match="search for candidates first"):
        await wishlist.pick(entry.id, index=0)


async def test_without_a_download_source_the_list_still_works(store: Store) -> None:
    wishlist = WishlistService(store, None)
    entry = wishlist.add(SONG, "x")
    assert wishlist.ignore(entry.id).ignored
    with pytest.raises(WishlistError, match="no download source"):
        await wishlist.retry(entry.id)
    assert await wishlist.reconcile() == 0


async def test_scheduler_start_stop_and_validation(wishlist: WishlistService) -> None:
    with pytest.raises(ValueError):
        WishlistScheduler(wishlist, interval_s=0)
    scheduler = WishlistScheduler(wishlist, interval_s=0.05)
    entry = wishlist.add(SONG, "x", attempted=False)  # due at once
    scheduler.start(first_delay_s=0)
    await _until(lambda: scheduler.passes >= 1)
    assert wishlist.get(entry.id).state == "queued"
    await scheduler.stop()
    assert not scheduler.running and scheduler.last_error is None


async def _until(predicate, within_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    async with asyncio.timeout(within_s):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.01)


def test_same_title_and_credit_without_ids_is_the_same_entry(wishlist: WishlistService) -> None:
    deezer = Track("Song", ("Artist",), ids={"deezer": "1"})  # Deezer playlists have no ISRC
    entry = wishlist.add(deezer, "x")
    spotify = Track("Song", ("Artist",), isrc="QZ1", ids={"spotify": "s"})
    assert wishlist.find(spotify) == entry
    assert wishlist.find(Track("Song", ("Someone Else",), ids={"spotify": "t"})) is None
