"""The Subsonic adapter against a real Subsonic server (supysonic), read back by a plain client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from soulsync.domain import Track
from soulsync.providers.subsonic import SubsonicMediaServer
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.mirror import mirror_playlist
from soulsync.services.sync.models import TrackStatus

if TYPE_CHECKING:
    from tests.integration.subsonic.conftest import Supysonic


@pytest.fixture()
async def adapter(supysonic: Supysonic) -> AsyncIterator[SubsonicMediaServer]:
    """Token auth first (as for Navidrome): the adapter must fall back by itself."""
    server = SubsonicMediaServer(
        supysonic.url,
        supysonic.user,
        supysonic.password,
        page_size=7,
        scan_poll_s=0.1,
        scan_start_grace_s=3,
    )
    yield server
    await server.aclose()


def _read_with_plain_client(supysonic: Supysonic, playlist_id: str) -> list[str]:
    """getPlaylist as any Subsonic client would call it (legacy password, JSON)."""
    response = httpx.get(
        f"{supysonic.url}/rest/getPlaylist.view",
        params={
            "u": supysonic.user,
            "p": supysonic.password,
            "c": "reader",
            "v": "1.12.0",
            "f": "json",
            "id": playlist_id,
        },
    )
    body = response.json()["subsonic-response"]
    assert body["status"] == "ok", body
    return [entry["id"] for entry in body["playlist"].get("entry", [])]


async def test_connection_falls_back_to_the_password(adapter: SubsonicMediaServer) -> None:
    status = await adapter.test_connection()
    assert status.ok, status.detail
    assert adapter.legacy_auth is True
    assert "password auth" in status.detail


async def test_wrong_password_is_an_auth_failure(supysonic: Supysonic) -> None:
    server = SubsonicMediaServer(
        supysonic.url, supysonic.user, "wrong-password-xyz", legacy_auth=True
    )
    status = await server.test_connection()
    await server.aclose()
    assert not status.ok
    assert "40" in status.detail and "wrong-password-xyz" not in status.detail


async def test_all_songs_by_empty_search_in_pages(adapter: SubsonicMediaServer) -> None:
    tracks = await adapter.all_tracks()
    seeds = {s.title: s for s in library_seed_tracks()}
    assert sorted(t.title for t in tracks) == sorted(seeds)
    for track in tracks:
        seed = seeds[track.title]
        assert track.album == seed.album
        assert track.track_number == seed.track_number
        assert track.duration_ms is not None
        assert abs(track.duration_ms - seed.duration_ms) <= 1000  # whole seconds


async def test_playlist_mirrored_in_exact_order_and_read_back(
    adapter: SubsonicMediaServer, supysonic: Supysonic
) -> None:
    tracks = {t.title: t for t in await adapter.all_tracks()}
    order = ["September", "Hello", "Something", "Hello", "Uptown Funk"]  # a repeat too
    verdicts = [
        TrackVerdict(n, Track(title=t, artists=(tracks[t].artist,)), TrackStatus.OWNED, tracks[t])
        for n, t in enumerate(order)
    ]
    missing = TrackVerdict(
        5, Track(title="Not Owned", artists=("Nobody",)), TrackStatus.MISSING, reason="not found"
    )
    first = await mirror_playlist(adapter, "Road Trip", [*verdicts, missing], stored_id=None)
    assert first.error is None, first.error
    assert first.created and first.verified
    assert [lo.line() for lo in first.left_out] == ["#6 Nobody - Not Owned: not found"]
    wanted = [tracks[t].id for t in order]
    assert _read_with_plain_client(supysonic, str(first.playlist_id)) == wanted

    # Next sync: reordered, one removed, one added - found by the stored id.
    order2 = ["Hello", "Uptown Funk", "September", "Hello", "Blinding Lights"]
    verdicts2 = [
        TrackVerdict(n, Track(title=t, artists=(tracks[t].artist,)), TrackStatus.OWNED, tracks[t])
        for n, t in enumerate(order2)
    ]
    second = await mirror_playlist(adapter, "Road Trip", verdicts2, stored_id=first.playlist_id)
    assert second.error is None, second.error
    assert second.playlist_id == first.playlist_id and not second.created
    assert second.verified
    assert _read_with_plain_client(supysonic, str(first.playlist_id)) == [
        tracks[t].id for t in order2
    ]
    assert await adapter.delete_playlist(str(first.playlist_id)) is True
    assert await adapter.get_playlist(str(first.playlist_id)) is None


async def test_scan_with_the_daemon_finds_a_new_file(
    adapter: SubsonicMediaServer, supysonic: Supysonic, audio_cache: AudioCache
) -> None:
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path: Path = write_seed_file(supysonic.music, seed, audio_cache)
    try:
        await adapter.scan(str(path.parent))
        titles = {t.title for t in await adapter.all_tracks()}
        assert "Digital Love" in titles
    finally:
        os.unlink(path)
