"""Spotify tokens are encrypted at rest with a key file outside the database (issue 14, item 14)."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import TOKEN_KEY, SpotifyAuth
from soulsync.providers.token_cipher import KEY_FILENAME, TokenCipher
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.store import Store

REDIRECT = "http://127.0.0.1:43110/callback"
Login = Callable[[SpotifyAuth], Awaitable[None]]


def _auth(sim: SpotifySimulator, store: Store, key: Path | None) -> SpotifyAuth:
    return SpotifyAuth(
        store,
        client_id=sim.client_id,
        redirect_uri=REDIRECT,
        accounts_base=sim.url,
        cipher=TokenCipher(key) if key is not None else None,
    )


def _database_text(store: Store) -> str:
    with sqlite3.connect(store.path) as conn:
        return "\n".join(str(row) for row in conn.execute("SELECT * FROM settings"))


async def test_tokens_are_stored_encrypted_and_still_work(
    spotify_sim: SpotifySimulator, store: Store, spotify_login: Login, tmp_path: Path
) -> None:
    key = tmp_path / "config" / KEY_FILENAME
    auth = _auth(spotify_sim, store, key)
    await spotify_login(auth)
    info = auth.token_info()
    assert info is not None and info.refresh_token
    on_disk = _database_text(store)
    assert info.refresh_token not in on_disk
    assert info.access_token not in on_disk
    assert "fernet:" in on_disk
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    client = SpotifyClient(store, auth, api_base=spotify_sim.api_base, min_gap_s=0)
    try:
        assert (await client.me())["id"] == spotify_sim.user_id
    finally:
        await client.aclose()


async def test_plain_tokens_from_before_are_encrypted_on_first_read(
    spotify_sim: SpotifySimulator, store: Store, spotify_login: Login, tmp_path: Path
) -> None:
    await spotify_login(_auth(spotify_sim, store, None))
    plain = store.get_setting(TOKEN_KEY)["refresh_token"]
    assert plain in _database_text(store)
    auth = _auth(spotify_sim, store, tmp_path / KEY_FILENAME)
    info = auth.token_info()
    assert info is not None and info.refresh_token == plain
    assert plain not in _database_text(store)


async def test_without_its_key_the_database_holds_nothing_usable(
    spotify_sim: SpotifySimulator, store: Store, spotify_login: Login, tmp_path: Path
) -> None:
    key = tmp_path / KEY_FILENAME
    await spotify_login(_auth(spotify_sim, store, key))
    key.unlink()
    assert _auth(spotify_sim, store, key).token_info() is None  # logged out, no crash
    # Another key does not fit either.
    other = tmp_path / "other.key"
    TokenCipher(other).encrypt("x")
    assert _auth(spotify_sim, store, other).token_info() is None
