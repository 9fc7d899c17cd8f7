"""Navidrome or any Subsonic/OpenSubsonic server as a :class:`~soulsync.providers.base.MediaServer`.

The Subsonic API (subsonic.org/pages/api.jsp, opensubsonic.netlify.app) as
servers really answer it:

* Every call is ``GET/POST {base}/rest/{method}`` with ``u``, ``v``, ``c``,
  ``f=json`` and either token auth (``s`` = random salt, ``t`` = md5(password
  + salt)) or the legacy password (``p=enc:<hex>``). Errors come back with
  HTTP 200 and ``status: "failed"`` plus a numeric code (40 wrong
  credentials, 41 token auth not supported, 50 not authorised, 70 not found).
  A server without token auth (supysonic: ``request.values["p"]`` in its
  ``api/__init__.py``) answers code 10 "missing parameter" or 41 to a token;
  the client then switches to the legacy password for good.
* All songs: ``search3`` with an empty ``query``, paged with
  ``songCount``/``songOffset`` (artists and albums asked for 0).
* Playlists: ``createPlaylist?name=&songId=…`` creates; with ``playlistId``
  instead it *replaces* the songs in the given order (Navidrome and
  supysonic ``api/playlists.py``: ``playlist.clear()`` then add in order).
  It answers the playlist on OpenSubsonic servers and an empty body on
  older ones, so a new playlist's id is found by listing when needed.
  Song ids repeat fine: Subsonic playlists may hold a track twice.
* Scans: ``startScan`` (admin) and ``getScanStatus`` → ``scanning``,
  ``count`` and, on Navidrome, ``lastScan``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from soulsync.domain import LibraryTrack
from soulsync.providers.base import (
    AuthError,
    ConnectionStatus,
    NotFound,
    ProviderError,
    RemotePlaylist,
    ServiceUnavailable,
    lists_every_file,
    verify_read_back,
)

log = logging.getLogger(__name__)

SERVICE = "navidrome"
API_VERSION = "1.16.1"
CLIENT_NAME = "SoulSync"
_NO_TOKEN_CODES = (10, 41)  # missing "p" (no token support) / token auth not supported


class SubsonicError(ProviderError):
    """A ``status: "failed"`` answer; ``code`` is the Subsonic error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(SERVICE, f"the server answered error {code}: {message}")
        self.code = code


