"""The production Jellyfin adapter against the Jellyfin simulator, over real sockets."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from soulsync.domain import Track
from soulsync.providers.base import NotFound
from soulsync.providers.jellyfin import JellyfinMediaServer
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.mirror import mirror_playlist
from soulsync.services.sync.models import TrackStatus


def _is_file(path: str) -> bool:
    return Path(path).is_file()


async def _ids_by_title(adapter: JellyfinMediaServer) -> dict[str, str]:
    return {t.title: t.id for t in await adapter.all_tracks()}


def _independent_read(sim: JellyfinSimulator, playlist_id: str) -> list[str]:
    """The playlist's item ids as a plain HTTP client reads them (not through the adapter)."""
    response = httpx.get(
        f"{sim.url}/Playlists/{playlist_id}/Items",
        params={"userId": sim.user_id},
        headers={"Authorization": f'MediaBrowser Token="{sim.api_key}"'},
    )
    response.raise_for_status()
    return [row["Id"] for row in response.json()["Items"]]


async def test_connection_names_server_and_library(adapter: JellyfinMediaServer) -> None:
    status = await adapter.test_connection()
    assert status.ok, status.detail
    assert "SoulSync Sandbox Jellyfin" in status.detail
    assert "'Music'" in status.detail


async def test_wrong_key_is_reported_without_the_key(jellyfin_sim: JellyfinSimulator) -> None:
    server = JellyfinMediaServer(jellyfin_sim.url, api_key="wrong-key-123456")
    status = await server.test_connection()
    await server.aclose()
    assert not status.ok
    assert "401" in status.detail
    assert "wrong-key-123456" not in status.detail


def test_legacy_header_is_refused_like_jellyfin_12(jellyfin_sim: JellyfinSimulator) -> None:
    response = httpx.get(
        f"{jellyfin_sim.url}/System/Info", headers={"X-Emby-Token": jellyfin_sim.api_key}
    )
    assert response.status_code == 401


async def test_user_login_by_name_and_password(jellyfin_sim: JellyfinSimulator) -> None:
    server = JellyfinMediaServer(
        jellyfin_sim.url, username="soulsync", password=jellyfin_sim.password
    )
    status = await server.test_connection()
    playlists = await server.list_playlists()
    await server.aclose()
    assert status.ok, status.detail
    assert playlists == []
    bad = JellyfinMediaServer(jellyfin_sim.url, username="soulsync", password="nope")
    refused = await bad.test_connection()
    await bad.aclose()
    assert not refused.ok and "user name or password" in refused.detail


async def test_all_tracks_maps_every_field(adapter: JellyfinMediaServer) -> None:
    tracks = await adapter.all_tracks()
    seeds = {s.title: s for s in library_seed_tracks()}
    assert sorted(t.title for t in tracks) == sorted(seeds)
    for track in tracks:
        seed = seeds[track.title]
        assert track.album == seed.album
        assert track.album_artist == seed.album_artist
        assert track.track_number == seed.track_number
        assert track.disc_number == seed.disc_number
        assert track.year == seed.year
        assert track.duration_ms is not None and abs(track.duration_ms - seed.duration_ms) < 50
        assert track.path is not None and _is_file(track.path)
        assert len(track.id) == 32


async def test_all_tracks_pages(jellyfin_sim: JellyfinSimulator) -> None:
    jellyfin_sim.add_synthetic_tracks(437)
    server = JellyfinMediaServer(jellyfin_sim.url, api_key=jellyfin_sim.api_key, page_size=100)
    jellyfin_sim.reset_counters()
    tracks = await server.all_tracks()
    await server.aclose()
    assert len(tracks) == 449
    assert len({t.id for t in tracks}) == 449
    assert jellyfin_sim.count("GET", "/Items") == 5


async def test_create_keeps_order_and_reads_back(
    adapter: JellyfinMediaServer, jellyfin_sim: JellyfinSimulator
) -> None:
    ids = await _ids_by_title(adapter)
    order = ["Something", "Hello", "Uptown Funk", "September"]
    created = await adapter.create_playlist("Road Trip", [ids[t] for t in order])
    assert list(created.item_ids) == [ids[t] for t in order]
    assert _independent_read(jellyfin_sim, created.id) == [ids[t] for t in order]
    listed = await adapter.list_playlists()
    assert [(p.id, p.title) for p in listed] == [(created.id, "Road Trip")]


