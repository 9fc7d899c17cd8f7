"""The production Plex adapter (through plexapi) against the Plex simulator."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from soulsync.providers.base import AuthError, NotFound, ProviderError, ServiceUnavailable
from soulsync.providers.plex import PlexMediaServer
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator


def _is_file(path: str) -> bool:
    return Path(path).is_file()


async def _keys_by_title(adapter: PlexMediaServer) -> dict[str, str]:
    return {t.title: t.id for t in await adapter.all_tracks()}


async def test_connection_reports_server_and_section(adapter: PlexMediaServer) -> None:
    status = await adapter.test_connection()
    assert status.ok
    assert "SoulSync Sandbox Plex" in status.detail
    assert "'Music'" in status.detail


async def test_all_tracks_maps_every_field_without_per_track_requests(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    plex_sim.reset_counters()
    tracks = await adapter.all_tracks()
    seeds = {s.title: s for s in library_seed_tracks()}
    assert sorted(t.title for t in tracks) == sorted(seeds)
    for track in tracks:
        seed = seeds[track.title]
        assert track.artist == seed.artist
        assert track.album == seed.album
        assert track.album_artist == seed.album_artist
        assert track.track_number == seed.track_number
        assert track.disc_number == seed.disc_number
        assert track.year == seed.year
        assert track.duration_ms is not None and abs(track.duration_ms - seed.duration_ms) < 50
        assert track.path is not None and _is_file(track.path)
        assert track.id.isdigit()
    # Partial objects must not be reloaded one by one (that would be N requests).
    assert plex_sim.count("GET", "/library/metadata") == 0


async def test_all_tracks_pages_past_100(plex_sim: PlexSimulator, plex_token: str) -> None:
    plex_sim.add_synthetic_tracks(437)
    adapter = PlexMediaServer(plex_sim.url, plex_token, page_size=100)
    plex_sim.reset_counters()
    tracks = await adapter.all_tracks()
    assert len(tracks) == 449
    assert len({t.id for t in tracks}) == 449
    starts = [r.container_start for r in plex_sim.log() if r.path.endswith("/all")]
    assert starts == ["0", "100", "200", "300", "400"]
    featured = [t for t in tracks if t.album_artist and t.artist != t.album_artist]
    assert featured, "synthetic bulk has featured artists (originalTitle)"


async def test_search_tracks_by_title(adapter: PlexMediaServer) -> None:
    found = await adapter.search_tracks("blinding")
    assert [t.title for t in found] == ["Blinding Lights"]


async def test_create_playlist_keeps_the_given_order(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    keys = await _keys_by_title(adapter)
    order = ["Something", "Hello", "Uptown Funk", "Hello", "September"]  # a duplicate too
    created = await adapter.create_playlist("Road Trip", [keys[t] for t in order])
    assert created.title == "Road Trip"
    assert list(created.item_ids) == [keys[t] for t in order]
    again = await adapter.get_playlist(created.id)
    assert again == created
    listed = await adapter.list_playlists()
    assert [(p.id, p.title) for p in listed] == [(created.id, "Road Trip")]
    sim_order = [i.rating_key for i in plex_sim.state.playlists[int(created.id)].items]
    assert [str(k) for k in sim_order] == list(created.item_ids)


async def test_create_playlist_larger_than_one_request(
    plex_sim: PlexSimulator, plex_token: str
) -> None:
    plex_sim.add_synthetic_tracks(260)
    adapter = PlexMediaServer(plex_sim.url, plex_token)
    ids = [t.id for t in await adapter.all_tracks()][::-1][:250]
    created = await adapter.create_playlist("Big", ids)
    assert list(created.item_ids) == ids


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (["A", "B", "C", "D"], ["D", "C", "B", "A"]),  # reverse: moves only
        (["A", "B", "C"], ["A", "X", "B", "C", "Y"]),  # adds in the middle and end
        (["A", "B", "C", "D", "E"], ["B", "D"]),  # removals only
        (["A", "B", "C", "D"], ["X", "C", "A", "Y", "B"]),  # add, remove and move
        (["A", "B", "A", "C"], ["A", "C", "A", "A"]),  # duplicates
        (["A", "B"], []),  # emptied
        (["A", "B", "C"], ["A", "B", "C"]),  # unchanged
    ],
)
async def test_replace_items_mirrors_the_exact_order(
    adapter: PlexMediaServer, plex_sim: PlexSimulator, start: list[str], target: list[str]
) -> None:
    titles = {
        "A": "Hello",
        "B": "Something",
        "C": "September",
        "D": "Love Story",
        "E": "The Boxer",
        "X": "Come Together",
        "Y": "Blinding Lights",
    }
    keys = await _keys_by_title(adapter)
    created = await adapter.create_playlist("Mirror", [keys[titles[c]] for c in start])
    wanted = [keys[titles[c]] for c in target]
    result = await adapter.replace_playlist_items(created.id, wanted)
    assert list(result.item_ids) == wanted
    on_server = [str(i.rating_key) for i in plex_sim.state.playlists[int(created.id)].items]
    assert on_server == wanted


async def test_replace_uses_few_requests_for_a_small_change(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    keys = list((await _keys_by_title(adapter)).values())
    created = await adapter.create_playlist("Small change", keys)
    moved = keys[1:] + keys[:1]
    plex_sim.reset_counters()
    await adapter.replace_playlist_items(created.id, moved)
    # one item moves; nothing is removed or added
    assert plex_sim.count("PUT", f"/playlists/{created.id}/items/") == 1
    assert plex_sim.count("DELETE", "/playlists") == 0


async def test_replace_detects_a_server_that_drops_items(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    keys = await _keys_by_title(adapter)
    created = await adapter.create_playlist("Lossy", [keys["Hello"]])
    plex_sim.ignore_playlist_adds = True
    with pytest.raises(
        ProviderError, match=r"did not read back as written: expected 2 tracks, found 1"
    ):
        await adapter.replace_playlist_items(created.id, [keys["Hello"], keys["Something"]])


async def test_create_verifies_by_reading_back(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    plex_sim.add_synthetic_tracks(150)
    ids = [t.id for t in await adapter.all_tracks()][:150]
    plex_sim.ignore_playlist_adds = True  # the second batch (items 101..150) is dropped
    with pytest.raises(ProviderError, match=r"expected 150 tracks, found 100"):
        await adapter.create_playlist("Too big", ids)


async def test_unknown_ids_and_playlists(adapter: PlexMediaServer) -> None:
    with pytest.raises(NotFound, match="not in the Plex library"):
        await adapter.create_playlist("Nope", ["999999"])
    with pytest.raises(NotFound, match="not a Plex track id"):
        await adapter.create_playlist("Nope", ["/music/a.flac"])
    with pytest.raises(ProviderError, match="empty playlist"):
        await adapter.create_playlist("Empty", [])
    assert await adapter.get_playlist("424242") is None
    with pytest.raises(NotFound, match="no playlist with id 424242"):
        await adapter.replace_playlist_items("424242", [])
    assert await adapter.delete_playlist("424242") is False


async def test_delete_playlist(adapter: PlexMediaServer) -> None:
    keys = await _keys_by_title(adapter)
    created = await adapter.create_playlist("Gone soon", [keys["Hello"]])
    assert await adapter.delete_playlist(created.id) is True
    assert await adapter.get_playlist(created.id) is None


async def test_scan_waits_until_a_new_file_is_listed(
    adapter: PlexMediaServer,
    plex_sim: PlexSimulator,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    # Slow to start and slow to run: the adapter must not return early.
    plex_sim.scan_start_delay_s = 0.3
    plex_sim.scan_duration_s = 0.5
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    await adapter.scan()
    assert plex_sim.scans_completed == 2  # the start-up scan and ours
    tracks = await adapter.all_tracks()
    assert any(t.path == str(path) and t.title == "Digital Love" for t in tracks)


async def test_scan_of_one_folder(
    adapter: PlexMediaServer,
    plex_sim: PlexSimulator,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    await adapter.scan(str(path.parent))
    assert plex_sim.last_scan is not None and plex_sim.last_scan.added == 1
    refreshes = [r for r in plex_sim.log() if r.path.endswith("/refresh")]
    assert refreshes and "path=" in refreshes[-1].query


async def test_wrong_token_is_an_auth_error(plex_sim: PlexSimulator) -> None:
    adapter = PlexMediaServer(plex_sim.url, "not-the-token")
    with pytest.raises(AuthError, match="Plex rejected the token"):
        await adapter.all_tracks()
    status = await adapter.test_connection()
    assert not status.ok and "rejected the token" in status.detail


async def test_plex_answering_503_is_service_unavailable(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    await adapter.all_tracks()
    plex_sim.down = True
    with pytest.raises(ServiceUnavailable, match=r"not available \(HTTP 503\)"):
        await adapter.all_tracks()
    plex_sim.down = False
    assert len(await adapter.all_tracks()) == 12  # recovers on the next call


async def test_plex_stopped_is_not_reachable(plex_sim: PlexSimulator, plex_token: str) -> None:
    url = plex_sim.url
    plex_sim.stop()
    adapter = PlexMediaServer(url, plex_token, timeout_s=2)
    with pytest.raises(ServiceUnavailable) as info:
        await adapter.all_tracks()
    assert str(info.value) == f"plex: Plex is not reachable at {url}"
    status = await adapter.test_connection()
    assert not status.ok and status.detail == f"Plex is not reachable at {url}"


@pytest.mark.parametrize(
    ("section", "expected"),
    [(None, "Music"), ("music", "Music"), ("  MUSIC ", "Music")],
)
async def test_music_section_choice(
    plex_sim: PlexSimulator, plex_token: str, section: str | None, expected: str
) -> None:
    adapter = PlexMediaServer(plex_sim.url, plex_token, music_section=section)
    status = await adapter.test_connection()
    assert status.ok and f"'{expected}'" in status.detail


async def test_missing_music_section_names_the_ones_there(
    plex_sim: PlexSimulator, plex_token: str
) -> None:
    adapter = PlexMediaServer(plex_sim.url, plex_token, music_section="Musik")
    with pytest.raises(NotFound, match=r"no music library named 'Musik'.*'Music'"):
        await adapter.all_tracks()


async def test_token_never_leaves_the_header(
    adapter: PlexMediaServer,
    plex_sim: PlexSimulator,
    plex_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("plexapi").setLevel(logging.DEBUG)
    keys = list((await _keys_by_title(adapter)).values())
    created = await adapter.create_playlist("Secret", keys[:3])
    await adapter.replace_playlist_items(created.id, keys[:3][::-1])
    await adapter.scan()
    assert plex_sim.log()
    assert not any(r.token_in_query for r in plex_sim.log())
    assert plex_token not in caplog.text
    assert plex_token not in repr(adapter)


async def test_slow_plex_times_out_clearly(plex_sim: PlexSimulator, plex_token: str) -> None:
    adapter = PlexMediaServer(plex_sim.url, plex_token, timeout_s=0.3)
    plex_sim.latency_s = 1.0
    with pytest.raises(ServiceUnavailable, match=r"did not answer within 0.3 s"):
        await adapter.all_tracks()
    plex_sim.latency_s = 0.0
    assert len(await adapter.all_tracks()) == 12


async def test_aclose_then_reconnect(adapter: PlexMediaServer) -> None:
    assert len(await adapter.all_tracks()) == 12
    await adapter.aclose()
    assert len(await adapter.all_tracks()) == 12


async def test_library_version_moves_when_a_scan_changes_the_section(
    adapter: PlexMediaServer, plex_sim: PlexSimulator
) -> None:
    """Issue 18 item 8: the section's updatedAt/scannedAt tell a sync to re-read the library."""
    before = await adapter.library_version()
    assert before is not None and before.count("/") == 2
    assert await adapter.library_version() == before  # stable while nothing happens
    await asyncio.sleep(1.05)  # Plex's stamps are whole seconds
    await asyncio.to_thread(plex_sim.scan_now)
    after = await adapter.library_version()
    assert after is not None and after != before
