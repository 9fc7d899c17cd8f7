"""The simulated Spotify accounts service: authorization code + PKCE, rotating refresh tokens.

Mixed into :class:`soulsync.sandbox.spotify.SpotifySimulator` (one port, as the
real ``accounts.spotify.com`` and Web API are two hosts of one service). The
rules are reference §1: S256 challenges only, loopback IPs or https redirect
URIs (``localhost`` refused since 2025), single-use refresh tokens.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

__all__ = ["SpotifyAccounts"]


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


def _loopback_or_https(uri: str) -> bool:
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host and host != "localhost":
        return True
    return parts.scheme == "http" and host in ("127.0.0.1", "::1")


class SpotifyAccounts:
    """``/authorize`` and ``/api/token``; the simulator provides the state below."""

    client_id: str
    auto_approve: bool
    token_lifetime_s: float
    token_requests: int
    requests: collections.Counter[str]
    _lock: threading.RLock
    _codes: dict[str, dict[str, str]]
    _access: dict[str, float]
    _refresh: set[str]

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        with self._lock:
            self.requests["/authorize"] += 1
        if q.get("client_id") != self.client_id:
            return Response("INVALID_CLIENT: Invalid client", status_code=400)
        redirect = q.get("redirect_uri", "")
        if not _loopback_or_https(redirect):
            return Response("INVALID_CLIENT: Insecure redirect URI", status_code=400)
        if q.get("response_type") != "code":
            return Response("unsupported_response_type", status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return Response("code_challenge (S256) is required", status_code=400)
        state = {"state": q["state"]} if "state" in q else {}
        sep = "&" if "?" in redirect else "?"
        if not self.auto_approve:
            return RedirectResponse(
                f"{redirect}{sep}{urlencode({'error': 'access_denied', **state})}", 302
            )
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = {
                "redirect_uri": redirect,
                "challenge": q["code_challenge"],
                "scope": q.get("scope", ""),
            }
        return RedirectResponse(f"{redirect}{sep}{urlencode({'code': code, **state})}", 302)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        with self._lock:
            self.token_requests += 1
            self.requests["/api/token"] += 1
        if form.get("client_id") != self.client_id:
            return _oauth_error("invalid_client", "Invalid client")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self._lock:
                pending = self._codes.pop(str(form.get("code", "")), None)
            if pending is None:
                return _oauth_error("invalid_grant", "Invalid authorization code")
            if form.get("redirect_uri") != pending["redirect_uri"]:
                return _oauth_error("invalid_grant", "Invalid redirect URI")
            verifier = str(form.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not 43 <= len(verifier) <= 128 or challenge != pending["challenge"]:
                return _oauth_error("invalid_grant", "code_verifier was incorrect")
            return JSONResponse(self._new_tokens(pending["scope"]))
        if grant == "refresh_token":
            old = str(form.get("refresh_token", ""))
            with self._lock:
                if old not in self._refresh:
                    return _oauth_error("invalid_grant", "Invalid refresh token")
                # PKCE refresh tokens are single-use: the old one dies now.
                self._refresh.discard(old)
            return JSONResponse(self._new_tokens("playlist-read-private"))
        return _oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    def _new_tokens(self, scope: str) -> dict[str, Any]:
        access = secrets.token_urlsafe(24)
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = time.time() + self.token_lifetime_s
            self._refresh.add(refresh)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": int(self.token_lifetime_s),
            "refresh_token": refresh,
        }
