"""Spotify login: authorization code with PKCE (S256), tokens kept in the store.

No client secret is needed (PKCE), which suits a self-hosted app. Two Spotify
rules shape this module (reference §1.2):

* Redirect URIs must be HTTPS or a **loopback IP literal** (``http://127.0.0.1:PORT/...``
  or ``http://[::1]:PORT/...``); ``localhost`` has been refused since 2025.
* A PKCE refresh token is single-use: each refresh returns a new one and the
  old one dies. We always store the newest, and refresh under a lock so two
  coroutines never spend the same refresh token.

Headless use: :meth:`SpotifyAuth.begin_login` returns the URL to open in any
browser; after approving, the browser lands on the (probably dead) redirect
URL; the user pastes that URL into :meth:`SpotifyAuth.complete_login`. The
verifier and state wait in the store meanwhile, so the web UI can use the same
two steps across requests.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from soulsync.providers.base import AuthError, ServiceUnavailable
from soulsync.providers.token_cipher import TokenCipher, TokenCipherError
from soulsync.store import Store

log = logging.getLogger(__name__)

SERVICE = "spotify"
TOKEN_KEY = "spotify.token"
PENDING_KEY = "spotify.pending_login"
DEFAULT_SCOPES = ("playlist-read-private", "playlist-read-collaborative")
PENDING_TTL_S = 15 * 60
# Refresh a little early so a token never expires between check and use.
EXPIRY_MARGIN_S = 60.0


def validate_redirect_uri(uri: str) -> str:
    """Return ``uri`` if Spotify would accept it, else raise ``ValueError`` saying why."""
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"redirect URI {uri!r} must be http(s)://127.0.0.1:PORT/...")
    if host == "localhost" or host.endswith(".localhost"):
        raise ValueError(
            "Spotify refuses 'localhost' redirect URIs; use the loopback IP, "
            "e.g. http://127.0.0.1:8888/callback"
        )
    if parts.scheme == "http" and host not in ("127.0.0.1", "::1"):
        raise ValueError("plain http redirect URIs must use 127.0.0.1 or [::1]; else use https")
    return uri


def make_verifier() -> str:
    """A random PKCE code verifier (64 URL-safe characters, within 43-128)."""
    return secrets.token_urlsafe(48)


def challenge_for(verifier: str) -> str:
    """The S256 code challenge: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """Step one of a login: the URL to open and the state that must come back."""

    url: str
    state: str
    verifier: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the store holds about the current login (secrets hidden from repr)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    scope: str

    @property
    def expired(self) -> bool:
        """True when the access token is (about to be) unusable."""
        return time.time() >= self.expires_at - EXPIRY_MARGIN_S


