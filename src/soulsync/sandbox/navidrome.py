"""A Navidrome-flavoured Subsonic/OpenSubsonic simulator (JSON only) on a real local port.

It covers what the Subsonic adapter and the OpenSubsonic extensions need,
shaped after Navidrome's source (github.com/navidrome/navidrome):

* ``server/subsonic/middlewares.go`` - auth by ``u`` with ``t``/``s`` (token =
  md5(password + salt)) or ``p`` (plain or ``enc:`` hex); wrong credentials
  are error 40, a missing parameter error 10, all with HTTP 200.
* ``server/subsonic/opensubsonic.go`` - ``getOpenSubsonicExtensions`` lists
  ``{name, versions}``; every answer carries ``type: "navidrome"``,
  ``serverVersion`` and ``openSubsonic: true``.
* ``server/subsonic/library_scanning.go`` - ``startScan`` (admin only, else
  error 50; ``fullScan`` accepted) starts a scan in the background and answers
  the current ``scanStatus``; ``getScanStatus`` gives ``scanning``, ``count``,
  ``folderCount`` and ``lastScan``.
* ``search3`` with an empty query lists every song, paged by
  ``songCount``/``songOffset`` (at most 500 per page here).
* Playlists: ``createPlaylist`` (``name`` → new; ``playlistId`` → the songs
  are replaced in order) answers the playlist; ``updatePlaylist``
  (``songIdToAdd``, ``songIndexToRemove``); ``getPlaylists``, ``getPlaylist``,
  ``deletePlaylist``. A playlist may hold a song twice.

Parameters are read from the query string and from a form body (the
``formPost`` extension). Knobs: ``token_auth`` (False answers error 41 to a
token, like an LDAP-backed account), ``down``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from soulsync.sandbox.media_sim import LibrarySimulator
from soulsync.sandbox.plex_library import SimTrack

MAX_SONG_PAGE = 500
EXTENSIONS = (("transcodeOffset", [1]), ("formPost", [1]), ("songLyrics", [1, 2]))


@dataclass
class SubsonicPlaylist:
    """A playlist: its owner and song ids in order (repeats allowed)."""

    id: str
    name: str
    owner: str
    songs: list[str] = field(default_factory=list)
    created: str = ""
    changed: str = ""


class _Failed(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NavidromeSimulator(LibrarySimulator):
    """A simulated Navidrome with one music folder over ``library_dirs``."""

    server_name = "navidrome"

    def __init__(
        self,
        library_dirs: list[Path],
        *,
        username: str = "admin",
        password: str = "sandbox-navidrome-password",
        admin: bool = True,
        version: str = "0.58.0 (sandbox)",
        **scan: Any,
    ) -> None:
        super().__init__(library_dirs, **scan)
        self.username = username
        self.password = password
        self.admin = admin
        self.version = version
        self.token_auth = True
        self.playlists: dict[str, SubsonicPlaylist] = {}
        self.auth_modes: list[str] = []  # "token" or "password", per authenticated call
        self._next_playlist = 1

    # -- ids ------------------------------------------------------------------------------

    @staticmethod
    def song_id(track: SimTrack) -> str:
        """A Navidrome-style song id (22 characters)."""
        return hashlib.md5(f"navidrome:{track.rating_key}".encode()).hexdigest()[:22]

    def _songs_by_id(self) -> dict[str, SimTrack]:
        return {self.song_id(t): t for t in self.state.sorted_tracks()}

    def _song(self, track: SimTrack) -> dict[str, Any]:
        root = self.library_dirs[0]
        try:
            rel = str(Path(track.file).relative_to(root))
        except ValueError:
            rel = track.file
        return {
            "id": self.song_id(track),
            "parent": hashlib.md5(f"album:{track.album_key}".encode()).hexdigest()[:22],
            "isDir": False,
            "title": track.title,
            "album": track.album,
            "artist": track.track_artist,
            "track": track.index,
            "discNumber": track.disc,
            "year": track.year,
            "duration": round((track.duration_ms or 0) / 1000),
            "size": track.size,
            "suffix": track.container,
            "bitRate": track.bitrate or 0,
            "path": rel,
            "albumId": hashlib.md5(f"album:{track.album_key}".encode()).hexdigest()[:22],
            "artistId": hashlib.md5(f"artist:{track.artist_key}".encode()).hexdigest()[:22],
            "type": "music",
            "isrc": [],
            "displayAlbumArtist": track.album_artist,
            "mediaType": "song",
        }

    # -- the app ------------------------------------------------------------------------

    def build_app(self) -> Any:
        """``/rest/{method}`` and ``/rest/{method}.view``, GET and POST."""
        return Starlette(routes=[Route("/rest/{method}", self._dispatch, methods=["GET", "POST"])])

    def _envelope(self, status: str, extra: dict[str, Any]) -> JSONResponse:
        body = {
            "status": status,
            "version": "1.16.1",
            "type": "navidrome",
            "serverVersion": self.version,
            "openSubsonic": True,
            **extra,
        }
        return JSONResponse({"subsonic-response": body})

    async def _dispatch(self, request: Request) -> Response:
        method = request.path_params["method"].removesuffix(".view")
        self.requests[f"{request.method} /rest/{method}"] += 1
        if self.down:
            return Response("Service Unavailable", 503)
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            form = await request.form()
            for key, item in form.multi_items():
                params.setdefault(key, []).append(str(item))
        try:
            self._authenticate(params)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return Response("404 page not found", 404)
            result: dict[str, Any] = handler(params)
        except _Failed as exc:
            return self._envelope("failed", {"error": {"code": exc.code, "message": exc.message}})
        return self._envelope("ok", result)

    def _authenticate(self, params: dict[str, list[str]]) -> None:
        user = _one(params, "u")
        for required in ("u", "v", "c"):
            if not params.get(required):
                raise _Failed(10, f"required '{required}' parameter is missing")
        if "t" in params and "s" in params:
            if not self.token_auth:
                raise _Failed(41, "Token authentication not supported")
            token = hashlib.md5((self.password + _one(params, "s")).encode()).hexdigest()
            if user != self.username or _one(params, "t").lower() != token:
                raise _Failed(40, "Wrong username or password")
            self.auth_modes.append("token")
            return
        if "p" not in params:
            raise _Failed(10, "required 'p' parameter is missing")
        password = _one(params, "p")
        if password.startswith("enc:"):
            try:
                password = bytes.fromhex(password[4:]).decode()
            except ValueError as exc:
                raise _Failed(40, "Wrong username or password") from exc
        if user != self.username or password != self.password:
            raise _Failed(40, "Wrong username or password")
        self.auth_modes.append("password")

    # -- methods ------------------------------------------------------------------------

    def _m_ping(self, params: dict[str, list[str]]) -> dict[str, Any]:
        return {}

    def _m_getOpenSubsonicExtensions(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        return {"openSubsonicExtensions": [{"name": n, "versions": v} for n, v in EXTENSIONS]}

    def _m_search3(self, params: dict[str, list[str]]) -> dict[str, Any]:
        if "query" not in params:
            raise _Failed(10, "required 'query' parameter is missing")
        query = _one(params, "query").strip('"').casefold()
        count = min(_int(params, "songCount", 20), MAX_SONG_PAGE)
        offset = _int(params, "songOffset", 0)
        tracks = self.state.sorted_tracks()
        if query:
            tracks = [t for t in tracks if query in t.title.casefold()]
        page = tracks[offset : offset + count]
        return {"searchResult3": {"song": [self._song(t) for t in page]}}

    def _playlist_summary(self, playlist: SubsonicPlaylist) -> dict[str, Any]:
        by_id = self._songs_by_id()
        return {
            "id": playlist.id,
            "name": playlist.name,
            "songCount": len(playlist.songs),
            "duration": sum(
                round((by_id[s].duration_ms or 0) / 1000) for s in playlist.songs if s in by_id
            ),
            "public": False,
            "owner": playlist.owner,
            "created": playlist.created,
            "changed": playlist.changed,
        }

    def _playlist_full(self, playlist: SubsonicPlaylist) -> dict[str, Any]:
        by_id = self._songs_by_id()
        return {
            **self._playlist_summary(playlist),
            "entry": [self._song(by_id[s]) for s in playlist.songs if s in by_id],
        }

    def _find(self, playlist_id: str) -> SubsonicPlaylist:
        playlist = self.playlists.get(playlist_id)
        if playlist is None:
            raise _Failed(70, "playlist not found")
        return playlist

    def _m_getPlaylists(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        return {
            "playlists": {"playlist": [self._playlist_summary(p) for p in self.playlists.values()]}
        }

    def _m_getPlaylist(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        return {"playlist": self._playlist_full(self._find(_one(params, "id")))}

    def _m_createPlaylist(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        songs = params.get("songId", [])
        known = self._songs_by_id()
        unknown = [s for s in songs if s not in known]
        if unknown:
            raise _Failed(70, f"song {unknown[0]} not found")
        if params.get("playlistId"):
            playlist = self._find(_one(params, "playlistId"))
            playlist.songs = list(songs)
            if params.get("name"):
                playlist.name = _one(params, "name")
        elif params.get("name"):
            pid = f"pl{self._next_playlist:04d}"
            self._next_playlist += 1
            playlist = SubsonicPlaylist(
                pid, _one(params, "name"), self.username, list(songs), _now_iso()
            )
            self.playlists[pid] = playlist
        else:
            raise _Failed(10, "required 'name' or 'playlistId' parameter is missing")
        playlist.changed = _now_iso()
        return {"playlist": self._playlist_full(playlist)}

    def _m_updatePlaylist(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        playlist = self._find(_one(params, "playlistId"))
        remove = {int(i) for i in params.get("songIndexToRemove", [])}
        playlist.songs = [s for n, s in enumerate(playlist.songs) if n not in remove]
        playlist.songs.extend(params.get("songIdToAdd", []))
        if params.get("name"):
            playlist.name = _one(params, "name")
        playlist.changed = _now_iso()
        return {}

    def _m_deletePlaylist(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        self._find(_one(params, "id"))
        del self.playlists[_one(params, "id")]
        return {}

    def _scan_status(self) -> dict[str, Any]:
        last = (
            datetime.fromtimestamp(self.last_scan_at, UTC).isoformat().replace("+00:00", "Z")
            if self.last_scan_at
            else None
        )
        status: dict[str, Any] = {
            "scanning": self.scanning,
            "count": len(self.state.tracks),
            "folderCount": len({Path(t.file).parent for t in self.state.tracks.values()}),
        }
        if last is not None:
            status["lastScan"] = last
        return status

    def _m_getScanStatus(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        return {"scanStatus": self._scan_status()}

    def _m_startScan(self, params: dict[str, list[str]]) -> dict[str, Any]:  # noqa: N802
        if not self.admin:
            raise _Failed(50, "User not authorized for the given operation")
        self.request_scan(None)
        return {"scanStatus": self._scan_status()}


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key)
    if not values:
        raise _Failed(10, f"required '{key}' parameter is missing")
    return values[0]


def _int(params: dict[str, list[str]], key: str, default: int) -> int:
    values = params.get(key)
    if not values:
        return default
    try:
        return max(0, int(values[0]))
    except ValueError as exc:
        raise _Failed(0, f"'{key}' must be a number") from exc
