"""Upstream edits are mirrored; remixes, live versions and originals stay distinct."""

from __future__ import annotations

from soulsync.services.sync.models import RunState, SyncMode, TrackStatus


async def test_moved_removed_and_added_upstream_are_mirrored_with_one_download(
    sandbox, spotify_titles
) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    assert first.state is RunState.COMPLETED
    pid = sandbox.spotify_sim.playlist_id("road-trip")
    sandbox.spotify_sim.move_item(pid, 0, 7)  # "One More Time" moves down
    sandbox.spotify_sim.remove_items(pid, [2])  # one removed
    sandbox.spotify_sim.add_items(pid, ["rumours/The Chain"], position=4)  # one added
    jobs_before = len(sandbox.queue.history(limit=1000))

    second = await sandbox.run(ref, download_missing=True)
    assert second.state is RunState.COMPLETED, second.error
    assert second.total == 30 and second.downloaded == 1
    assert len(sandbox.queue.history(limit=1000)) == jobs_before + 1
    assert second.server_playlist_id == first.server_playlist_id  # same playlist, found by id
    wished = {e.track.title for e in sandbox.sync.wishlist.entries()}
    upstream = spotify_titles(sandbox.spotify_sim, pid)
    assert "The Chain" in upstream and upstream[7] == "One More Time"
    assert await sandbox.plex_titles(second.server_playlist_id) == [
        t for t in upstream if t not in wished
    ]
    assert second.playlist_synced
    rows = sandbox.sync.sync_store.run_tracks(second.id)
    assert [r.title for r in rows if r.status is TrackStatus.DOWNLOADED] == ["The Chain"]


async def test_append_only_mode_keeps_removed_tracks_and_adds_new_at_the_end(
    sandbox, spotify_titles
) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    before = await sandbox.plex_titles(first.server_playlist_id)
    pid = sandbox.spotify_sim.playlist_id("road-trip")
    sandbox.spotify_sim.remove_items(pid, [0])
    sandbox.spotify_sim.add_items(pid, ["rumours/The Chain"], position=0)
    sandbox.sync.select(ref, selected=True, mode=SyncMode.APPEND)
    second = await sandbox.run(ref, download_missing=True)
    assert second.mode.value == "append" and second.playlist_synced
    assert await sandbox.plex_titles(second.server_playlist_id) == [*before, "The Chain"]


async def test_remix_live_rerecording_and_original_are_kept_distinct(sandbox) -> None:  # type: ignore[no-untyped-def]
    run = await sandbox.run(sandbox.ref("versions"), download_missing=True)
    assert run.state is RunState.COMPLETED
    rows = sandbox.sync.sync_store.run_tracks(run.id)
    by_title = {r.title: r for r in rows}
    # The originals were owned; their other versions were not mistaken for them.
    assert by_title["Blinding Lights"].status is TrackStatus.OWNED
    assert by_title["Bohemian Rhapsody"].status is TrackStatus.OWNED
    for title in (
        "Blinding Lights - Chromatics Remix",
        "Bohemian Rhapsody - Live",
        "Hello - Live at the Church Studios",
    ):
        assert by_title[title].status is TrackStatus.DOWNLOADED, (title, by_title[title].reason)
    placed = [r for r in rows if r.status.is_owned]
    paths = [r.library_path for r in placed]
    assert len(set(paths)) == len(paths)  # each version is its own file
    assert (
        by_title["Blinding Lights"].library_path
        != by_title["Blinding Lights - Chromatics Remix"].library_path
    )
    titles = await sandbox.plex_titles(run.server_playlist_id)
    assert titles == [r.title for r in rows if r.status.is_owned]
    assert "Blinding Lights" in titles and "Blinding Lights - Chromatics Remix" in titles


async def test_a_track_twice_in_a_playlist_is_fetched_once_and_placed_twice(sandbox) -> None:  # type: ignore[no-untyped-def]
    pid = sandbox.spotify_sim.add_playlist(
        "Twice", ["discovery/Digital Love", "25/Hello", "discovery/Digital Love"]
    )
    jobs_before = len(sandbox.queue.history(limit=1000))
    run = await sandbox.run(f"spotify:{pid}", download_missing=True)
    assert run.state is RunState.COMPLETED
    assert (run.owned, run.downloaded) == (1, 2)
    assert len(sandbox.queue.history(limit=1000)) == jobs_before + 1
    assert await sandbox.plex_titles(run.server_playlist_id) == [
        "Digital Love",
        "Hello",
        "Digital Love",
    ]
    assert run.playlist_synced
