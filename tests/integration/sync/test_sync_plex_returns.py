"""Plex down when the sync starts and back while it downloads: the same run fills the playlist."""

from __future__ import annotations

from soulsync.services.sync.models import RunState


async def test_plex_back_during_the_run_is_synced_by_that_run(sandbox, spotify_titles) -> None:  # type: ignore[no-untyped-def]
    sandbox.plex_sim.down = True
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(lambda: sandbox.sync.run(run_id).phase == "downloading")
    assert sandbox.sync.run(run_id).server_reachable is False
    sandbox.plex_sim.down = False  # back while the downloads run
    run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert run.playlist_synced
    # Everything was fetched (the fallback), then matched against the library once Plex was back.
    assert run.owned + run.downloaded + run.wishlisted == 30 and run.failed == 0
    wished = {e.track.title for e in sandbox.sync.wishlist.entries()}
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    assert await sandbox.plex_titles(run.server_playlist_id) == [
        t for t in upstream if t not in wished
    ]
    assert "every track counts as missing" in (run.message or "")
