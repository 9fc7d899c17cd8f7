"""The metadata facade over both simulators: source choice, Deezer fallback, id routing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from soulsync.domain import Source
from soulsync.providers.base import ProviderError
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import MetadataService, qualified_id
from soulsync.providers.spotify import SpotifyClient
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.store import Store


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    sim = DeezerSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture()
async def facade(
    spotify: SpotifyClient, deezer_sim: DeezerSimulator, store: Store
) -> AsyncIterator[MetadataService]:
    deezer = DeezerClient(store, api_base=deezer_sim.url)
    yield MetadataService(spotify=spotify, deezer=deezer)
    await deezer.aclose()


async def test_spotify_answers_when_healthy(
    facade: MetadataService, spotify_sim: SpotifySimulator, deezer_sim: DeezerSimulator
) -> None:
    result = await facade.search_tracks("blinding lights", limit=3)
    assert result.source is Source.SPOTIFY and facade.last_source is Source.SPOTIFY
    assert result.fallback_reason is None
    assert result.value[0].ids.get("spotify")
    assert deezer_sim.total_requests == 0


async def test_quota_exceeded_falls_back_to_deezer_and_stays_there(
    facade: MetadataService,
    spotify_sim: SpotifySimulator,
    deezer_sim: DeezerSimulator,
    store: Store,
) -> None:
    spotify_sim.quota_remaining = 0
    result = await facade.search_artists("adele", limit=2)
    assert result.source is Source.DEEZER
    assert "quota" in (result.fallback_reason or "")
    assert [a.name for a in result.value] == ["Adele"]
    assert result.value[0].ids.get("deezer")
    assert store.get_setting("spotify.cooldown_until") is not None
    assert spotify_sim.api_requests == 1
    # While cooling down Spotify is not even asked.
    spotify_sim.reset_counters()
    again = await facade.search_tracks("hello adele")
    assert again.source is Source.DEEZER and facade.last_source is Source.DEEZER
    assert "cooling down" in (again.fallback_reason or "")
    assert spotify_sim.api_requests == 0
    usable, why = facade.spotify_usable()
    assert not usable and "cooling down" in (why or "")
    # Deezer answers ISRC lookups too.
    isrc = spotify_sim.catalogue.tracks["25/Hello"].isrc
    by_isrc = await facade.get_track_by_isrc(isrc)
    assert by_isrc.source is Source.DEEZER
    assert by_isrc.value is not None and by_isrc.value.isrc == isrc


async def test_spotify_outage_falls_back(
    facade: MetadataService, spotify_sim: SpotifySimulator
) -> None:
    spotify_sim.fail_next(503, count=3)
    result = await facade.search_albums("discovery", limit=1)
    assert result.source is Source.DEEZER
    assert result.value[0].title == "Discovery"


async def test_ids_route_to_their_service(
    facade: MetadataService, spotify_sim: SpotifySimulator, deezer_sim: DeezerSimulator
) -> None:
    album = spotify_sim.catalogue.albums["bridge"]
    on_spotify = await facade.get_album(f"spotify:{album.spotify_id}")
    assert on_spotify.source is Source.SPOTIFY and len(on_spotify.value.tracks) > 0
    on_deezer = await facade.get_album(f"deezer:{album.deezer_id}")
    assert on_deezer.source is Source.DEEZER
    assert [t.title for t in on_deezer.value.tracks] == [t.title for t in on_spotify.value.tracks]
    artist = await facade.get_artist(
        f"https://www.deezer.com/en/artist/{spotify_sim.catalogue.artists['adele'].deezer_id}"
    )
    assert artist.source is Source.DEEZER and artist.value.image_url
    assert (
        qualified_id(artist.value) == f"deezer:{spotify_sim.catalogue.artists['adele'].deezer_id}"
    )
    albums = await facade.artist_albums(
        f"spotify:artist:{spotify_sim.catalogue.artists['adele'].spotify_id}"
    )
    assert albums.source is Source.SPOTIFY and albums.value
    track = await facade.get_track(spotify_sim.catalogue.tracks["25/Hello"].spotify_id)
    assert track.source is Source.SPOTIFY and track.value.title == "Hello"


async def test_deezer_only_when_spotify_not_configured(
    deezer_sim: DeezerSimulator, store: Store
) -> None:
    deezer = DeezerClient(store, api_base=deezer_sim.url)
    facade = MetadataService(spotify=None, deezer=deezer)
    result = await facade.search_tracks("one more time")
    assert result.source is Source.DEEZER
    assert result.fallback_reason == "Spotify is not configured"
    with pytest.raises(ProviderError, match="not configured"):
        await facade.get_track("spotify:0000000000000000000000")
    await deezer.aclose()
