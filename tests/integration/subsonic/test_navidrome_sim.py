"""The Subsonic adapter against the Navidrome-flavoured simulator (token auth, OpenSubsonic)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from soulsync.providers.base import AuthError
from soulsync.providers.subsonic import SubsonicMediaServer
from soulsync.sandbox.library_seed import library_seed_tracks, seed_library, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.navidrome import NavidromeSimulator


@pytest.fixture()
def library_dir(tmp_path: Path, audio_cache: AudioCache) -> Path:
    root = tmp_path / "Music"
    seed_library(root, cache=audio_cache)
    return root


@pytest.fixture()
def navidrome(library_dir: Path) -> Iterator[NavidromeSimulator]:
    sim = NavidromeSimulator([library_dir], scan_start_delay_s=0.05, scan_duration_s=0.3)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
async def adapter(navidrome: NavidromeSimulator) -> AsyncIterator[SubsonicMediaServer]:
    server = SubsonicMediaServer(
        navidrome.url,
        navidrome.username,
        navidrome.password,
        page_size=5,
        scan_poll_s=0.05,
        scan_start_grace_s=1.0,
    )
    yield server
    await server.aclose()


async def test_token_auth_and_extensions(
    adapter: SubsonicMediaServer, navidrome: NavidromeSimulator
) -> None:
    status = await adapter.test_connection()
    assert status.ok, status.detail
    assert "navidrome 0.58.0" in status.detail and "token auth" in status.detail
    assert "formPost" in status.detail
    assert set(navidrome.auth_modes) == {"token"}  # the password never travelled


async def test_no_token_support_falls_back_to_password(
    adapter: SubsonicMediaServer, navidrome: NavidromeSimulator
) -> None:
    navidrome.token_auth = False
    status = await adapter.test_connection()
    assert status.ok, status.detail
    assert adapter.legacy_auth and navidrome.auth_modes[-1] == "password"


async def test_wrong_password(navidrome: NavidromeSimulator) -> None:
    server = SubsonicMediaServer(navidrome.url, navidrome.username, "nope-nope")
    with pytest.raises(AuthError, match="error 40"):
        await server.all_tracks()
    await server.aclose()


async def test_all_songs_in_pages(
    adapter: SubsonicMediaServer, navidrome: NavidromeSimulator
) -> None:
    navidrome.reset_counters()
    tracks = await adapter.all_tracks()
    assert sorted(t.title for t in tracks) == sorted(s.title for s in library_seed_tracks())
    assert navidrome.count("GET", "/rest/search3") == len(tracks) // 5 + 1
    assert all(t.album_artist for t in tracks)


async def test_replace_keeps_repeats_and_order(
    adapter: SubsonicMediaServer, navidrome: NavidromeSimulator
) -> None:
    ids = {t.title: t.id for t in await adapter.all_tracks()}
    created = await adapter.create_playlist("Loop", [ids["Hello"], ids["Something"]])
    wanted = [ids[t] for t in ("Something", "Hello", "September", "Hello")]
    after = await adapter.replace_playlist_items(created.id, wanted)
    assert list(after.item_ids) == wanted
    assert navidrome.playlists[created.id].songs == wanted
    assert navidrome.count("POST", "/rest/createPlaylist") == 2


async def test_scan_waits_for_last_scan(
    adapter: SubsonicMediaServer,
    navidrome: NavidromeSimulator,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    navidrome.scan_start_delay_s = 0.2
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    write_seed_file(library_dir, seed, audio_cache)
    await adapter.scan()
    assert navidrome.scans_completed == 2
    assert "Digital Love" in {t.title for t in await adapter.all_tracks()}


async def test_scan_needs_admin(
    adapter: SubsonicMediaServer, navidrome: NavidromeSimulator
) -> None:
    navidrome.admin = False
    with pytest.raises(AuthError, match="error 50"):
        await adapter.scan()
