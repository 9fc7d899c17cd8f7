"""Contract: the Spotify sandbox driven by spotipy, the client users know (issue 13).

spotipy talks to whatever ``prefix`` it is given; pointed at the simulator it
must meet the behaviour of Spotify's 2026 Web API, refusals included: removed
endpoints, followed playlists, Spotify-made playlists and a lapsed Premium.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import spotipy

from soulsync.sandbox.spotify import PREMIUM_REQUIRED, SpotifySimulator


@pytest.fixture()
def spotify_sim() -> Iterator[SpotifySimulator]:
    sim = SpotifySimulator().start()
    yield sim
    sim.stop()


@pytest.fixture()
def sp(spotify_sim: SpotifySimulator) -> spotipy.Spotify:
    client = spotipy.Spotify(auth=spotify_sim.issue_token(), requests_timeout=5, retries=0)
    client.prefix = spotify_sim.api_base.rstrip("/") + "/"
    return client


def _status(exc: pytest.ExceptionInfo[spotipy.SpotifyException]) -> int:
    return int(exc.value.http_status)


def test_me_and_owned_playlist_items(sp: spotipy.Spotify, spotify_sim: SpotifySimulator) -> None:
    me = sp.current_user()
    assert me["id"] == "sandbox-user"
    names = {p["name"] for p in sp.current_user_playlists(limit=50)["items"]}
    assert "Road Trip" in names
    page = sp._get(f"playlists/{spotify_sim.playlist_id('road-trip')}/items", limit=50)
    assert page["total"] == 30 and len(page["items"]) == 30
    assert page["items"][0]["item"]["type"] == "track"


def test_refusals_as_spotify_answers_them(
    sp: spotipy.Spotify, spotify_sim: SpotifySimulator
) -> None:
    road = spotify_sim.playlist_id("road-trip")
    with pytest.raises(spotipy.SpotifyException) as removed:
        sp._get(f"playlists/{road}/tracks")  # removed in Feb 2026
    assert _status(removed) == 403
    with pytest.raises(spotipy.SpotifyException) as followed:
        sp._get(f"playlists/{spotify_sim.playlist_id('top-hits')}/items")
    assert _status(followed) == 403
    with pytest.raises(spotipy.SpotifyException) as batch:
        sp.tracks([spotify_sim.catalogue.tracks["25/Hello"].spotify_id])
    assert _status(batch) == 403
    with pytest.raises(spotipy.SpotifyException) as too_many:
        sp._get(f"playlists/{road}/items", limit=51)
    assert _status(too_many) == 400


def test_editorial_playlist_is_404(sp: spotipy.Spotify, spotify_sim: SpotifySimulator) -> None:
    pid = spotify_sim.add_editorial_playlist("Discover Weekly", ["discovery/Digital Love"])
    followed = {p["id"] for p in sp.current_user_playlists(limit=50)["items"]}
    assert pid in followed
    with pytest.raises(spotipy.SpotifyException) as missing:
        sp.playlist(pid)
    assert _status(missing) == 404


def test_premium_lapsed_is_403_everywhere(
    sp: spotipy.Spotify, spotify_sim: SpotifySimulator
) -> None:
    spotify_sim.premium_required = True
    for call in (sp.current_user, lambda: sp.search("hello", type="track", limit=5)):
        with pytest.raises(spotipy.SpotifyException) as refused:
            call()
        assert _status(refused) == 403
        assert PREMIUM_REQUIRED in str(refused.value.msg)
