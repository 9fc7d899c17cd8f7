"""Opening a playlist analyses it (a dry run, cached per snapshot) without mirroring it,
and a real sync asked for during that analysis still runs."""

from __future__ import annotations

from soulsync.services.sync.models import RunState
from soulsync.services.sync.on_open import analyse_on_open, analysis_is_current


async def test_opening_analyses_once_per_snapshot(sandbox) -> None:  # type: ignore[no-untyped-def]
    await sandbox.sync.refresh_playlists()
    ref = sandbox.ref("road-trip")
    assert not analysis_is_current(sandbox.sync, ref)

    run_id = await analyse_on_open(sandbox.sync, ref, wait_s=60)
    assert run_id is not None
    run = sandbox.sync.run(run_id)
    assert run.dry_run and run.state is RunState.COMPLETED
    assert run.owned == 10 and run.missing == 20
    assert not run.playlist_synced  # nothing mirrored on the media server
    statuses = {t["status"] for t in sandbox.sync.playlist_tracks_status(ref)}
    assert statuses == {"owned", "missing"}
    # An analysis is not a sync: the playlist does not say "synced".
    assert sandbox.sync.find_playlist(ref).last_synced_at is None

    # Opening again: the analysis of this snapshot is reused.
    assert analysis_is_current(sandbox.sync, ref)
    assert await analyse_on_open(sandbox.sync, ref, wait_s=60) is None

    # The playlist changes on Spotify: the next opening analyses it again.
    sandbox.spotify_sim.add_items(
        sandbox.spotify_sim.playlist_id("road-trip"), ["discovery/Digital Love"]
    )
    await sandbox.sync.refresh_playlists()
    assert not analysis_is_current(sandbox.sync, ref)
    again = await analyse_on_open(sandbox.sync, ref, wait_s=60)
    assert again is not None and again != run_id
    assert sandbox.sync.run(again).total == 31


async def test_a_sync_asked_for_during_the_analysis_still_runs(sandbox) -> None:  # type: ignore[no-untyped-def]
    await sandbox.sync.refresh_playlists()
    ref = sandbox.ref("versions")
    dry = await sandbox.sync.start_sync(ref, dry_run=True)
    real = await sandbox.sync.start_sync(ref)
    assert real != dry
    assert sandbox.sync.run(dry).state is RunState.COMPLETED
    done = await sandbox.sync.wait(real)
    assert not done.dry_run and done.state is RunState.COMPLETED
    assert done.playlist_synced
    assert sandbox.sync.find_playlist(ref).last_synced_at is not None
