"""A Spotify Web API simulator with the Development Mode rules of 2026.

Real HTTP on 127.0.0.1, shaped after reference §1: authorization code + PKCE
(S256) with single-use rotating refresh tokens, ``localhost`` redirect URIs
refused, bearer tokens that expire, no batch endpoints, search and
artist-albums pages of at most 10, playlist items only for owned or
collaborative playlists (403 otherwise), a rolling-window rate limit and a
per-account quota both answering 429 with ``Retry-After``.

Tests steer it through plain attributes and methods (all thread-safe):

* ``rate_limit`` / ``rate_window_s`` / ``rate_retry_after_s`` - rolling window.
* ``quota_remaining`` (None = unlimited) / ``quota_retry_after_s`` - once it
  reaches 0 every API call answers 429 with ``reason: "QUOTA_EXCEEDED"``.
* ``fail_next(status, count)`` and ``stall_next(seconds, count)`` - 5xx and
  timeouts for the next API requests.
* ``token_lifetime_s`` and ``expire_tokens()``.
* ``requests`` (a ``Counter`` by path), ``request_log`` (path, query) pairs,
  ``api_requests``, ``reset_counters()``.
* ``add_playlist``, ``add_items``, ``remove_items``, ``move_item`` - each
  mutation changes the playlist's ``snapshot_id``.
* ``add_editorial_playlist`` - a followed Spotify-owned editorial/algorithmic
  playlist (``37i9dQZF1…``): listed in ``/me/playlists``, but ``GET
  /playlists/{id}`` and its items answer **404** (the 2024-11-27 Web API
  change, developer.spotify.com/blog/2024-11-27-changes-to-the-web-api).
* ``premium_required`` - the app owner's Premium lapsed: every API call
  answers **403** "Active premium subscription required for the owner of the
  app" (wording reported in zmb3/spotify #301).

Removed endpoints answer as Spotify does (``/playlists/{id}/tracks`` → 403),
and every error, unknown routes included, has Spotify's JSON error body.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.sandbox.catalogue import CatAlbum, Catalogue, CatTrack, build_catalogue, spotify_id
from soulsync.sandbox.catalogue_search import search_catalogue
from soulsync.sandbox.images import image_route
from soulsync.sandbox.server import BackgroundServer
from soulsync.sandbox.spotify_accounts import SpotifyAccounts
from soulsync.sandbox.spotify_json import (
    Json,
    Shapes,
    SimItem,
    SimPlaylist,
    apply_fields,
    paging,
    parse_fields,
)

DEFAULT_CLIENT_ID = "soulsync-sandbox-client"
SANDBOX_USER_ID = "sandbox-user"


class _ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _api_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status)


PREMIUM_REQUIRED = "Active premium subscription required for the owner of the app"


async def _json_not_found(request: Request, exc: Exception) -> Response:
    return _api_error(404, "Service not found")


async def _json_not_allowed(request: Request, exc: Exception) -> Response:
    return _api_error(405, "Method not allowed")


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _ApiError(400, f"Invalid {name}") from None
    if not lo <= value <= hi:
        raise _ApiError(400, f"Invalid {name}")
    return value


class SpotifySimulator(SpotifyAccounts):
    """The simulated Spotify accounts service and Web API on one local port."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        user_id: str = SANDBOX_USER_ID,
        display_name: str = "Sandbox User",
        token_lifetime_s: float = 3600,
        rate_limit: int | None = None,
        rate_window_s: float = 30.0,
        rate_retry_after_s: int = 1,
        quota_remaining: int | None = None,
        quota_retry_after_s: int = 86400,
        auto_approve: bool = True,
    ) -> None:
        self.catalogue = catalogue or build_catalogue()
        self.client_id = client_id
        self.user_id = user_id
        self.display_name = display_name
        self.token_lifetime_s = token_lifetime_s
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.rate_retry_after_s = rate_retry_after_s
        self.quota_remaining = quota_remaining
        self.quota_retry_after_s = quota_retry_after_s
        self.auto_approve = auto_approve
        self.requests: collections.Counter[str] = collections.Counter()
        self.request_log: list[tuple[str, dict[str, str]]] = []  # (path, query) of API calls
        self.token_requests = 0
        self._lock = threading.RLock()
        self._window: collections.deque[float] = collections.deque()
        self._faults: collections.deque[tuple[str, float]] = collections.deque()
        self._codes: dict[str, dict[str, str]] = {}
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self.playlists: dict[str, SimPlaylist] = {}
        self.editorial: set[str] = set()  # ids of Spotify-owned playlists (404 to apps)
        self.premium_required = False
        self._generated = itertools.count(1)
        for cat_pl in self.catalogue.playlists.values():
            mine = cat_pl.owner == "me"
            self.playlists[cat_pl.spotify_id] = SimPlaylist(
                id=cat_pl.spotify_id,
                key=cat_pl.key,
                name=cat_pl.name,
                owner_id=user_id if mine else cat_pl.owner,
                owner_name=display_name if mine else cat_pl.owner.title(),
                collaborative=cat_pl.collaborative,
                items=[SimItem(i.track_key, i.local_name, i.unavailable) for i in cat_pl.items],
            )
        self.app = self._build_app()
        self._server = BackgroundServer(self.app, name="spotify")

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SpotifySimulator:
        """Start serving on a free 127.0.0.1 port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def url(self) -> str:
        """Base URL (accounts endpoints live here, the API under ``/v1``)."""
        return self._server.url

    @property
    def api_base(self) -> str:
        """The Web API base, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"{self.url}/v1"

    def __enter__(self) -> SpotifySimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs for tests --------------------------------------------------------------

    @property
    def api_requests(self) -> int:
        """How many ``/v1`` requests arrived (including refused ones)."""
        with self._lock:
            return sum(n for path, n in self.requests.items() if path.startswith("/v1/"))

    def reset_counters(self) -> None:
        """Zero the request counters."""
        with self._lock:
            self.requests.clear()
            self.request_log.clear()
            self.token_requests = 0

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """Answer the next ``count`` API requests with HTTP ``status``."""
        with self._lock:
            self._faults.extend([("fail", float(status))] * count)

    def stall_next(self, seconds: float, count: int = 1) -> None:
        """Delay the next ``count`` API requests by ``seconds`` (client timeouts)."""
        with self._lock:
            self._faults.extend([("stall", seconds)] * count)

    def expire_tokens(self) -> None:
        """Make every issued access token expired."""
        with self._lock:
            for token in self._access:
                self._access[token] = 0.0

    def issue_token(self) -> str:
        """An access token without the OAuth dance (for raw-HTTP tests)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[token] = time.time() + self.token_lifetime_s
        return token

    def playlist_id(self, key: str) -> str:
        """The Spotify id of a catalogue playlist key (e.g. ``"road-trip"``)."""
        return self.catalogue.playlists[key].spotify_id

    def add_playlist(
        self,
        name: str,
        track_keys: Iterable[str] | None = None,
        *,
        size: int | None = None,
        owner: str = "me",
        collaborative: bool = False,
    ) -> str:
        """Create a playlist; with ``size``, fill it by cycling catalogue tracks. Returns its id."""
        if track_keys is None:
            keys = sorted(self.catalogue.tracks)
            track_keys = [keys[i % len(keys)] for i in range(size or 0)]
        n = next(self._generated)
        key = f"generated-{n}"
        pid = spotify_id("playlist", key)
        mine = owner == "me"
        with self._lock:
            self.playlists[pid] = SimPlaylist(
                id=pid,
                key=key,
                name=name,
                owner_id=self.user_id if mine else owner,
                owner_name=self.display_name if mine else owner.title(),
                collaborative=collaborative,
                items=[SimItem(self._known(k)) for k in track_keys],
            )
        return pid

    def _known(self, track_key: str) -> str:
        if track_key not in self.catalogue.tracks:
            raise KeyError(f"no catalogue track {track_key!r}")
        return track_key

    def add_items(
        self, playlist_id: str, track_keys: Iterable[str], position: int | None = None
    ) -> str:
        """Insert tracks (at the end by default); returns the new snapshot id."""
        with self._lock:
            pl = self.playlists[playlist_id]
            new = [SimItem(self._known(k)) for k in track_keys]
            at = len(pl.items) if position is None else position
            pl.items[at:at] = new
            pl.version += 1
            return pl.snapshot_id

    def add_editorial_playlist(self, name: str, track_keys: Iterable[str]) -> str:
        """A Spotify-owned playlist the user follows; apps get 404 for it. Returns its id."""
        n = next(self._generated)
        pid = "37i9dQZF1DX" + spotify_id("playlist", f"editorial-{n}")[:11]
        with self._lock:
            self.playlists[pid] = SimPlaylist(
                id=pid,
                key=f"editorial-{n}",
                name=name,
                owner_id="spotify",
                owner_name="Spotify",
                collaborative=False,
                items=[SimItem(k) for k in track_keys],
            )
            self.editorial.add(pid)
        return pid

    def remove_items(self, playlist_id: str, positions: Iterable[int]) -> str:
        """Remove the entries at ``positions``; returns the new snapshot id."""
        with self._lock:
            pl = self.playlists[playlist_id]
            drop = set(positions)
            pl.items = [item for i, item in enumerate(pl.items) if i not in drop]
            pl.version += 1
            return pl.snapshot_id

    def move_item(self, playlist_id: str, from_position: int, to_position: int) -> str:
        """Move one entry; returns the new snapshot id."""
        with self._lock:
            pl = self.playlists[playlist_id]
            item = pl.items.pop(from_position)
            pl.items.insert(to_position, item)
            pl.version += 1
            return pl.snapshot_id

    # -- app ---------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        api = self._api
        routes = [
            Route("/authorize", self._authorize, methods=["GET"]),
            Route("/api/token", self._token, methods=["POST"]),
            image_route(),
            Route("/v1/me", api(self._me)),
            Route("/v1/me/playlists", api(self._my_playlists)),
            Route("/v1/playlists/{id}", api(self._playlist)),
            Route("/v1/playlists/{id}/items", api(self._playlist_items)),
            Route("/v1/playlists/{id}/tracks", api(self._forbidden)),
            Route("/v1/search", api(self._search)),
            Route("/v1/tracks", api(self._batch)),
            Route("/v1/albums", api(self._batch)),
            Route("/v1/artists", api(self._batch)),
            Route("/v1/tracks/{id}", api(self._track)),
            Route("/v1/albums/{id}", api(self._album)),
            Route("/v1/albums/{id}/tracks", api(self._album_tracks)),
            Route("/v1/artists/{id}", api(self._artist)),
            Route("/v1/artists/{id}/albums", api(self._artist_albums)),
            Route("/v1/artists/{id}/top-tracks", api(self._removed)),
        ]
        return Starlette(
            routes=routes,
            exception_handlers={404: _json_not_found, 405: _json_not_allowed},
        )

    def _shapes(self, request: Request) -> Shapes:
        base = str(request.base_url).rstrip("/")
        return Shapes(self.catalogue, base, self.user_id, self.display_name)

    def _api(
        self, handler: Callable[[Request, Shapes], Awaitable[Json] | Json]
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a handler with counting, faults, rate limit, quota and bearer auth."""

        async def endpoint(request: Request) -> Response:
            with self._lock:
                self.requests[request.url.path] += 1
                self.request_log.append((request.url.path, dict(request.query_params)))
                fault = self._faults.popleft() if self._faults else None
            if fault is not None and fault[0] == "stall":
                await asyncio.sleep(fault[1])
            elif fault is not None:
                return _api_error(int(fault[1]), "Service unavailable")
            refused = self._limit()
            if refused is not None:
                return refused
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer "):
                return _api_error(401, "No token provided")
            with self._lock:
                expires = self._access.get(auth[len("Bearer ") :])
            if expires is None:
                return _api_error(401, "Invalid access token")
            if expires < time.time():
                return _api_error(401, "The access token expired")
            if self.premium_required:
                return _api_error(403, PREMIUM_REQUIRED)
            try:
                result = handler(request, self._shapes(request))
                body = await result if asyncio.iscoroutine(result) else result
                fields = request.query_params.get("fields")
                if fields:
                    body = apply_fields(body, parse_fields(fields))
            except _ApiError as err:
                response = _api_error(err.status, err.message)
                response.headers.update(err.headers)
                return response
            except ValueError as err:
                return _api_error(400, str(err))
            return JSONResponse(body)

        return endpoint

    def _limit(self) -> Response | None:
        with self._lock:
            if self.quota_remaining is not None:
                if self.quota_remaining <= 0:
                    response = _api_error(429, "API rate limit exceeded", reason="QUOTA_EXCEEDED")
                    response.headers["Retry-After"] = str(self.quota_retry_after_s)
                    return response
                self.quota_remaining -= 1
            if self.rate_limit is not None:
                now = time.monotonic()
                while self._window and self._window[0] <= now - self.rate_window_s:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    response = _api_error(429, "API rate limit exceeded")
                    response.headers["Retry-After"] = str(self.rate_retry_after_s)
                    return response
                self._window.append(now)
        return None

    # -- API handlers ----------------------------------------------------------------------

    def _me(self, request: Request, s: Shapes) -> Json:
        return {**s.user(self.user_id, self.display_name), "images": []}

    def _my_playlists(self, request: Request, s: Shapes) -> Json:
        limit = _int_param(request, "limit", 20, 1, 50)
        offset = _int_param(request, "offset", 0, 0, 100_000)
        with self._lock:
            all_pl = list(self.playlists.values())
            page = [s.playlist_simple(p) for p in all_pl[offset : offset + limit]]
        return paging(f"{s.api}/me/playlists", page, offset=offset, limit=limit, total=len(all_pl))

    def _readable(self, pl: SimPlaylist) -> bool:
        return pl.owner_id == self.user_id or pl.collaborative

    def _get_playlist(self, request: Request) -> SimPlaylist:
        pl = self.playlists.get(request.path_params["id"])
        if pl is None or pl.id in self.editorial:
            raise _ApiError(404, "Resource not found")
        return pl

    def _playlist(self, request: Request, s: Shapes) -> Json:
        with self._lock:
            pl = self._get_playlist(request)
            body = s.playlist_simple(pl)
            body["followers"] = {"href": None, "total": 0}
            href = f"{s.api}/playlists/{pl.id}/items"
            if self._readable(pl):
                entries = [s.playlist_entry(i) for i in pl.items[:100]]
                embedded = paging(href, entries, offset=0, limit=100, total=len(pl.items))
                body["items"] = embedded
                body["tracks"] = dict(embedded)
        return body

    def _playlist_items(self, request: Request, s: Shapes) -> Json:
        limit = _int_param(request, "limit", 20, 1, 50)
        offset = _int_param(request, "offset", 0, 0, 100_000)
        with self._lock:
            pl = self._get_playlist(request)
            if not self._readable(pl):
                raise _ApiError(403, "Forbidden")
            entries = [s.playlist_entry(i) for i in pl.items[offset : offset + limit]]
            total = len(pl.items)
        return paging(
            f"{s.api}/playlists/{pl.id}/items", entries, offset=offset, limit=limit, total=total
        )

    def _removed(self, request: Request, s: Shapes) -> Json:
        raise _ApiError(404, "Service not found")

    def _forbidden(self, request: Request, s: Shapes) -> Json:
        # /playlists/{id}/tracks: gone for new apps in Feb 2026, answering 403 (reference §1).
        raise _ApiError(403, "Forbidden")

    def _batch(self, request: Request, s: Shapes) -> Json:
        # Get Several Tracks/Albums/Artists were removed for Development Mode apps.
        raise _ApiError(403, "Forbidden")

    def _search(self, request: Request, s: Shapes) -> Json:
        q = request.query_params.get("q", "").strip()
        if not q:
            raise _ApiError(400, "No search query")
        types = [t for t in request.query_params.get("type", "").split(",") if t]
        if not types:
            raise _ApiError(400, "Missing parameter type")
        limit = _int_param(request, "limit", 5, 1, 10)
        offset = _int_param(request, "offset", 0, 0, 1000)
        result: Json = {}
        for kind in types:
            if kind not in ("track", "artist", "album", "playlist"):
                raise _ApiError(400, "Bad search type field")
            hits = search_catalogue(self.catalogue, kind, q)
            page = hits[offset : offset + limit]
            build = {
                "track": lambda x: s.track_full(x),
                "artist": lambda x: s.artist_full(x),
                "album": lambda x: s.album_simple(x),
                "playlist": lambda x: x,
            }[kind]
            result[f"{kind}s"] = paging(
                f"{s.api}/search",
                [build(h) for h in page],
                offset=offset,
                limit=limit,
                total=len(hits),
                extra={"q": q, "type": kind},
            )
        return result

    def _find(self, kind: str, request: Request) -> Any:
        found = self.catalogue.by_spotify_id(kind, request.path_params["id"])
        if found is None:
            raise _ApiError(404, "Resource not found")
        return found

    def _track(self, request: Request, s: Shapes) -> Json:
        track: CatTrack = self._find("track", request)
        return s.track_full(track)

    def _album(self, request: Request, s: Shapes) -> Json:
        album: CatAlbum = self._find("album", request)
        tracks = [s.track_simple(t) for t in self.catalogue.album_tracks(album)]
        href = f"{s.api}/albums/{album.spotify_id}/tracks"
        return {
            **s.album_simple(album),
            "tracks": paging(href, tracks[:50], offset=0, limit=50, total=len(tracks)),
            "copyrights": [
                {"text": f"{album.year} Sandbox Records", "type": "C"},
                {"text": f"{album.year} Sandbox Records", "type": "P"},
            ],
            "external_ids": {"upc": album.upc},
            "genres": [],
            "label": "Sandbox Records",
            "popularity": 30,
        }

    def _album_tracks(self, request: Request, s: Shapes) -> Json:
        album: CatAlbum = self._find("album", request)
        limit = _int_param(request, "limit", 20, 1, 50)
        offset = _int_param(request, "offset", 0, 0, 100_000)
        tracks = self.catalogue.album_tracks(album)
        page = [s.track_simple(t) for t in tracks[offset : offset + limit]]
        href = f"{s.api}/albums/{album.spotify_id}/tracks"
        return paging(href, page, offset=offset, limit=limit, total=len(tracks))

    def _artist(self, request: Request, s: Shapes) -> Json:
        return s.artist_full(self._find("artist", request))

    def _artist_albums(self, request: Request, s: Shapes) -> Json:
        artist = self._find("artist", request)
        limit = _int_param(request, "limit", 5, 1, 10)
        offset = _int_param(request, "offset", 0, 0, 1000)
        raw_groups = request.query_params.get(
            "include_groups", "album,single,compilation,appears_on"
        )
        groups = {g.strip() for g in raw_groups.split(",") if g.strip()}
        own = self.catalogue.albums_of_artist(artist.key)
        rows: list[tuple[str, CatAlbum]] = [(a.album_type, a) for a in own]
        own_keys = {a.key for a in own}
        for album in sorted(self.catalogue.albums.values(), key=lambda a: a.release_date):
            if album.key in own_keys:
                continue
            if any(artist.key in self.catalogue.tracks[t].artist_keys for t in album.track_keys):
                rows.append(("appears_on", album))
        rows = [(g, a) for g, a in rows if g in groups]
        page = [{**s.album_simple(a), "album_group": g} for g, a in rows[offset : offset + limit]]
        href = f"{s.api}/artists/{artist.spotify_id}/albums"
        return paging(
            href,
            page,
            offset=offset,
            limit=limit,
            total=len(rows),
            extra={"include_groups": ",".join(sorted(groups))},
        )


async def login_headless(auth: SpotifyAuth) -> None:
    """Complete a PKCE login against the simulator without a browser (demo and tests).

    Opens the authorize URL like a browser would, reads the redirect it answers
    with, and hands that URL to ``auth.complete_login`` - the same steps a user
    takes with ``soulsync spotify login``.
    """
    import httpx

    request = auth.begin_login()
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(request.url, follow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"simulated authorize refused the login: {answer.text}")
    await auth.complete_login(answer.headers["location"])


def main() -> None:  # pragma: no cover - manual use
    """Run the simulator in the foreground (``python -m soulsync.sandbox.spotify``)."""
    sim = SpotifySimulator().start()
    print(f"Spotify simulator at {sim.url} (client_id {sim.client_id})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
