"""PKCE login and token refresh against the Spotify simulator, over real sockets."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from soulsync.providers.base import AuthError
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import (
    TOKEN_KEY,
    SpotifyAuth,
    challenge_for,
    validate_redirect_uri,
)
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.store import Store

REDIRECT = "http://127.0.0.1:43110/callback"
Login = Callable[[SpotifyAuth], Awaitable[None]]


def make_auth(sim: SpotifySimulator, store: Store, redirect: str = REDIRECT) -> SpotifyAuth:
    return SpotifyAuth(store, client_id=sim.client_id, redirect_uri=redirect, accounts_base=sim.url)


async def test_authorize_url_carries_s256_challenge_and_state(
    spotify_sim: SpotifySimulator, store: Store
) -> None:
    auth = make_auth(spotify_sim, store)
    request = auth.begin_login()
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    digest = hashlib.sha256(request.verifier.encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).rstrip(b"=").decode()]
    assert query["state"] == [request.state]
    assert query["redirect_uri"] == [REDIRECT]
    assert 43 <= len(request.verifier) <= 128
    assert "playlist-read-private" in query["scope"][0]


async def test_login_stores_tokens_and_calls_work(
    spotify_sim: SpotifySimulator, store: Store, spotify_login: Login
) -> None:
    auth = make_auth(spotify_sim, store)
    assert not auth.logged_in
    await spotify_login(auth)
    info = auth.token_info()
    assert info is not None and info.refresh_token
    assert info.access_token not in repr(info)
    client = SpotifyClient(store, auth, api_base=spotify_sim.api_base, min_gap_s=0)
    assert (await client.me())["id"] == spotify_sim.user_id
    await client.aclose()


async def test_refresh_keeps_newest_refresh_token(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, store: Store
) -> None:
    first = spotify.auth.token_info()
    assert first is not None
    spotify_sim.expire_tokens()
    # The 401 "The access token expired" makes the client refresh once and retry.
    me = await spotify.me()
    assert me["id"] == spotify_sim.user_id
    second = spotify.auth.token_info()
    assert second is not None
    assert second.refresh_token != first.refresh_token
    assert store.get_setting(TOKEN_KEY)["refresh_token"] == second.refresh_token
    # The old refresh token is dead: Spotify's PKCE refresh tokens are single-use.
    async with httpx.AsyncClient() as raw:
        answer = await raw.post(
            f"{spotify_sim.url}/api/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": first.refresh_token,
                "client_id": spotify_sim.client_id,
            },
        )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    # And a second refresh through the client works with the stored (newest) token.
    third = await spotify.auth.refresh()
    assert third.refresh_token not in (first.refresh_token, second.refresh_token)


async def test_expiring_token_is_refreshed_before_use(
    spotify_sim: SpotifySimulator, store: Store, spotify_login: Login
) -> None:
    spotify_sim.token_lifetime_s = 30  # inside the 60 s safety margin: always "expiring"
    auth = make_auth(spotify_sim, store)
    await spotify_login(auth)
    before = spotify_sim.token_requests
    token = await auth.access_token()
    assert token
    assert spotify_sim.token_requests == before + 1


async def test_state_mismatch_is_refused(spotify_sim: SpotifySimulator, store: Store) -> None:
    auth = make_auth(spotify_sim, store)
    auth.begin_login()
    with pytest.raises(AuthError, match="state mismatch"):
        await auth.complete_login(f"{REDIRECT}?code=abc&state=forged")
    assert not auth.logged_in


async def test_denied_login_says_so(spotify_sim: SpotifySimulator, store: Store) -> None:
    spotify_sim.auto_approve = False
    auth = make_auth(spotify_sim, store)
    request = auth.begin_login()
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(request.url)
    with pytest.raises(AuthError, match="access_denied"):
        await auth.complete_login(answer.headers["location"])


async def test_simulator_checks_the_verifier(spotify_sim: SpotifySimulator) -> None:
    verifier = "v" * 64
    async with httpx.AsyncClient() as raw:
        auth_answer = await raw.get(
            f"{spotify_sim.url}/authorize",
            params={
                "client_id": spotify_sim.client_id,
                "response_type": "code",
                "redirect_uri": REDIRECT,
                "code_challenge_method": "S256",
                "code_challenge": challenge_for(verifier),
                "state": "s",
            },
        )
        code = parse_qs(urlsplit(auth_answer.headers["location"]).query)["code"][0]
        bad = await raw.post(
            f"{spotify_sim.url}/api/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": spotify_sim.client_id,
                "code_verifier": "w" * 64,
            },
        )
    assert bad.status_code == 400
    assert bad.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier was incorrect",
    }


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("http://127.0.0.1:8888/callback", True),
        ("http://[::1]:8888/callback", True),
        ("https://music.example.org/callback", True),
        ("http://localhost:8888/callback", False),
        ("https://localhost/callback", False),
        ("http://192.168.1.5:8888/callback", False),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_redirect_uri_rules(uri: str, ok: bool) -> None:
    if ok:
        assert validate_redirect_uri(uri) == uri
    else:
        with pytest.raises(ValueError):
            validate_redirect_uri(uri)


async def test_simulator_refuses_localhost_redirect(spotify_sim: SpotifySimulator) -> None:
    async with httpx.AsyncClient() as raw:
        answer = await raw.get(
            f"{spotify_sim.url}/authorize",
            params={
                "client_id": spotify_sim.client_id,
                "response_type": "code",
                "redirect_uri": "http://localhost:8888/callback",
                "code_challenge_method": "S256",
                "code_challenge": challenge_for("v" * 64),
            },
        )
    assert answer.status_code == 400
    assert "redirect" in answer.text.lower()


async def test_new_login_forgets_cached_identity(
    spotify_sim: SpotifySimulator, spotify: SpotifyClient, spotify_login: Login
) -> None:
    await spotify.me()
    spotify_sim.reset_counters()
    await spotify.me()
    assert spotify_sim.api_requests == 0  # cached
    await spotify_login(spotify.auth)
    await spotify.me()
    assert spotify_sim.api_requests == 1  # asked again after the new login
