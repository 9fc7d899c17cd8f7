"""Fixtures: a live Spotify simulator and a logged-in client talking to it over sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.sandbox.spotify import SpotifySimulator, login_headless
from soulsync.store import Store

REDIRECT = "http://127.0.0.1:43110/callback"


@pytest.fixture()
def spotify_sim() -> Iterator[SpotifySimulator]:
    """A fresh simulator per test (knobs and counters start clean)."""
    sim = SpotifySimulator().start()
    yield sim
    sim.stop()


login = login_headless


@pytest.fixture()
def spotify_login() -> Callable[[SpotifyAuth], Awaitable[None]]:
    """The PKCE login helper, for tests that build their own ``SpotifyAuth``."""
    return login


@pytest.fixture()
async def spotify(spotify_sim: SpotifySimulator, store: Store) -> AsyncIterator[SpotifyClient]:
    """A logged-in client with no pacing gap (tests measure requests, not time)."""
    auth = SpotifyAuth(
        store, client_id=spotify_sim.client_id, redirect_uri=REDIRECT, accounts_base=spotify_sim.url
    )
    await login(auth)
    client = SpotifyClient(store, auth, api_base=spotify_sim.api_base, min_gap_s=0.0, timeout_s=2.0)
    spotify_sim.reset_counters()
    yield client
    await client.aclose()
