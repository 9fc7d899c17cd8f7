"""Playlists through the Spotify client against the simulator: paging, 403, cache, snapshots."""

from __future__ import annotations

from soulsync.domain import Source
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_map import UNREADABLE_REASON
from soulsync.sandbox.spotify import SpotifySimulator


def items_requests(sim: SpotifySimulator, playlist_id: str) -> list[dict[str, str]]:
    return [q for path, q in sim.request_log if path == f"/v1/playlists/{playlist_id}/items"]


async def test_list_playlists_marks_followed_as_not_readable(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    playlists = await spotify.list_playlists()
    by_name = {p.name: p for p in playlists}
    assert set(by_name) == {p.name for p in spotify_sim.playlists.values()}
    assert by_name["Road Trip"].readable and by_name["Road Trip"].total == 30
    assert by_name["Chill Evening"].readable  # collaborative
    top = by_name["Today's Top Hits"]
    assert not top.readable
    assert top.unreadable_reason == UNREADABLE_REASON
    assert all(p.source is Source.SPOTIFY and p.snapshot_id for p in playlists)


async def test_followed_playlist_403_becomes_unreadable(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.playlist_id("top-hits")
    # /me is not cached yet, so the client cannot predict the 403 and meets it.
    playlist = await spotify.get_playlist(pid)
    assert not playlist.readable
    assert "Development Mode" in (playlist.unreadable_reason or "")
    assert playlist.entries == ()
    assert playlist.total == 3
    assert spotify_sim.requests[f"/v1/playlists/{pid}/items"] == 1
    # Once /me is known the client skips the doomed /items call entirely.
    await spotify.me()
    spotify_sim.reset_counters()
    again = await spotify.get_playlist(pid)
    assert not again.readable
    assert spotify_sim.requests[f"/v1/playlists/{pid}/items"] == 0
    assert spotify_sim.api_requests == 1


async def test_pagination_with_limit_50(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.add_playlist("Long", size=123)
    playlist = await spotify.get_playlist(pid)
    assert playlist.total == 123 and len(playlist.entries) == 123
    pages = items_requests(spotify_sim, pid)
    assert [q["limit"] for q in pages] == ["50", "50", "50"]
    assert [q["offset"] for q in pages] == ["0", "50", "100"]
    expected = [
        spotify_sim.catalogue.tracks[i.track_key].spotify_id
        for i in spotify_sim.playlists[pid].items
    ]  # type: ignore[index]
    assert [e.track.ids["spotify"] for e in playlist.entries if e.track] == expected
    assert [e.position for e in playlist.entries] == list(range(123))


async def test_local_and_unavailable_entries_are_reported(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    playlist = await spotify.get_playlist(spotify_sim.playlist_id("evening"))
    assert len(playlist.entries) == 10
    local = [e for e in playlist.entries if e.is_local]
    assert len(local) == 1 and local[0].track is None and local[0].position == 3
    assert "My Demo Tape" in (local[0].unavailable_reason or "")
    unavailable = [e for e in playlist.entries if e.unavailable_reason and not e.is_local]
    assert len(unavailable) == 1
    assert unavailable[0].track is not None and unavailable[0].track.title == "Кукушка"
    assert "market" in (unavailable[0].unavailable_reason or "")
    assert len(playlist.tracks) == 9


async def test_track_fields_are_mapped(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    playlist = await spotify.get_playlist(spotify_sim.playlist_id("road-trip"))
    first = playlist.entries[0].track
    assert first is not None
    cat = spotify_sim.catalogue.tracks["discovery/One More Time"]
    assert first.title == "One More Time" and first.artists == ("Daft Punk",)
    assert first.album == "Discovery" and first.isrc == cat.isrc
    assert first.duration_ms == cat.duration_ms and first.track_number == cat.track_number
    assert first.ids == {"spotify": cat.spotify_id}
    assert first.cover_url and first.cover_url.startswith(spotify_sim.url)
    assert first.release_date == spotify_sim.catalogue.albums["discovery"].release_date


async def test_unchanged_playlist_costs_one_request(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.playlist_id("road-trip")
    cold = await spotify.get_playlist(pid)
    assert spotify_sim.api_requests == 2  # metadata + one page of 30
    spotify_sim.reset_counters()
    warm = await spotify.get_playlist(pid)
    assert spotify_sim.api_requests == 1
    assert spotify_sim.requests[f"/v1/playlists/{pid}"] == 1
    assert warm == cold
    # With the snapshot from /me/playlists in hand it costs nothing at all.
    spotify_sim.reset_counters()
    again = await spotify.get_playlist(pid, snapshot_id=cold.snapshot_id)
    assert spotify_sim.api_requests == 0
    assert again.entries == cold.entries


async def test_snapshot_change_triggers_a_reread(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.playlist_id("versions")
    before = await spotify.get_playlist(pid)
    new_snapshot = spotify_sim.add_items(pid, ["levels/Levels - Radio Edit"])
    assert new_snapshot != before.snapshot_id
    spotify_sim.reset_counters()
    after = await spotify.get_playlist(pid)
    assert after.snapshot_id == new_snapshot
    assert len(after.entries) == len(before.entries) + 1
    assert (
        after.entries[-1].track is not None
        and after.entries[-1].track.title == "Levels - Radio Edit"
    )
    assert spotify_sim.requests[f"/v1/playlists/{pid}/items"] == 1
    # A move changes the order, and the snapshot, too.
    spotify_sim.move_item(pid, 0, 3)
    moved = await spotify.get_playlist(pid)
    assert moved.entries[3].track == after.entries[0].track


async def test_stale_snapshot_hint_still_reads_fresh(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.playlist_id("rarities")
    first = await spotify.get_playlist(pid)
    spotify_sim.remove_items(pid, [0])
    fresh = await spotify.get_playlist(pid, snapshot_id="no-such-snapshot")
    assert fresh.snapshot_id != first.snapshot_id
    assert len(fresh.entries) == 2


async def test_cooling_down_serves_the_stored_copy(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.playlist_id("road-trip")
    before = await spotify.get_playlist(pid)
    listed = await spotify.list_playlists()
    spotify_sim.quota_remaining = 0
    spotify_sim.reset_counters()
    # The first call meets the quota (one request), then the stored copy answers.
    during = await spotify.get_playlist(pid)
    assert during == before
    assert spotify.cooling_until() is not None
    assert [p.name for p in await spotify.list_playlists()] == [p.name for p in listed]
    assert spotify_sim.api_requests == 1


async def test_someone_elses_collaborative_playlist_is_readable(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.add_playlist(
        "Friends' Mix", ["25/Hello", "ram/Get Lucky"], owner="friend", collaborative=True
    )
    other = spotify_sim.add_playlist("Friend's Private", ["25/Hello"], owner="friend")
    listed = {p.id: p for p in await spotify.list_playlists()}
    assert listed[pid].readable and not listed[other].readable
    playlist = await spotify.get_playlist(pid)
    assert [t.title for t in playlist.tracks] == ["Hello", "Get Lucky"]
    assert playlist.owner == "Friend"
