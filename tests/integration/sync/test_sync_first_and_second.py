"""First and second sync of the 30-track "road-trip" playlist (10 owned)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from soulsync.domain import JobState
from soulsync.services.sync.models import RunState, TrackStatus


def _is_file(path: Path) -> bool:
    return path.is_file()


async def test_first_sync_matches_downloads_files_and_mirrors_in_order(
    sandbox, spotify_titles
) -> None:  # type: ignore[no-untyped-def]
    events = []

    async def listen() -> None:
        async for event in sandbox.bus.subscribe(["sync."]):
            events.append(event)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    async with asyncio.timeout(120):
        run = await sandbox.sync.wait(run_id)
    listener.cancel()
    assert run.state is RunState.COMPLETED, (run.error, run.message)
    assert (run.total, run.owned, run.failed, run.missing) == (30, 10, 0, 0)
    # The sandbox peers share all 20 missing tracks: every one is fetched and filed.
    assert (run.downloaded, run.wishlisted) == (20, 0)
    assert sandbox.sync.wishlist.entries() == []
    assert run.playlist_synced and run.in_server_playlist == 30
    assert run.duration_s is not None and run.duration_s > 0

    # Files went to the normal Artist/Artist - Album/ tree (never a playlist folder).
    tracks = sandbox.sync.status(run_id)["tracks"]
    downloaded = [t for t in tracks if t["status"] == "downloaded"]
    assert len(downloaded) == run.downloaded
    for t in downloaded:
        path = Path(t["library_path"])
        assert _is_file(path)
        rel = path.relative_to(sandbox.library_dir)
        assert len(rel.parts) == 3 and rel.parts[1].startswith(rel.parts[0] + " - "), rel
        assert "Road Trip" not in str(rel)

    # The Plex playlist is exactly the Spotify order after the rescan (minus the listed gaps).
    pid = run.server_playlist_id
    assert pid is not None
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    assert await sandbox.plex_titles(pid) == upstream

    # Progress was published per track, and the run's phases were announced.
    track_events = [e for e in events if e.topic == "sync.track" and e.data["run_id"] == run_id]
    assert {e.data["position"] for e in track_events} == set(range(30))
    assert any(e.topic == "sync.progress" for e in events)
    states = [e.data.get("phase") for e in events if e.topic == "sync.state"]
    assert "analysing" in states and "downloading" in states and "scanning" in states
    assert states[-1] == "done"


async def test_second_sync_of_unchanged_playlist_costs_nothing(sandbox) -> None:  # type: ignore[no-untyped-def]
    first = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    async with asyncio.timeout(120):
        done = await sandbox.sync.wait(first)
    assert done.state is RunState.COMPLETED
    jobs_before = len(sandbox.queue.history(limit=1000))
    searches_before = sandbox.slskd_sim.counters.searches_posted
    sandbox.spotify_sim.reset_counters()
    playlist_writes_before = sandbox.plex_sim.count("PUT", "/playlists") + sandbox.plex_sim.count(
        "DELETE", "/playlists"
    )

    second = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    async with asyncio.timeout(60):
        run = await sandbox.sync.wait(second)
    assert run.state is RunState.COMPLETED
    # Owned now = owned + downloaded before; wishlisted ones are in cool-down (no search).
    assert (run.owned, run.downloaded, run.missing) == (done.owned + done.downloaded, 0, 0)
    assert run.wishlisted == done.wishlisted
    assert run.playlist_synced and run.in_server_playlist == run.owned
    assert sandbox.spotify_sim.api_requests <= 1
    assert sandbox.slskd_sim.counters.searches_posted == searches_before
    assert len(sandbox.queue.history(limit=1000)) == jobs_before
    assert not sandbox.queue.jobs.in_states([JobState.QUEUED, JobState.SEARCHING])
    writes_after = sandbox.plex_sim.count("PUT", "/playlists") + sandbox.plex_sim.count(
        "DELETE", "/playlists"
    )
    assert writes_after == playlist_writes_before
    statuses = {t.status for t in sandbox.sync.sync_store.run_tracks(second)}
    assert statuses <= {TrackStatus.OWNED, TrackStatus.WISHLISTED}
