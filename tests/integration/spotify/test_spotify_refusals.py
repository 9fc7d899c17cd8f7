"""Issue 13 items 9-10: Spotify's editorial 404 and the app owner's Premium 403.

* Spotify-owned editorial/algorithmic playlists answer 404 on ``GET
  /playlists/{id}`` (since the 2024-11-27 Web API change); the client says so.
* When the app owner's Premium lapses, every call answers 403 "Active premium
  subscription required for the owner of the app"; the client and the CLI say
  that, not "forbidden" or "not readable".
* The simulator answers removed endpoints as Spotify does, always in JSON.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from test_spotify_cli import config_file, deezer_sim, follow, run  # noqa: F401 - fixtures

from soulsync.cli.common import CliError
from soulsync.providers.spotify import EditorialPlaylist, PremiumRequired, SpotifyClient
from soulsync.sandbox.spotify import SpotifySimulator


async def test_editorial_playlist_is_a_clear_404(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    pid = spotify_sim.add_editorial_playlist("Today's Top Hits", ["discovery/One More Time"])
    assert pid.startswith("37i9dQZF1")
    listed = {p.id for p in await spotify.list_playlists()}
    assert pid in listed  # the user follows it
    with pytest.raises(EditorialPlaylist, match="made by Spotify"):
        await spotify.get_playlist(pid)


async def test_premium_403_is_said_as_such(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    spotify_sim.premium_required = True
    with pytest.raises(PremiumRequired, match="needs an active Premium subscription"):
        await spotify.list_playlists()
    with pytest.raises(PremiumRequired):
        await spotify.get_playlist(spotify_sim.playlist_id("road-trip"))


async def test_simulator_answers_like_spotify(spotify_sim: SpotifySimulator) -> None:
    token = spotify_sim.issue_token()
    async with httpx.AsyncClient(base_url=spotify_sim.api_base) as http:
        unknown = await http.get("/no/such/endpoint")
        assert unknown.status_code == 404
        assert unknown.json()["error"]["status"] == 404
        headers = {"Authorization": f"Bearer {token}"}
        removed = await http.get(
            f"/playlists/{spotify_sim.playlist_id('road-trip')}/tracks", headers=headers
        )
        assert removed.status_code == 403 and removed.json()["error"]["status"] == 403
        spotify_sim.premium_required = True
        premium = await http.get("/me", headers=headers)
        assert premium.status_code == 403
        assert premium.json()["error"]["message"] == (
            "Active premium subscription required for the owner of the app"
        )


def _login(config: Path) -> None:
    first = run(config, "spotify", "login", "--print-url")
    url = next(line for line in first.output.splitlines() if "/authorize?" in line).strip()
    assert run(config, "spotify", "login", "--redirected", follow(url)).exit_code == 0


def test_cli_says_premium_is_missing(config_file: Path, spotify_sim: SpotifySimulator) -> None:  # noqa: F811
    _login(config_file)
    spotify_sim.premium_required = True
    result = run(config_file, "spotify", "playlists")
    assert isinstance(result.exception, CliError)
    assert "needs an active Premium subscription" in str(result.exception)


def test_cli_says_editorial_playlists_are_not_readable(
    config_file: Path,  # noqa: F811
    spotify_sim: SpotifySimulator,
) -> None:
    _login(config_file)
    pid = spotify_sim.add_editorial_playlist("Discover Weekly", ["discovery/One More Time"])
    result = run(config_file, "spotify", "playlist", pid)
    assert isinstance(result.exception, CliError)
    assert "made by Spotify" in str(result.exception)
