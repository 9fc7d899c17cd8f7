"""A track nobody shares: wishlisted with the reason and queries, not searched in its
cool-down, corrected by hand (new search, ranked candidates with reasons, pick one)."""

from __future__ import annotations

import asyncio

import pytest

from soulsync.sandbox.catalogue import AudioSpec, SharedFile, build_catalogue
from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.wishlist.scheduler import WishlistScheduler
from soulsync.services.wishlist.service import NeedsConfirmation, WishlistError

EDIT_KEY = "get-lucky-edit/Get Lucky - Radio Edit"
ODD_NAME = "@@flacfan\\Music\\Daft Punk\\Singles\\Daft Punk - Get Lucky (short one).flac"


async def _rare_playlist(sandbox) -> str:  # type: ignore[no-untyped-def]
    pid = sandbox.spotify_sim.add_playlist("Rare", [EDIT_KEY, "discovery/One More Time"])
    return f"spotify:{pid}"


def _share_oddly_named_edit(sandbox) -> None:  # type: ignore[no-untyped-def]
    """One peer has the radio edit, under a name the query ladder cannot find."""
    track = build_catalogue().tracks[EDIT_KEY]
    seconds = round(track.duration_ms / 1000)
    sandbox.slskd_sim.add_share(
        SharedFile(
            username="flacfan",
            filename=ODD_NAME,
            track_key=EDIT_KEY,
            audio=AudioSpec(fmt="flac", duration_ms=track.duration_ms, frequency=523, bit_depth=16),
            bit_rate=None,
            sample_rate=44100,
            bit_depth=16,
            is_variable_bit_rate=None,
            length=seconds,
        )
    )


async def test_unshared_track_goes_to_wishlist_and_manual_correction_fetches_it(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = await _rare_playlist(sandbox)
    _share_oddly_named_edit(sandbox)
    first = await sandbox.run(ref, download_missing=True)
    assert first.state is RunState.COMPLETED
    assert (first.owned, first.wishlisted, first.downloaded) == (1, 1, 0)
    [entry] = sandbox.sync.wishlist.entries()
    assert entry.track.title == "Get Lucky - Radio Edit"
    assert entry.reason.startswith("no acceptable candidate")
    assert entry.queries and all("get lucky" in q for q in entry.queries)
    assert entry.attempts == 1 and entry.in_cooldown()
    assert "Get Lucky - Radio Edit" in (first.message or "")  # listed, with why

    # In cool-down: the next sync does not search for it again.
    searches = sandbox.slskd_sim.counters.searches_posted
    second = await sandbox.run(ref, download_missing=True)
    assert second.wishlisted == 1 and sandbox.slskd_sim.counters.searches_posted == searches
    row = next(r for r in sandbox.sync.sync_store.run_tracks(second.id) if r.position == 0)
    assert row.status is TrackStatus.WISHLISTED and "in the wishlist until" in (row.reason or "")

    # Manual correction: a new search with the user's own words, ranked with reasons.
    found = await sandbox.sync.wishlist.candidates(entry.id, query="daft punk get lucky")
    assert found, "the original Get Lucky is shared by several peers"
    assert all(c.reasons for c in found)
    assert "daft punk get lucky" in sandbox.sync.wishlist.get(entry.id).queries
    names = [c.file.filename for c in found]
    assert ODD_NAME in names
    odd = found[names.index(ODD_NAME)]
    # The right length ranks it above the full-length album versions.
    assert odd.score >= max(c.score for c in found)
    with pytest.raises(WishlistError):
        await sandbox.sync.wishlist.pick(entry.id, index=len(found))
    job_id = await sandbox.sync.wishlist.pick(entry.id, username="flacfan", filename=ODD_NAME)
    assert sandbox.sync.wishlist.get(entry.id).state == "queued"
    async with asyncio.timeout(60):
        job = await sandbox.queue.wait_job(job_id)
    assert job.destination is not None
    await sandbox.sync.wishlist.reconcile()
    assert sandbox.sync.wishlist.get(entry.id).state == "resolved"

    # The next sync does not search again: it has the library scan the file it
    # fetched, then puts it in the playlist.
    searches = sandbox.slskd_sim.counters.searches_posted
    third = await sandbox.run(ref, download_missing=True)
    assert sandbox.slskd_sim.counters.searches_posted == searches
    assert (third.owned, third.downloaded, third.wishlisted) == (1, 1, 0) and third.playlist_synced
    row = next(r for r in sandbox.sync.sync_store.run_tracks(third.id) if r.position == 0)
    assert row.library_path == job.destination
    assert await sandbox.plex_titles(third.server_playlist_id) == [
        "Get Lucky - Radio Edit",
        "One More Time",
    ]


async def test_ignore_and_scheduled_retry(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = await _rare_playlist(sandbox)
    await sandbox.run(ref, download_missing=True)
    [entry] = sandbox.sync.wishlist.entries()
    wl = sandbox.sync.wishlist
    # A scheduled pass retries only due entries: this one is still cooling down.
    scheduler = WishlistScheduler(wl, interval_s=3600)
    assert await scheduler.run_once() == []
    # Retrying by hand queues it again (and it fails again, with the reason kept).
    [job_id] = await wl.retry(entry.id)
    async with asyncio.timeout(60):
        await sandbox.queue.wait_job(job_id)
    await wl.reconcile()
    again = wl.get(entry.id)
    assert (
        again.state == "waiting"
        and again.attempts == 2
        and again.reason.startswith("no acceptable")
    )
    # Once due, the scheduler picks it up; an ignored entry is never retried.
    wl._update(entry.id, next_retry_at=0)  # due now
    wl.ignore(entry.id)
    assert await scheduler.run_once() == []
    run = await sandbox.run(ref, download_missing=True)
    row = next(r for r in sandbox.sync.sync_store.run_tracks(run.id) if r.position == 0)
    assert row.status is TrackStatus.SKIPPED
    wl.ignore(entry.id, False)
    assert len(await scheduler.run_once()) == 1
    assert wl.get(entry.id).state == "queued"
    # start/stop API for the app.
    scheduler.start(first_delay_s=3600)
    assert scheduler.running and scheduler.next_run_at is not None
    await scheduler.stop()
    assert not scheduler.running


async def _wait_state(sandbox, entry_id: int, state: str, within_s: float = 60) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(within_s * 10)):
        if sandbox.sync.wishlist.get(entry_id).state == state:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"entry {entry_id} is {sandbox.sync.wishlist.get(entry_id).state}")