class SpotifyAuth:
    """PKCE login, token storage and refresh for one Spotify app (client id)."""

    def __init__(
        self,
        store: Store,
        *,
        client_id: str,
        redirect_uri: str,
        accounts_base: str = "https://accounts.spotify.com",
        scopes: tuple[str, ...] | list[str] = DEFAULT_SCOPES,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = 15.0,
        cipher: TokenCipher | None = None,
    ) -> None:
        if not client_id:
            raise AuthError(SERVICE, "no client id configured (spotify.client_id)")
        self.store = store
        self.client_id = client_id
        self.redirect_uri = validate_redirect_uri(redirect_uri)
        self.accounts_base = accounts_base.rstrip("/")
        self.scopes = tuple(scopes)
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._owns_http = http is None
        self._refresh_lock = asyncio.Lock()
        # Tokens are stored encrypted when a cipher is given (see token_cipher).
        self.cipher = cipher

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    # -- login ---------------------------------------------------------------------------

    def begin_login(self) -> LoginRequest:
        """Build the authorize URL (S256 challenge + state) and remember the verifier."""
        verifier = make_verifier()
        state = secrets.token_urlsafe(16)
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "code_challenge_method": "S256",
            "code_challenge": challenge_for(verifier),
            "scope": " ".join(self.scopes),
            "state": state,
        }
        self.store.set_setting(
            PENDING_KEY,
            {"state": state, "verifier": verifier, "expires_at": time.time() + PENDING_TTL_S},
        )
        url = f"{self.accounts_base}/authorize?{urlencode(query)}"
        return LoginRequest(url=url, state=state, verifier=verifier)

    async def complete_login(self, redirected_url: str) -> TokenInfo:
        """Finish a login from the URL the browser was sent back to (code + state)."""
        pending = self.store.get_setting(PENDING_KEY)
        if not pending or pending.get("expires_at", 0) < time.time():
            raise AuthError(SERVICE, "no login in progress (or it expired); start again")
        params = parse_qs(urlsplit(redirected_url.strip()).query)
        if "error" in params:
            raise AuthError(SERVICE, f"Spotify refused the login: {params['error'][0]}")
        code = params.get("code", [""])[0]
        state = params.get("state", [""])[0]
        if not code:
            raise AuthError(SERVICE, "the pasted URL has no 'code' parameter")
        if not secrets.compare_digest(state, pending["state"]):
            raise AuthError(SERVICE, "state mismatch: the pasted URL is not from this login")
        body = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "client_id": self.client_id,
                "code_verifier": pending["verifier"],
            }
        )
        self.store.delete_setting(PENDING_KEY)
        # A new login may be another account: forget the cached "who am I".
        self.store.cache_put("spotify", "/me", "null", ttl_s=-1)
        return self._save(body, previous_refresh=None)

    # -- tokens --------------------------------------------------------------------------

    def token_info(self) -> TokenInfo | None:
        """The stored tokens, or None when nobody has logged in."""
        raw = self.store.get_setting(TOKEN_KEY)
        if not raw:
            return None
        try:
            info = TokenInfo(
                access_token=self._open(raw["access_token"]) or "",
                refresh_token=self._open(raw.get("refresh_token")),
                expires_at=float(raw.get("expires_at", 0)),
                scope=raw.get("scope", ""),
            )
        except TokenCipherError as exc:
            log.warning("stored Spotify tokens cannot be read (%s); log in again", exc)
            return None
        if self.cipher is not None and not TokenCipher.is_encrypted(raw.get("refresh_token")):
            self._store_tokens(info)  # stored before encryption existed: encrypt now
        return info

    def _open(self, stored: str | None) -> str | None:
        if stored is None or self.cipher is None:
            return stored
        return self.cipher.decrypt(stored)

    def _seal(self, value: str | None) -> str | None:
        if value is None or self.cipher is None:
            return value
        return self.cipher.encrypt(value)

    def _store_tokens(self, info: TokenInfo) -> None:
        self.store.set_setting(
            TOKEN_KEY,
            {
                "access_token": self._seal(info.access_token),
                "refresh_token": self._seal(info.refresh_token),
                "expires_at": info.expires_at,
                "scope": info.scope,
            },
        )

    @property
    def logged_in(self) -> bool:
        """True when tokens are stored."""
        return self.token_info() is not None

    def logout(self) -> None:
        """Forget the stored tokens."""
        self.store.delete_setting(TOKEN_KEY)

    async def access_token(self) -> str:
        """A usable access token, refreshing it first when it is about to expire."""
        info = self.token_info()
        if info is None:
            raise AuthError(SERVICE, "not logged in; run `soulsync spotify login`")
        if not info.expired:
            return info.access_token
        return (await self.refresh(stale=info.access_token)).access_token

    async def refresh(self, stale: str | None = None) -> TokenInfo:
        """Trade the stored refresh token for new tokens and store the newest pair.

        ``stale`` is the access token the caller found unusable: if another
        coroutine already refreshed meanwhile, its result is reused instead of
        spending the (single-use) refresh token a second time.
        """
        async with self._refresh_lock:
            info = self.token_info()
            if info is None:
                raise AuthError(SERVICE, "not logged in; run `soulsync spotify login`")
            if stale is not None and info.access_token != stale and not info.expired:
                return info
            if not info.refresh_token:
                raise AuthError(SERVICE, "no refresh token stored; log in again")
            body = await self._token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": info.refresh_token,
                    "client_id": self.client_id,
                }
            )
            return self._save(body, previous_refresh=info.refresh_token)

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self._http.post(f"{self.accounts_base}/api/token", data=form)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(SERVICE, f"accounts service unreachable: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500:
            raise ServiceUnavailable(SERVICE, f"accounts service error {response.status_code}")
        if response.status_code != 200 or "access_token" not in body:
            error = body.get("error", f"HTTP {response.status_code}")
            detail = body.get("error_description", "")
            if error == "invalid_grant" and form["grant_type"] == "refresh_token":
                # The refresh token is dead (revoked or already spent): a new login is needed.
                self.logout()
            raise AuthError(SERVICE, f"token request failed: {error} {detail}".strip())
        return dict(body)

    def _save(self, body: dict[str, Any], previous_refresh: str | None) -> TokenInfo:
        info = TokenInfo(
            access_token=body["access_token"],
            # Keep the old refresh token only when Spotify did not send a new one.
            refresh_token=body.get("refresh_token") or previous_refresh,
            expires_at=time.time() + float(body.get("expires_in", 3600)),
            scope=body.get("scope", ""),
        )
        self._store_tokens(info)
        return info
