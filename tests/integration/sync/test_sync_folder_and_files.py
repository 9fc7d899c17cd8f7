"""Sync with the folder library (no media server) and from a playlist file."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.services.sync.models import RunState, TrackStatus


@pytest.fixture()
def media_kind() -> str:
    """This module syncs into the folder library."""
    return "folder"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def test_folder_library_first_and_second_sync(sandbox, spotify_titles) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    assert first.state is RunState.COMPLETED, first.error
    assert first.media_server == "folder" and first.server_reachable
    assert first.owned == 10 and first.downloaded + first.wishlisted == 20
    assert first.playlist_synced
    # The playlist is an .m3u8 file inside the library, in Spotify order.
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    wished = {e.track.title for e in sandbox.sync.wishlist.entries()}
    assert await sandbox.plex_titles(first.server_playlist_id) == [
        t for t in upstream if t not in wished
    ]
    m3u = sandbox.library_dir / "Playlists" / first.server_playlist_id
    assert _read(m3u).count("\n") >= 29

    searches = sandbox.slskd_sim.counters.searches_posted
    second = await sandbox.run(ref, download_missing=True)
    assert second.owned == first.owned + first.downloaded and second.downloaded == 0
    assert sandbox.slskd_sim.counters.searches_posted == searches


async def test_playlist_file_source_lists_skipped_lines(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "mix.txt"
    listing.write_text(
        "Daft Punk - One More Time\nthis line has no separator\nAdele - Hello\n", encoding="utf-8"
    )
    run = await sandbox.run(f"file:{listing}")
    assert run.state is RunState.COMPLETED, run.error
    assert (run.total, run.owned, run.unavailable) == (3, 2, 1)
    rows = sandbox.sync.sync_store.run_tracks(run.id)
    skipped = [r for r in rows if r.status is TrackStatus.UNAVAILABLE]
    assert len(skipped) == 1 and "line 2" in (skipped[0].reason or "")
    assert await sandbox.plex_titles(run.server_playlist_id) == ["One More Time", "Hello"]
    missing = await sandbox.sync.start_sync(f"file:{tmp_path / 'nope.m3u'}")
    failed = await sandbox.sync.wait(missing)
    assert failed.state is RunState.FAILED and "nope.m3u" in (failed.error or "")