async def test_a_rejected_pick_needs_confirmation_then_passes_with_its_length(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = await _rare_playlist(sandbox)
    first = await sandbox.run(ref, download_missing=True)
    assert first.wishlisted == 1
    [entry] = sandbox.sync.wishlist.entries()
    found = await sandbox.sync.wishlist.candidates(entry.id, query="daft punk get lucky")
    reliable = ("flacfan", "mp3hoarder", "hires_hoarder", "favs_collector", "scene_ripper")
    rejected = [
        i
        for i, c in enumerate(found)
        if not c.accepted and c.file.username in reliable and any("length" in r for r in c.reasons)
    ]
    assert rejected, [(c.file.filename, c.accepted, c.reasons) for c in found]
    index = rejected[0]
    with pytest.raises(NeedsConfirmation, match="confirm"):
        await sandbox.sync.wishlist.pick(entry.id, index=index)
    assert sandbox.sync.wishlist.get(entry.id).state == "waiting"
    job_id = await sandbox.sync.wishlist.pick(entry.id, index=index, confirmed=True)
    async with asyncio.timeout(60):
        job = await sandbox.queue.wait_job(job_id)
    # Verified against the length the user accepted, not the wanted track's.
    assert job.destination is not None, job.error
    # The entry follows its job at once: no scheduled pass or manual reconcile.
    await _wait_state(sandbox, entry.id, "resolved", 10)


async def test_an_entry_whose_picked_download_fails_is_waiting_again_at_once(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = await _rare_playlist(sandbox)
    await sandbox.run(ref, download_missing=True)
    [entry] = sandbox.sync.wishlist.entries()
    _share_oddly_named_edit(sandbox)
    found = await sandbox.sync.wishlist.candidates(entry.id, query="daft punk get lucky")
    pick = next(i for i, c in enumerate(found) if c.accepted)
    # The peer goes offline between the search and the download.
    sandbox.slskd_sim.set_peer(found[pick].file.username, behaviour="offline")
    job_id = await sandbox.sync.wishlist.pick(entry.id, index=pick)
    async with asyncio.timeout(60):
        job = await sandbox.queue.wait_job(job_id)
    assert job.state.value == "failed"
    await _wait_state(sandbox, entry.id, "waiting", 10)
    after = sandbox.sync.wishlist.get(entry.id)
    assert after.job_id is None and after.reason