async def test_replace_reorders_removes_and_adds(
    adapter: JellyfinMediaServer, jellyfin_sim: JellyfinSimulator
) -> None:
    ids = await _ids_by_title(adapter)
    titles = sorted(ids)
    first = [ids[t] for t in titles[:6]]
    created = await adapter.create_playlist("Mix", first)
    # New first item (Jellyfin's own move-to-0 lands at 1), one removed, one added.
    wanted = [first[5], first[0], first[2], first[1], first[4], ids[titles[7]]]
    jellyfin_sim.reset_counters()
    after = await adapter.replace_playlist_items(created.id, wanted)
    assert list(after.item_ids) == wanted
    assert _independent_read(jellyfin_sim, created.id) == wanted
    assert jellyfin_sim.count("DELETE", f"/Playlists/{created.id}/Items") == 1
    assert jellyfin_sim.count("POST", f"/Playlists/{created.id}/Items/") >= 1  # moves
    # An unchanged order needs no moves at all.
    jellyfin_sim.reset_counters()
    await adapter.replace_playlist_items(created.id, wanted)
    assert jellyfin_sim.count("POST", f"/Playlists/{created.id}/Items/") == 0


async def test_large_reorder_uses_one_clear_and_readd(
    jellyfin_sim: JellyfinSimulator,
) -> None:
    jellyfin_sim.add_synthetic_tracks(120)
    server = JellyfinMediaServer(jellyfin_sim.url, api_key=jellyfin_sim.api_key)
    ids = [t.id for t in await server.all_tracks()][:110]
    created = await server.create_playlist("Big", ids)
    wanted = list(reversed(ids))
    jellyfin_sim.reset_counters()
    after = await server.replace_playlist_items(created.id, wanted)
    await server.aclose()
    assert list(after.item_ids) == wanted
    assert jellyfin_sim.count("POST", f"/Playlists/{created.id}/Items/") == 0
    assert jellyfin_sim.requests[f"POST /Playlists/{created.id}"] == 1


async def test_unknown_track_is_named(adapter: JellyfinMediaServer) -> None:
    with pytest.raises(NotFound, match="not in the Jellyfin library"):
        await adapter.create_playlist("Nope", ["0" * 32])


async def test_gone_playlist_reads_as_none(adapter: JellyfinMediaServer) -> None:
    ids = await _ids_by_title(adapter)
    created = await adapter.create_playlist("Short-lived", [ids["Hello"]])
    assert await adapter.delete_playlist(created.id) is True
    assert await adapter.get_playlist(created.id) is None


async def test_mirror_leaves_a_repeated_track_out_with_a_reason(
    adapter: JellyfinMediaServer, jellyfin_sim: JellyfinSimulator
) -> None:
    tracks = {t.title: t for t in await adapter.all_tracks()}
    order = ["Hello", "Something", "Hello", "September"]
    verdicts = [
        TrackVerdict(n, Track(title=t, artists=(tracks[t].artist,)), TrackStatus.OWNED, tracks[t])
        for n, t in enumerate(order)
    ]
    result = await mirror_playlist(adapter, "Repeats", verdicts, stored_id=None)
    assert result.error is None, result.error
    assert result.verified
    assert result.placed == 3
    assert [lo.position for lo in result.left_out] == [2]
    assert "holds a track once" in result.left_out[0].reason
    assert _independent_read(jellyfin_sim, str(result.playlist_id)) == [
        tracks[t].id for t in ("Hello", "Something", "September")
    ]


async def test_scan_waits_until_a_new_file_is_listed(
    adapter: JellyfinMediaServer,
    jellyfin_sim: JellyfinSimulator,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    jellyfin_sim.scan_start_delay_s = 0.3
    jellyfin_sim.scan_duration_s = 0.5
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    await adapter.scan(str(path.parent))
    assert jellyfin_sim.scans_completed == 2  # the start-up scan and ours
    tracks = await adapter.all_tracks()
    assert any(t.path == str(path) and t.title == "Digital Love" for t in tracks)


async def test_scan_of_a_path_without_waiting_reports_the_change(
    adapter: JellyfinMediaServer,
    jellyfin_sim: JellyfinSimulator,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    await adapter.scan(str(path), wait=False)
    assert jellyfin_sim.media_updates == [{"Path": str(path), "UpdateType": "Modified"}]
    assert jellyfin_sim.wait_idle(5)
    assert jellyfin_sim.last_scan is not None and jellyfin_sim.last_scan.added == 1


async def test_down_server_is_unavailable(
    adapter: JellyfinMediaServer, jellyfin_sim: JellyfinSimulator
) -> None:
    jellyfin_sim.down = True
    status = await adapter.test_connection()
    assert not status.ok and "not available" in status.detail
