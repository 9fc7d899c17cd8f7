"""Rate limits, quota cool-down, retries and Development Mode limits against the simulator."""

from __future__ import annotations

import time

import pytest

from soulsync.providers.base import CoolingDown, ServiceUnavailable
from soulsync.providers.http import CooldownState
from soulsync.providers.spotify import SpotifyClient
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.store import Store


async def test_429_retry_after_is_honoured(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    spotify_sim.rate_limit = 2
    spotify_sim.rate_window_s = 1.0
    spotify_sim.rate_retry_after_s = 1
    started = time.monotonic()
    names = []
    for key in ("discovery/One More Time", "25/Hello", "opera/Bohemian Rhapsody"):
        track = await spotify.get_track(spotify_sim.catalogue.tracks[key].spotify_id)
        names.append(track.title)
    elapsed = time.monotonic() - started
    assert names == ["One More Time", "Hello", "Bohemian Rhapsody"]
    # The third call met a 429 and waited the advertised second before retrying.
    assert elapsed >= 1.0
    assert spotify_sim.api_requests == 4
    assert CooldownState(spotify.store, "spotify").current() is None


async def test_quota_exceeded_starts_a_stored_cooldown(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, store: Store
) -> None:
    spotify_sim.quota_remaining = 1
    spotify_sim.quota_retry_after_s = 7200
    first = spotify_sim.catalogue.tracks["discovery/One More Time"].spotify_id
    second = spotify_sim.catalogue.tracks["25/Hello"].spotify_id
    assert (await spotify.get_track(first)).title == "One More Time"
    with pytest.raises(CoolingDown) as err:
        await spotify.get_track(second)
    assert err.value.until == pytest.approx(time.time() + 7200, abs=30)
    assert store.get_setting("spotify.cooldown_until") == pytest.approx(err.value.until, abs=1)
    assert "quota" in store.get_setting("spotify.cooldown_reason")
    assert spotify.cooling_until() == pytest.approx(err.value.until, abs=1)
    # Cooling down: no further requests reach Spotify at all...
    spotify_sim.reset_counters()
    with pytest.raises(CoolingDown):
        await spotify.get_track(second)
    assert spotify_sim.api_requests == 0
    # ...but cached answers are still served.
    assert (await spotify.get_track(first)).title == "One More Time"
    assert store.recent_activity()[0]["kind"] == "spotify.cooldown"


async def test_long_retry_after_without_quota_reason_also_cools_down(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, store: Store
) -> None:
    spotify_sim.rate_limit = 0
    spotify_sim.rate_retry_after_s = 3600
    started = time.monotonic()
    with pytest.raises(CoolingDown):
        await spotify.get_artist(spotify_sim.catalogue.artists["daft-punk"].spotify_id)
    assert time.monotonic() - started < 5  # never sleeps through an hour-long Retry-After
    assert spotify_sim.api_requests == 1
    assert store.get_setting("spotify.cooldown_until") > time.time() + 3000


async def test_5xx_is_retried_with_backoff(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    spotify_sim.fail_next(503, count=2)
    artist = await spotify.get_artist(spotify_sim.catalogue.artists["adele"].spotify_id)
    assert artist.name == "Adele"
    assert spotify_sim.api_requests == 3


async def test_5xx_gives_up_after_three_tries(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    spotify_sim.fail_next(502, count=3)
    with pytest.raises(ServiceUnavailable):
        await spotify.get_artist(spotify_sim.catalogue.artists["adele"].spotify_id)
    assert spotify_sim.api_requests == 3


async def test_timeouts_are_retried(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, store: Store
) -> None:
    fast = SpotifyClient(
        store, spotify.auth, api_base=spotify_sim.api_base, min_gap_s=0, timeout_s=0.3
    )
    spotify_sim.stall_next(1.0, count=1)
    album = await fast.get_album(spotify_sim.catalogue.albums["25"].spotify_id)
    assert album.title == "25"
    assert spotify_sim.requests[f"/v1/albums/{spotify_sim.catalogue.albums['25'].spotify_id}"] == 2
    await fast.aclose()


async def test_requests_are_paced_one_at_a_time(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, store: Store
) -> None:
    import asyncio

    paced = SpotifyClient(store, spotify.auth, api_base=spotify_sim.api_base, min_gap_s=0.2)
    ids = [a.spotify_id for a in list(spotify_sim.catalogue.artists.values())[:4]]
    started = time.monotonic()
    artists = await asyncio.gather(*(paced.get_artist(i) for i in ids))
    assert len({a.name for a in artists}) == 4
    assert time.monotonic() - started >= 0.6  # three gaps between four requests
    await paced.aclose()


async def test_queued_requests_do_not_follow_a_quota_hit(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient
) -> None:
    import asyncio

    spotify_sim.quota_remaining = 0
    ids = [a.spotify_id for a in list(spotify_sim.catalogue.artists.values())[:5]]
    results = await asyncio.gather(*(spotify.get_artist(i) for i in ids), return_exceptions=True)
    assert all(isinstance(r, CoolingDown) for r in results)
    assert spotify_sim.api_requests == 1  # the other four never left the queue
