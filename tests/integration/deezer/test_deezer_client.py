"""The Deezer client against the simulator: lookups, search, playlists, in-body errors, quota."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from soulsync.domain import AlbumType, Source
from soulsync.providers.base import NotFound, RateLimited
from soulsync.providers.deezer import DeezerClient
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.store import Store


async def test_track_by_id_and_isrc(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    cat = deezer_sim.catalogue.tracks["ram/Get Lucky"]
    track = await deezer.get_track(str(cat.deezer_id))
    assert track.title == "Get Lucky" and track.isrc == cat.isrc
    assert track.artists == tuple(deezer_sim.catalogue.artist_names(cat))
    assert track.duration_ms == round(cat.duration_ms / 1000) * 1000
    assert track.track_number == cat.track_number and track.disc_number == 1
    assert track.ids == {"deezer": str(cat.deezer_id)}
    by_isrc = await deezer.get_track_by_isrc(cat.isrc)
    assert by_isrc.ids == track.ids


async def test_advanced_search(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    found = await deezer.search_tracks('artist:"the weeknd" track:"blinding"')
    assert {t.title for t in found} == {"Blinding Lights", "Blinding Lights - Chromatics Remix"}
    artists = await deezer.search_artists("adele")
    assert [a.name for a in artists] == ["Adele"]
    albums = await deezer.search_albums("abbey road")
    assert albums[0].title == "Abbey Road" and albums[0].cover_url


async def test_album_with_tracklist_and_artist_picture(
    deezer_sim: DeezerSimulator, deezer: DeezerClient
) -> None:
    cat = deezer_sim.catalogue.albums["dance-classics"]
    album = await deezer.get_album(str(cat.deezer_id))
    assert album.album_type is AlbumType.COMPILATION
    assert album.upc == cat.upc and len(album.tracks) == len(cat.track_keys)
    assert [t.track_number for t in album.tracks] == list(range(1, len(cat.track_keys) + 1))
    artist = await deezer.get_artist(str(deezer_sim.catalogue.artists["adele"].deezer_id))
    assert artist.image_url and artist.image_url.endswith("/1000.jpg")
    async with httpx.AsyncClient() as raw:
        picture = await raw.get(artist.image_url)
    assert picture.headers["content-type"] == "image/jpeg" and picture.content[:2] == b"\xff\xd8"


async def test_artist_albums(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    daft = deezer_sim.catalogue.artists["daft-punk"]
    albums = await deezer.artist_albums(str(daft.deezer_id))
    expected = {a.title for a in deezer_sim.catalogue.albums_of_artist("daft-punk")}
    assert {a.title for a in albums} == expected


async def test_not_found_is_an_in_body_error(
    deezer_sim: DeezerSimulator, deezer: DeezerClient
) -> None:
    async with httpx.AsyncClient() as raw:
        answer = await raw.get(f"{deezer_sim.url}/track/1")
    assert answer.status_code == 200
    assert answer.json()["error"]["code"] == 800
    with pytest.raises(NotFound):
        await deezer.get_track("1")
    with pytest.raises(NotFound):
        await deezer.get_track_by_isrc("QZZZZ0000000")


async def test_public_playlist(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    cat = deezer_sim.catalogue.playlists["evening"]
    playlist = await deezer.get_playlist(str(cat.deezer_id))
    assert playlist.source is Source.DEEZER and playlist.name == "Chill Evening"
    # The local file does not exist on Deezer; the unavailable track is reported.
    assert len(playlist.entries) == 9
    assert [e.track.title for e in playlist.entries if e.unavailable_reason] == ["Кукушка"]  # type: ignore[union-attr]
    deezer_sim.public_playlists.discard(cat.deezer_id)
    with pytest.raises(NotFound):
        await deezer.get_playlist(str(cat.deezer_id))


async def test_client_side_limiter_avoids_the_quota(
    deezer_sim: DeezerSimulator, store: Store
) -> None:
    deezer_sim.quota_max = 5
    deezer_sim.quota_window_s = 1.0
    client = DeezerClient(store, api_base=deezer_sim.url, max_requests=5, window_s=1.0)
    ids = [str(a.deezer_id) for a in deezer_sim.catalogue.artists.values()][:8]
    started = time.monotonic()
    artists = await asyncio.gather(*(client.get_artist(i) for i in ids))
    assert len(artists) == 8
    assert time.monotonic() - started >= 1.0  # had to wait for the window to roll
    assert deezer_sim.total_requests == 8  # and never met the quota error
    await client.aclose()


async def test_quota_error_is_retried_then_raised(
    deezer_sim: DeezerSimulator, store: Store
) -> None:
    deezer_sim.quota_max = 0  # every call answers {"error": {"code": 4}}
    deezer_sim.quota_window_s = 0.2
    client = DeezerClient(store, api_base=deezer_sim.url, window_s=0.2)
    with pytest.raises(RateLimited):
        await client.get_artist(str(deezer_sim.catalogue.artists["adele"].deezer_id))
    assert deezer_sim.total_requests == 3
    await client.aclose()


async def test_quota_error_then_success(deezer_sim: DeezerSimulator, store: Store) -> None:
    deezer_sim.quota_max = 1
    deezer_sim.quota_window_s = 0.3
    client = DeezerClient(store, api_base=deezer_sim.url, window_s=0.3)
    async with httpx.AsyncClient() as raw:  # someone else on this IP uses the quota
        await raw.get(f"{deezer_sim.url}/artist/1")
    artist = await client.get_artist(str(deezer_sim.catalogue.artists["adele"].deezer_id))
    assert artist.name == "Adele"
    assert deezer_sim.total_requests == 3
    await client.aclose()


async def test_gets_are_cached(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    album_id = str(deezer_sim.catalogue.albums["nevermind"].deezer_id)
    first = await deezer.get_album(album_id)
    await deezer.search_tracks("nirvana")
    deezer_sim.reset_counters()
    assert await deezer.get_album(album_id) == first
    await deezer.search_tracks("nirvana")
    assert deezer_sim.total_requests == 0


async def test_server_errors_are_retried(deezer_sim: DeezerSimulator, deezer: DeezerClient) -> None:
    deezer_sim.fail_next(2)
    track = await deezer.get_track(str(deezer_sim.catalogue.tracks["25/Hello"].deezer_id))
    assert track.title == "Hello"
    assert deezer_sim.total_requests == 3