class SubsonicMediaServer:
    """A Subsonic-API music library: paged song reads, playlists replaced in order, scans."""

    name = SERVICE
    unique_items = False

    def __init__(
        self,
        url: str,
        username: str,
        password: str | SecretStr,
        *,
        legacy_auth: bool = False,
        page_size: int = 500,
        timeout_s: float = 30.0,
        scan_timeout_s: float = 900.0,
        scan_poll_s: float = 1.0,
        scan_start_grace_s: float = 5.0,
    ) -> None:
        if not url:
            raise ValueError("navidrome.url is empty")
        if not username:
            raise ValueError("navidrome.username is empty")
        self.url = url.rstrip("/")
        self.username = username
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.legacy_auth = legacy_auth
        self.page_size = page_size
        self.timeout_s = timeout_s
        self.scan_timeout_s = scan_timeout_s
        self.scan_poll_s = scan_poll_s
        self.scan_start_grace_s = scan_start_grace_s
        self._token_confirmed = False
        self.server_type: str | None = None
        self.server_version: str | None = None
        self.open_subsonic = False
        self._client = httpx.AsyncClient(base_url=self.url, timeout=timeout_s)

    def __repr__(self) -> str:
        return f"SubsonicMediaServer(url={self.url!r}, username={self.username!r})"

    @classmethod
    def from_settings(cls, settings: Any) -> SubsonicMediaServer:
        """Build from the ``[navidrome]`` config section."""
        return cls(
            settings.url,
            settings.username,
            settings.password,
            legacy_auth=settings.legacy_auth,
            page_size=settings.page_size,
        )

    # -- MediaServer protocol ----------------------------------------------------------

    async def test_connection(self) -> ConnectionStatus:
        """Ping with the credentials, and list the OpenSubsonic extensions; never raises."""
        try:
            await self._call("ping")
            extensions: list[str] = []
            if self.open_subsonic:
                body = await self._call("getOpenSubsonicExtensions")
                extensions = [str(e.get("name")) for e in body.get("openSubsonicExtensions") or []]
        except ProviderError as exc:
            return ConnectionStatus(SERVICE, False, exc.message)
        kind = self.server_type or "Subsonic server"
        version = f" {self.server_version}" if self.server_version else ""
        auth = "password" if self.legacy_auth else "token"
        detail = f"{kind}{version} (Subsonic API {API_VERSION}, {auth} auth)"
        if extensions:
            detail += f", OpenSubsonic extensions: {', '.join(sorted(extensions))}"
        return ConnectionStatus(SERVICE, True, detail)

    async def all_tracks(self) -> list[LibraryTrack]:
        """Every song, via ``search3`` with an empty query, ``page_size`` at a time."""
        started = time.monotonic()
        tracks: dict[str, LibraryTrack] = {}
        offset = 0
        while True:
            body = await self._call(
                "search3",
                query="",
                artistCount=0,
                albumCount=0,
                songCount=self.page_size,
                songOffset=offset,
            )
            songs = (body.get("searchResult3") or {}).get("song") or []
            before = len(tracks)
            for song in songs:
                track = track_from_song(song)
                tracks.setdefault(track.id, track)
            offset += len(songs)
            # Servers cap the page (Navidrome at 500) below what was asked, so a
            # short page is not the end: only an empty one is. A server that
            # ignores songOffset would repeat itself; nothing new also ends it.
            if not songs or len(tracks) == before:
                break
        log.info("read %d Subsonic songs in %.1f s", len(tracks), time.monotonic() - started)
        return list(tracks.values())

    async def library_version(self) -> str | None:
        """None: no cheap stamp of the whole library (the cache's TTL applies)."""
        return None

    async def list_playlists(self) -> list[RemotePlaylist]:
        """The user's playlists (without entries)."""
        body = await self._call("getPlaylists")
        return [
            RemotePlaylist(id=str(p["id"]), title=str(p.get("name") or ""))
            for p in (body.get("playlists") or {}).get("playlist") or []
        ]

    async def get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        """A playlist with its entries in order, or None if it no longer exists."""
        try:
            body = await self._call("getPlaylist", id=playlist_id)
        except SubsonicError as exc:
            if exc.code == 70:
                return None
            raise
        playlist = body.get("playlist") or {}
        entries = playlist.get("entry") or []
        return RemotePlaylist(
            id=str(playlist.get("id") or playlist_id),
            title=str(playlist.get("name") or ""),
            item_ids=tuple(str(e["id"]) for e in entries),
        )

    async def create_playlist(
        self, title: str, track_ids: list[str], *, summary: str | None = None
    ) -> RemotePlaylist:
        """Create a playlist with ``track_ids`` in this order, verified by reading it back.

        ``summary`` (SoulSync's marker) is not stored here: this server's playlist
        is found again by the id SoulSync keeps.
        """
        if not title.strip():
            raise ProviderError(SERVICE, "a playlist needs a title")
        before = {p.id for p in await self.list_playlists()}
        body = await self._call("createPlaylist", _post=True, name=title, songId=list(track_ids))
        playlist_id = str((body.get("playlist") or {}).get("id") or "")
        if not playlist_id:
            # Subsonic before 1.14 (and supysonic) answer an empty body: find the new one.
            fresh = [p for p in await self.list_playlists() if p.id not in before]
            named = [p for p in fresh if p.title == title]
            if len(named) != 1:
                raise ProviderError(
                    SERVICE, f"created the playlist {title!r} but cannot tell which one is new"
                )
            playlist_id = named[0].id
        result = await self._read(playlist_id)
        _verify(result, track_ids)
        log.info("created Subsonic playlist %r (%d tracks)", title, len(track_ids))
        return result

    async def replace_playlist_items(
        self, playlist_id: str, track_ids: list[str]
    ) -> RemotePlaylist:
        """Make the playlist hold exactly ``track_ids`` in order, then verify.

        When the playlist already starts with what it holds (append-only
        sync, or new tracks at the end), ``updatePlaylist`` adds just the
        tail; otherwise ``createPlaylist`` with ``playlistId`` replaces the
        songs in the given order.
        """
        current = await self.get_playlist(playlist_id)
        if current is None:
            raise NotFound(SERVICE, f"there is no playlist with id {playlist_id} on the server")
        have = list(current.item_ids)
        if have == list(track_ids[: len(have)]) and len(track_ids) > len(have):
            await self._call(
                "updatePlaylist",
                _post=True,
                playlistId=playlist_id,
                songIdToAdd=list(track_ids[len(have) :]),
            )
        elif have != list(track_ids):
            await self._call(
                "createPlaylist", _post=True, playlistId=playlist_id, songId=list(track_ids)
            )
        result = await self._read(playlist_id)
        _verify(result, track_ids)
        log.info("replaced the songs of Subsonic playlist %r (%d)", result.title, len(track_ids))
        return result

    async def delete_playlist(self, playlist_id: str) -> bool:
        """Delete a playlist; False if it did not exist."""
        try:
            await self._call("deletePlaylist", id=playlist_id)
        except SubsonicError as exc:
            if exc.code == 70:
                return False
            raise
        return True

    async def scan(
        self, path: str | None = None, wait: bool = True, *, expect: Sequence[str] = ()
    ) -> None:
        """``startScan`` (the API has no per-folder scan) and poll ``getScanStatus`` until done."""
        before = await self._scan_status()
        started_status = await self._call("startScan")
        log.info("asked the Subsonic server to scan%s", f" (for {path})" if path else "")
        if not wait:
            return
        started = time.monotonic()
        seen_running = bool((started_status.get("scanStatus") or {}).get("scanning"))
        while True:
            status = await self._scan_status()
            if status.get("scanning"):
                seen_running = True
            elif seen_running or status.get("lastScan") != before.get("lastScan"):
                return
            elif time.monotonic() - started > self.scan_start_grace_s and (
                not expect or await self._have_files(expect)
            ):
                # Never saw it run (quicker than a poll, or queued): done once the
                # files the caller expects are listed; without any, trust the grace.
                return
            if time.monotonic() - started > self.scan_timeout_s:
                raise ProviderError(
                    SERVICE, f"the server did not finish scanning within {self.scan_timeout_s:g} s"
                )
            await asyncio.sleep(self.scan_poll_s)

    async def _have_files(self, expect: Sequence[str]) -> bool:
        """True when the library lists a track for every expected file (by file name)."""
        return lists_every_file((t.path for t in await self.all_tracks()), expect)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    # -- plumbing ------------------------------------------------------------------------

    async def _read(self, playlist_id: str) -> RemotePlaylist:
        playlist = await self.get_playlist(playlist_id)
        if playlist is None:
            raise NotFound(SERVICE, f"playlist {playlist_id} vanished from the server")
        return playlist

    async def _scan_status(self) -> dict[str, Any]:
        body = await self._call("getScanStatus")
        return dict(body.get("scanStatus") or {})

    def _auth_params(self) -> dict[str, str]:
        params = {"u": self.username, "v": API_VERSION, "c": CLIENT_NAME, "f": "json"}
        password = self._password.get_secret_value()
        if self.legacy_auth:
            params["p"] = "enc:" + password.encode().hex()
        else:
            salt = secrets.token_hex(8)
            params["s"] = salt
            params["t"] = hashlib.md5((password + salt).encode()).hexdigest()
        return params

    async def _call(self, method: str, *, _post: bool = False, **params: Any) -> dict[str, Any]:
        try:
            return await self._call_once(method, _post, params)
        except SubsonicError as exc:
            if self.legacy_auth or self._token_confirmed or exc.code not in _NO_TOKEN_CODES:
                raise
            log.info("the Subsonic server does not take token auth; using the legacy password")
            self.legacy_auth = True
            return await self._call_once(method, _post, params)

    async def _call_once(self, method: str, post: bool, params: dict[str, Any]) -> dict[str, Any]:
        query: list[tuple[str, str]] = list(self._auth_params().items())
        for key, value in params.items():
            values = value if isinstance(value, list | tuple) else [value]
            query.extend((key, str(v)) for v in values)
        path = f"/rest/{method}"
        try:
            if post:
                # A form body: a long playlist's song ids would not fit in a URL.
                response = await self._client.post(
                    path,
                    content=urlencode(query),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
            else:
                response = await self._client.get(path, params=urlencode(query))
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                SERVICE, f"the server at {self.url} did not answer within {self.timeout_s:g} s"
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(SERVICE, f"the server is not reachable at {self.url}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(
                SERVICE, f"the server at {self.url} is not available (HTTP {response.status_code})"
            )
        try:
            body = response.json()["subsonic-response"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError(
                SERVICE,
                f"{method}: the server at {self.url} sent no Subsonic JSON "
                f"(HTTP {response.status_code})",
            ) from exc
        self.server_type = body.get("type") or self.server_type
        self.server_version = body.get("serverVersion") or self.server_version
        self.open_subsonic = bool(body.get("openSubsonic")) or self.open_subsonic
        if body.get("status") != "ok":
            error = body.get("error") or {}
            code = int(error.get("code") or 0)
            message = str(error.get("message") or "unknown error")
            if code == 40:
                raise AuthError(SERVICE, "wrong user name or password (error 40)")
            if code == 50:
                raise AuthError(SERVICE, f"{method}: this user may not do that (error 50)")
            raise SubsonicError(code, f"{method}: {message}")
        if not self.legacy_auth:
            self._token_confirmed = True
        return dict(body)


def track_from_song(song: dict[str, Any]) -> LibraryTrack:
    """A Subsonic ``song``/``child`` as a :class:`LibraryTrack` (duration is in seconds)."""
    duration = song.get("duration")
    isrc = song.get("isrc")
    if isinstance(isrc, list):
        isrc = isrc[0] if isrc else None
    artists = [a.get("name") for a in song.get("artists") or [] if a.get("name")]
    return LibraryTrack(
        id=str(song["id"]),
        title=str(song.get("title") or ""),
        artist=str(song.get("artist") or (" & ".join(artists) if artists else "")),
        album=song.get("album") or None,
        album_artist=song.get("displayAlbumArtist") or None,
        track_number=song.get("track"),
        disc_number=song.get("discNumber"),
        duration_ms=int(duration) * 1000 if duration is not None else None,
        path=song.get("path") or None,
        isrc=isrc or None,
        year=song.get("year"),
    )


def _verify(playlist: RemotePlaylist, wanted: Sequence[str]) -> None:
    verify_read_back(SERVICE, "playlist", playlist, wanted)
