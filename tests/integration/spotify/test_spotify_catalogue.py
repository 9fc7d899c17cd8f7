"""Search and per-id lookups within Development Mode limits."""

from __future__ import annotations

from soulsync.domain import AlbumType
from soulsync.providers.spotify import SpotifyClient
from soulsync.sandbox.catalogue_search import search_catalogue
from soulsync.sandbox.spotify import SpotifySimulator


async def test_search_never_sends_a_limit_above_10(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    expected = search_catalogue(spotify_sim.catalogue, "track", "the")
    assert len(expected) > 25
    tracks = await spotify.search_tracks("the", limit=25)
    assert [t.ids["spotify"] for t in tracks] == [t.spotify_id for t in expected[:25]]
    limits = [int(q["limit"]) for path, q in spotify_sim.request_log if path == "/v1/search"]
    assert limits == [10, 10, 5]


async def test_search_is_cached(spotify_sim: SpotifySimulator, spotify: SpotifyClient) -> None:
    first = await spotify.search_artists("weeknd", limit=3)
    spotify_sim.reset_counters()
    second = await spotify.search_artists("weeknd", limit=3)
    assert first == second and first[0].name == "The Weeknd"
    assert spotify_sim.api_requests == 0


async def test_isrc_search_finds_the_track(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    cat = spotify_sim.catalogue.tracks["after-hours/Blinding Lights"]
    found = await spotify.search_tracks(f"isrc:{cat.isrc}", limit=1)
    assert [t.ids["spotify"] for t in found] == [cat.spotify_id]


async def test_lookups_are_per_id_and_cached(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    wall = spotify_sim.catalogue.albums["the-wall"]
    album = await spotify.get_album(wall.spotify_id)
    assert album.title == wall.title and album.total_discs == 2
    assert len(album.tracks) == len(wall.track_keys)
    assert album.tracks[-1].disc_number == 2
    assert album.upc == wall.upc and album.cover_url
    assert all(t.album == wall.title for t in album.tracks)
    track = await spotify.get_track(spotify_sim.catalogue.tracks[wall.track_keys[0]].spotify_id)
    assert track.isrc == spotify_sim.catalogue.tracks[wall.track_keys[0]].isrc
    assert track.album_type is AlbumType.ALBUM
    batch = [p for p in spotify_sim.requests if p in ("/v1/tracks", "/v1/albums", "/v1/artists")]
    assert batch == []
    spotify_sim.reset_counters()
    assert (await spotify.get_album(wall.spotify_id)).tracks == album.tracks
    assert spotify_sim.api_requests == 0


async def test_artist_with_image(spotify_sim: SpotifySimulator, spotify: SpotifyClient) -> None:
    cat = (
        spotify_sim.catalogue.artists["sigur-ros"]
        if "sigur-ros" in spotify_sim.catalogue.artists
        else next(iter(spotify_sim.catalogue.artists.values()))
    )
    artist = await spotify.get_artist(cat.spotify_id)
    assert artist.name == cat.name and artist.ids == {"spotify": cat.spotify_id}
    assert artist.image_url and artist.image_url.endswith("/640.jpg")


async def test_artist_albums_page_by_ten(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    key = max(
        spotify_sim.catalogue.artists,
        key=lambda k: len(spotify_sim.catalogue.albums_of_artist(k)),
    )
    own = spotify_sim.catalogue.albums_of_artist(key)
    assert len(own) >= 3
    albums = await spotify.artist_albums(spotify_sim.catalogue.artists[key].spotify_id, limit=2)
    assert [a.title for a in albums] == [a.title for a in own[:2]]
    everything = await spotify.artist_albums(spotify_sim.catalogue.artists[key].spotify_id)
    assert [a.title for a in everything] == [a.title for a in own]
    limits = [int(q["limit"]) for path, q in spotify_sim.request_log if path.endswith("/albums")]
    assert max(limits) <= 10
