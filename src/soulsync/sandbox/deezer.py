"""A Deezer public API simulator (no auth), shaped after reference §4.3.

Deezer answers errors with **HTTP 200** and a body ``{"error": {"type",
"message", "code"}}``: code 800 ``DataException`` "no data" for unknown ids,
code 4 ``Exception`` "Quota limit exceeded" past 50 requests per 5 s. Lists
come as ``{data, total, next?}`` paged with ``index``/``limit``. Durations are
seconds. Pictures point at the sandbox image endpoint (served here too).

Knobs for tests: ``quota_max``/``quota_window_s`` (50 per 5 s), ``requests``
(a ``Counter`` by path), ``total_requests``, ``reset_counters()``,
``fail_next(count)`` (HTTP 503) and ``public_playlists`` (playlist ids that are
readable; private ones answer the "no data" error as Deezer does).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from soulsync.sandbox.catalogue import (
    CatAlbum,
    Catalogue,
    CatArtist,
    CatPlaylist,
    CatTrack,
    build_catalogue,
)
from soulsync.sandbox.catalogue_search import search_catalogue
from soulsync.sandbox.images import image_route, image_url
from soulsync.sandbox.server import BackgroundServer

Json = dict[str, Any]

_RECORD_TYPES = {"album": "album", "single": "single", "ep": "ep", "compilation": "compile"}


class _DeezerError(Exception):
    def __init__(self, type_: str, message: str, code: int) -> None:
        super().__init__(message)
        self.body = {"error": {"type": type_, "message": message, "code": code}}


def _no_data() -> _DeezerError:
    return _DeezerError("DataException", "no data", 800)


class DeezerSimulator:
    """The simulated ``api.deezer.com`` on one local port."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        quota_max: int = 50,
        quota_window_s: float = 5.0,
    ) -> None:
        self.catalogue = catalogue or build_catalogue()
        self.quota_max = quota_max
        self.quota_window_s = quota_window_s
        self.requests: collections.Counter[str] = collections.Counter()
        # Every catalogue playlist starts public; tests may remove ids to make one private.
        self.public_playlists: set[int] = {p.deezer_id for p in self.catalogue.playlists.values()}
        self._lock = threading.Lock()
        self._window: collections.deque[float] = collections.deque()
        self._failures = 0
        self.app = Starlette(routes=self._routes())
        self._server = BackgroundServer(self.app, name="deezer")

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> DeezerSimulator:
        """Start serving on a free 127.0.0.1 port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def url(self) -> str:
        """Base URL, standing in for ``https://api.deezer.com``."""
        return self._server.url

    def __enter__(self) -> DeezerSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -------------------------------------------------------------------------

    @property
    def total_requests(self) -> int:
        """API requests received (images excluded)."""
        with self._lock:
            return sum(self.requests.values())

    def reset_counters(self) -> None:
        """Zero the counters and the quota window."""
        with self._lock:
            self.requests.clear()
            self._window.clear()

    def fail_next(self, count: int = 1) -> None:
        """Answer the next ``count`` requests with HTTP 503."""
        with self._lock:
            self._failures += count

    # -- app ---------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        wrap = self._endpoint
        return [
            image_route(),
            Route("/search", wrap(lambda r, b: self._search(r, b, "track"))),
            Route("/search/track", wrap(lambda r, b: self._search(r, b, "track"))),
            Route("/search/artist", wrap(lambda r, b: self._search(r, b, "artist"))),
            Route("/search/album", wrap(lambda r, b: self._search(r, b, "album"))),
            Route("/track/{id}", wrap(self._track)),
            Route("/album/{id}", wrap(self._album)),
            Route("/album/{id}/tracks", wrap(self._album_tracks)),
            Route("/artist/{id}", wrap(self._artist)),
            Route("/artist/{id}/albums", wrap(self._artist_albums)),
            Route("/playlist/{id}", wrap(self._playlist)),
            Route("/playlist/{id}/tracks", wrap(self._playlist_tracks)),
        ]

    def _endpoint(self, handler: Callable[[Request, str], Json]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            with self._lock:
                self.requests[request.url.path] += 1
                if self._failures:
                    self._failures -= 1
                    return Response("Service Unavailable", status_code=503)
                now = time.monotonic()
                while self._window and self._window[0] <= now - self.quota_window_s:
                    self._window.popleft()
                over = len(self._window) >= self.quota_max
                self._window.append(now)
            if over:
                return JSONResponse(
                    {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}
                )
            base = str(request.base_url).rstrip("/")
            try:
                return JSONResponse(handler(request, base))
            except _DeezerError as err:
                return JSONResponse(err.body)

        return endpoint

    # -- shapes ------------------------------------------------------------------------

    def _pictures(self, base: str, kind: str, key: str, prefix: str) -> Json:
        sizes = {"": 300, "_small": 56, "_medium": 250, "_big": 500, "_xl": 1000}
        return {
            f"{prefix}{suffix}": image_url(base, kind, key, size) for suffix, size in sizes.items()
        }

    def _artist_short(self, base: str, artist: CatArtist) -> Json:
        return {
            "id": artist.deezer_id,
            "name": artist.name,
            "link": f"https://www.deezer.com/artist/{artist.deezer_id}",
            **self._pictures(base, "artist", artist.key, "picture"),
            "tracklist": f"{base}/artist/{artist.deezer_id}/top?limit=50",
            "type": "artist",
        }

    def _album_short(self, base: str, album: CatAlbum) -> Json:
        return {
            "id": album.deezer_id,
            "title": album.title,
            "link": f"https://www.deezer.com/album/{album.deezer_id}",
            **self._pictures(base, "album", album.key, "cover"),
            "md5_image": album.key.encode().hex()[:32],
            "release_date": album.release_date,
            "record_type": _RECORD_TYPES.get(album.album_type, "album"),
            "tracklist": f"{base}/album/{album.deezer_id}/tracks",
            "type": "album",
        }

    def _track_short(self, base: str, track: CatTrack, *, readable: bool = True) -> Json:
        album = self.catalogue.albums[track.album_key]
        main = self.catalogue.artists[track.artist_keys[0]]
        title_version = ""
        return {
            "id": track.deezer_id,
            "readable": readable,
            "title": track.title,
            "title_short": track.title,
            "title_version": title_version,
            "link": f"https://www.deezer.com/track/{track.deezer_id}",
            "duration": round(track.duration_ms / 1000),
            "rank": 500000,
            "explicit_lyrics": track.explicit,
            "preview": "",
            "md5_image": album.key.encode().hex()[:32],
            "artist": self._artist_short(base, main),
            "album": self._album_short(base, album),
            "type": "track",
        }

    def _track_full(self, base: str, track: CatTrack) -> Json:
        album = self.catalogue.albums[track.album_key]
        contributors = [
            {
                **self._artist_short(base, self.catalogue.artists[k]),
                "role": "Main" if i == 0 else "Featured",
            }
            for i, k in enumerate(track.artist_keys)
        ]
        return {
            **self._track_short(base, track),
            "isrc": track.isrc,
            "track_position": track.track_number,
            "disk_number": track.disc_number,
            "release_date": album.release_date,
            "bpm": 0,
            "gain": -8.5,
            "available_countries": ["FR", "GB", "US"],
            "contributors": contributors,
        }

    def _lookup(self, kind: str, raw: str) -> Any:
        try:
            did = int(raw)
        except ValueError:
            raise _no_data() from None
        found = self.catalogue.by_deezer_id(kind, did)
        if found is None:
            raise _no_data()
        return found

    # -- handlers --------------------------------------------------------------------------

    def _page(self, request: Request, base: str, path: str, rows: list[Json]) -> Json:
        try:
            index = int(request.query_params.get("index", "0"))
            limit = int(request.query_params.get("limit", "25"))
        except ValueError:
            raise _DeezerError("ParameterException", "Wrong parameter", 500) from None
        index, limit = max(0, index), max(1, min(limit, 100))
        body: Json = {"data": rows[index : index + limit], "total": len(rows)}
        extra = {k: v for k, v in request.query_params.items() if k not in ("index", "limit")}
        if index + limit < len(rows):
            body["next"] = (
                f"{base}{path}?{urlencode({**extra, 'limit': limit, 'index': index + limit})}"
            )
        if index > 0:
            body["prev"] = (
                f"{base}{path}?{urlencode({**extra, 'limit': limit, 'index': max(0, index - limit)})}"
            )
        return body

    def _search(self, request: Request, base: str, kind: str) -> Json:
        q = request.query_params.get("q", "").strip()
        if not q:
            raise _DeezerError("ParameterException", "Missing parameters: q", 501)
        hits = search_catalogue(self.catalogue, kind, q)
        build: dict[str, Callable[[Any], Json]] = {
            "track": lambda t: self._track_short(base, t),
            "artist": lambda a: {
                **self._artist_short(base, a),
                "nb_album": len(self.catalogue.albums_of_artist(a.key)),
                "nb_fan": 1000,
                "radio": True,
            },
            "album": lambda a: {
                **self._album_short(base, a),
                "nb_tracks": len(a.track_keys),
                "artist": self._artist_short(base, self.catalogue.artists[a.artist_keys[0]]),
            },
        }
        return self._page(request, base, request.url.path, [build[kind](h) for h in hits])

    def _track(self, request: Request, base: str) -> Json:
        raw = request.path_params["id"]
        if raw.lower().startswith("isrc:"):
            track = self.catalogue.track_by_isrc(raw[5:])
            if track is None:
                raise _no_data()
            return self._track_full(base, track)
        return self._track_full(base, self._lookup("track", raw))

    def _album_tracks_rows(self, base: str, album: CatAlbum) -> list[Json]:
        rows = []
        for track in self.catalogue.album_tracks(album):
            row = self._track_short(base, track)
            row.pop("album")
            row["isrc"] = track.isrc
            rows.append(row)
        return rows

    def _album(self, request: Request, base: str) -> Json:
        raw = request.path_params["id"]
        album: CatAlbum | None
        if raw.lower().startswith("upc:"):
            album = next((a for a in self.catalogue.albums.values() if a.upc == raw[4:]), None)
            if album is None:
                raise _no_data()
        else:
            album = self._lookup("album", raw)
        tracks = self.catalogue.album_tracks(album)
        return {
            **self._album_short(base, album),
            "upc": album.upc,
            "genre_id": 0,
            "genres": {"data": []},
            "label": "Sandbox Records",
            "nb_tracks": len(tracks),
            "duration": sum(round(t.duration_ms / 1000) for t in tracks),
            "fans": 100,
            "available": True,
            "explicit_lyrics": any(t.explicit for t in tracks),
            "contributors": [
                {**self._artist_short(base, self.catalogue.artists[k]), "role": "Main"}
                for k in album.artist_keys
            ],
            "artist": self._artist_short(base, self.catalogue.artists[album.artist_keys[0]]),
            "tracks": {"data": self._album_tracks_rows(base, album)},
        }

    def _album_tracks(self, request: Request, base: str) -> Json:
        album = self._lookup("album", request.path_params["id"])
        rows = self._album_tracks_rows(base, album)
        return self._page(request, base, request.url.path, rows)

    def _artist(self, request: Request, base: str) -> Json:
        artist: CatArtist = self._lookup("artist", request.path_params["id"])
        return {
            **self._artist_short(base, artist),
            "share": f"https://www.deezer.com/artist/{artist.deezer_id}",
            "nb_album": len(self.catalogue.albums_of_artist(artist.key)),
            "nb_fan": 1000,
            "radio": True,
        }

    def _artist_albums(self, request: Request, base: str) -> Json:
        artist: CatArtist = self._lookup("artist", request.path_params["id"])
        rows = [
            {**self._album_short(base, a), "fans": 100, "explicit_lyrics": False, "genre_id": 0}
            for a in reversed(self.catalogue.albums_of_artist(artist.key))
        ]
        return self._page(request, base, request.url.path, rows)

    def _get_playlist(self, raw: str) -> CatPlaylist:
        playlist: CatPlaylist = self._lookup("playlist", raw)
        if playlist.deezer_id not in self.public_playlists:
            raise _no_data()
        return playlist

    def _playlist_rows(self, base: str, playlist: CatPlaylist) -> list[Json]:
        # Local files do not exist on Deezer; unavailable tracks are listed unreadable.
        return [
            self._track_short(base, self.catalogue.tracks[i.track_key], readable=not i.unavailable)
            for i in playlist.items
            if i.track_key is not None
        ]

    def _playlist(self, request: Request, base: str) -> Json:
        playlist = self._get_playlist(request.path_params["id"])
        rows = self._playlist_rows(base, playlist)
        return {
            "id": playlist.deezer_id,
            "title": playlist.name,
            "description": "",
            "duration": sum(r["duration"] for r in rows),
            "public": True,
            "is_loved_track": False,
            "collaborative": playlist.collaborative,
            "nb_tracks": len(rows),
            "fans": 10,
            "link": f"https://www.deezer.com/playlist/{playlist.deezer_id}",
            "share": f"https://www.deezer.com/playlist/{playlist.deezer_id}",
            **self._pictures(base, "playlist", playlist.key, "picture"),
            "checksum": playlist.snapshot_id,
            "tracklist": f"{base}/playlist/{playlist.deezer_id}/tracks",
            "creation_date": "2026-01-15 12:00:00",
            "creator": {"id": 5000 + len(playlist.owner), "name": playlist.owner, "type": "user"},
            "type": "playlist",
            "tracks": {"data": rows, "checksum": playlist.snapshot_id},
        }

    def _playlist_tracks(self, request: Request, base: str) -> Json:
        playlist = self._get_playlist(request.path_params["id"])
        rows = self._playlist_rows(base, playlist)
        return self._page(request, base, request.url.path, rows)
