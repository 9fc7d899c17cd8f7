"""A Plex Media Server simulator that plexapi 4.18.3 accepts, on a real local port.

It serves the XML endpoints of reference §2 (server root, library sections,
section listing with ``type``/``title`` filters and ``X-Plex-Container-*``
paging, metadata, hub search, audio playlists with add/remove/move, section
refresh, activities) from :class:`~soulsync.sandbox.plex_library.PlexState`.
A refresh rescans the library folders with mutagen after a configurable
delay, so files added there appear as tracks with stable ratingKeys.

Knobs for tests (plain attributes, safe to change while serving):

* ``down`` - every request answers 503 (``stop()`` closes the port instead).
* ``latency_s`` - added to every response.
* ``scan_start_delay_s`` / ``scan_duration_s`` - how long a refresh takes to
  become visible, and how long it stays "refreshing" (``/activities`` lists it).
* ``requests`` (``Counter`` of ``"METHOD /path"``), ``request_count``,
  ``request_log`` (recent :class:`RequestRecord`; ``log()`` gives a safe
  snapshot), ``reset_counters()``.
* ``ignore_playlist_adds`` - adding items answers 200 but adds nothing (a
  server that silently drops items; clients must verify by reading back).
* ``add_synthetic_tracks(n)`` - file-less bulk for paging tests and the benchmark.
* ``scans_completed``, ``last_scan``, ``refreshing``, ``wait_idle()``, ``scan_now()``.
* ``hide_scan_activity`` - a scan a client cannot see by polling: no
  ``refreshing`` flag, no ``/activities`` entry, ``scannedAt`` unchanged (as when
  every poll falls between scans of a busy server); only the new files show it.

A real server may start a requested scan late, queued behind other work
(``scan_start_delay_s`` of many seconds reproduces that).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from soulsync.sandbox import plex_query as pq
from soulsync.sandbox import plex_xml as px
from soulsync.sandbox.library_seed import synthetic_tracks
from soulsync.sandbox.plex_browse import BrowseEndpoints
from soulsync.sandbox.plex_http import Gate, HttpError, RequestRecord, html_error, xml_response
from soulsync.sandbox.plex_library import PlexState, ScanResult, SimTrack
from soulsync.sandbox.plex_playlists import PlaylistEndpoints

DEFAULT_TOKEN = "sandbox-plex-token"
XML = "text/xml;charset=utf-8"


class PlexSimulator(BrowseEndpoints, PlaylistEndpoints):
    """A simulated Plex Media Server with one music section over ``library_dirs``."""

    def __init__(
        self,
        library_dirs: list[Path],
        token: str = DEFAULT_TOKEN,
        *,
        machine_identifier: str | None = None,
        friendly_name: str = "SoulSync Sandbox Plex",
        version: str = "1.41.3.9314-a0bfb8370",
        section_title: str = "Music",
        section_key: int = 3,
        with_movie_section: bool = True,
        scan_start_delay_s: float = 0.05,
        scan_duration_s: float = 0.3,
        scan_on_start: bool = True,
    ) -> None:
        if not library_dirs:
            raise ValueError("the Plex simulator needs at least one library folder")
        self.library_dirs = [Path(d).resolve() for d in library_dirs]
        self.token = token
        seed = "|".join(str(d) for d in self.library_dirs)
        self.machine_identifier = (
            machine_identifier or hashlib.sha1(f"plex:{seed}".encode()).hexdigest()[:40]
        )
        self.friendly_name = friendly_name
        self.version = version
        self.with_movie_section = with_movie_section
        self.section = px.SectionInfo(
            key=section_key,
            title=section_title,
            uuid=hashlib.sha1(f"section:{seed}".encode()).hexdigest()[:36],
            locations=tuple(str(d) for d in self.library_dirs),
            created_at=int(time.time()),
        )
        self.scan_start_delay_s = scan_start_delay_s
        self.scan_duration_s = scan_duration_s
        self.hide_scan_activity = False
        self.scan_on_start = scan_on_start
        self.down = False
        self.latency_s = 0.0
        self.ignore_playlist_adds = False
        self.state = PlexState()
        self.requests: collections.Counter[str] = collections.Counter()
        self.request_log: collections.deque[RequestRecord] = collections.deque(maxlen=5000)
        self.scans_completed = 0
        self.last_scan: ScanResult | None = None
        self.ignored_refresh_paths: list[str] = []
        self.scanned_at = int(time.time())
        self._scan_lock = threading.Lock()
        self._scan_queue: list[Path | None] = []
        self._scan_thread: threading.Thread | None = None
        self._scan_active = False
        self._worker_running = False
        self._scan_cancel = threading.Event()
        self._xml_cache: dict[int, tuple[int, str]] = {}
        self._initial_scan_done = False
        self.app = self._build_app()
        from soulsync.sandbox.server import BackgroundServer

        self._server = BackgroundServer(self.app, name="plex")

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> PlexSimulator:
        """Scan the library once (if asked) and start serving on a free port."""
        if self.scan_on_start and not self._initial_scan_done:
            self.scan_now()
            self._initial_scan_done = True
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving (the port is closed: clients see "connection refused")."""
        self._scan_cancel.set()
        self._server.stop()
        self._scan_cancel.clear()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234``."""
        return self._server.url

    def __enter__(self) -> PlexSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Every request received (including refused ones)."""
        return sum(list(self.requests.values()))

    def reset_counters(self) -> None:
        """Forget counted and logged requests."""
        self.requests.clear()
        self.request_log.clear()

    def log(self) -> list[RequestRecord]:
        """A snapshot of the request log (safe while the server keeps appending)."""
        return list(self.request_log)

    def count(self, method: str, path_prefix: str) -> int:
        """Requests whose method matches and whose path starts with ``path_prefix``."""
        return sum(
            n
            for key, n in list(self.requests.items())
            if key.split(" ", 1)[0] == method and key.split(" ", 1)[1].startswith(path_prefix)
        )

    def add_synthetic_tracks(self, count: int) -> int:
        """Add ``count`` file-less tracks (under the first library folder); returns how many."""
        return self.state.add_seeds(synthetic_tracks(count), self.library_dirs[0])

    def scan_now(self, under: Path | None = None) -> ScanResult:
        """Rescan synchronously (no delay); what a finished refresh would have done."""
        result = self.state.scan(self.library_dirs, under)
        self.last_scan = result
        if not self.hide_scan_activity:
            self.scanned_at = int(time.time())
        self.scans_completed += 1
        return result

    @property
    def refreshing(self) -> bool:
        """True while a requested scan is running (the section's ``refreshing`` flag)."""
        return self._scan_active and not self.hide_scan_activity

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no scan is pending or running; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._scan_lock:
                busy = bool(self._scan_queue) or self._worker_running
            if not busy:
                return True
            time.sleep(0.01)
        return False

    # -- scanning ----------------------------------------------------------------------

    def _request_scan(self, under: Path | None) -> None:
        with self._scan_lock:
            self._scan_queue.append(under)
            if self._worker_running:
                return
            self._worker_running = True
            self._scan_thread = threading.Thread(
                target=self._scan_worker, name="plex-sim-scan", daemon=True
            )
            self._scan_thread.start()

    def _scan_worker(self) -> None:
        try:
            # Plex answers the refresh at once and starts scanning a moment later:
            # a client that polls too early sees "not refreshing" and must cope.
            if self._scan_cancel.wait(self.scan_start_delay_s):
                return
            while True:
                with self._scan_lock:
                    if not self._scan_queue:
                        return
                    under = self._scan_queue.pop(0)
                    self._scan_active = True
                if self._scan_cancel.wait(self.scan_duration_s):
                    return
                self.scan_now(under)
        finally:
            with self._scan_lock:
                # Cleared under the lock, so a refresh arriving now starts a new worker.
                self._scan_active = False
                self._worker_running = False

    def _cancel_scans(self) -> None:
        with self._scan_lock:
            self._scan_queue.clear()
        self._scan_cancel.set()
        thread = self._scan_thread
        if thread is not None:
            thread.join(2)
        self._scan_cancel.clear()

    # -- rendering helpers ---------------------------------------------------------------

    def _track_xml(self, track: SimTrack) -> str:
        cached = self._xml_cache.get(track.rating_key)
        if cached is not None and cached[0] == track.revision:
            return cached[1]
        text = px.track_element(track, self.section)
        self._xml_cache[track.rating_key] = (track.revision, text)
        return text

    def _section_attrs(self) -> dict[str, object]:
        return {
            "allowSync": "1",
            "identifier": "com.plexapp.plugins.library",
            "librarySectionID": self.section.key,
            "librarySectionTitle": self.section.title,
            "librarySectionUUID": self.section.uuid,
            "mediaTagPrefix": "/system/bundle/media/flags/",
            "mediaTagVersion": "1700000000",
        }

    def _playlist_duration(self, playlist_key: int) -> int:
        playlist = self.state.playlists[playlist_key]
        return sum(self.state.tracks[i.rating_key].duration_ms or 0 for i in playlist.items)

    # -- the ASGI app --------------------------------------------------------------------

    def _build_app(self) -> ASGIApp:
        routes = [
            Route("/", self._root),
            Route("/identity", self._identity),
            Route("/library", self._library),
            Route("/library/", self._library),
            Route("/library/sections", self._sections),
            Route("/library/sections/", self._sections),
            Route("/library/sections/{key:int}", self._section_detail),
            Route("/library/sections/{key:int}/all", self._section_all),
            Route("/library/sections/{key:int}/collections", self._section_collections),
            Route("/library/sections/{key:int}/refresh", self._refresh, methods=["GET", "DELETE"]),
            Route("/library/metadata/{keys}", self._metadata),
            Route("/library/metadata/{key:int}/children", self._children),
            Route("/hubs/search", self._hub_search),
            Route("/hubs/search/", self._hub_search),
            Route("/activities", self._activities),
            Route("/playlists", self._playlists, methods=["GET", "POST"]),
            Route("/playlists/", self._playlists, methods=["GET", "POST"]),
            Route("/playlists/{pid:int}", self._playlist, methods=["GET", "PUT", "DELETE"]),
            Route(
                "/playlists/{pid:int}/items", self._playlist_items, methods=["GET", "PUT", "DELETE"]
            ),
            Route("/playlists/{pid:int}/items/{item:int}", self._playlist_item, methods=["DELETE"]),
            Route(
                "/playlists/{pid:int}/items/{item:int}/move", self._playlist_move, methods=["PUT"]
            ),
        ]
        wrapped = [Route(r.path, self._guard(r.endpoint), methods=r.methods) for r in routes]
        return Gate(Starlette(routes=wrapped), self)

    def _guard(
        self, handler: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                if self.latency_s:
                    await asyncio.sleep(self.latency_s)
                return await handler(request)
            except HttpError as exc:
                return html_error(exc.status, exc.message)

        return run

    # -- server and library --------------------------------------------------------------

    async def _root(self, request: Request) -> Response:
        return xml_response(
            px.root_document(
                self.friendly_name, self.machine_identifier, self.version, self.section.created_at
            )
        )

    async def _identity(self, request: Request) -> Response:
        body = px.container(
            {
                "size": 0,
                "claimed": "0",
                "machineIdentifier": self.machine_identifier,
                "version": self.version,
            }
        )
        return xml_response(body)

    async def _library(self, request: Request) -> Response:
        return xml_response(px.library_document())

    async def _sections(self, request: Request) -> Response:
        body = (
            px.movie_section_element(self.section.uuid, self.section.created_at)
            if self.with_movie_section
            else ""
        )
        body += px.section_element(self.section, self.refreshing, self.scanned_at)
        size = 2 if self.with_movie_section else 1
        return xml_response(
            px.container({"size": size, "allowSync": "0", "title1": "Plex Library"}, body)
        )

    def _check_section(self, key: int) -> bool:
        """True for the music section, False for the (empty) movie section, else 404."""
        if key == self.section.key:
            return True
        if self.with_movie_section and key == 1:
            return False
        raise HttpError(404, "Not Found")

    async def _section_detail(self, request: Request) -> Response:
        key = int(request.path_params["key"])
        if not self._check_section(key):
            return xml_response(
                px.container({"size": 0, "librarySectionID": 1, "title1": "Movies"})
            )
        body = px.element("Directory", {"key": "all", "title": "All Artists"})
        return xml_response(
            px.container({"size": 1, **self._section_attrs(), "title1": self.section.title}, body)
        )

    async def _section_collections(self, request: Request) -> Response:
        self._check_section(int(request.path_params["key"]))
        meta = (
            px.meta_element(self.section.key)
            if request.query_params.get("includeMeta") == "1"
            else ""
        )
        return xml_response(
            px.container({"size": 0, "totalSize": 0, "offset": 0, **self._section_attrs()}, meta)
        )

    async def _section_all(self, request: Request) -> Response:
        key = int(request.path_params["key"])
        is_music = self._check_section(key)
        params = request.query_params
        start, size = pq.paging(request)
        meta = px.meta_element(self.section.key) if params.get("includeMeta") == "1" else ""
        type_no = params.get("type", "8")
        if not is_music:
            rows: list[str] = []
        elif type_no == "10":
            with self.state.lock:
                tracks = pq.filter_tracks(self.state.sorted_tracks(), params)
                tracks = pq.limit(pq.sort_tracks(tracks, params.get("sort")), params)
                rows = [self._track_xml(t) for t in tracks[start : pq.end(start, size)]]
            return self._listing(rows, len(tracks), start, "track", meta)
        elif type_no in ("8", "9"):
            rows = self._directories(type_no, params.get("title"))
        else:
            raise HttpError(400, "Bad Request")
        total = len(rows)
        return self._listing(rows[start : pq.end(start, size)], total, start, "artist", meta)

    def _listing(self, rows: list[str], total: int, start: int, view: str, meta: str) -> Response:
        attrs: dict[str, object] = {
            "size": len(rows),
            "totalSize": total,
            "offset": start,
            **self._section_attrs(),
            "title1": self.section.title,
            "viewGroup": view,
        }
        return xml_response(px.container(attrs, meta + "".join(rows)))

    def _directories(self, type_no: str, title: str | None) -> list[str]:
        needle = (title or "").casefold()
        with self.state.lock:
            tracks = self.state.sorted_tracks()
            if type_no == "8":
                seen: dict[int, str] = {}
                for t in tracks:
                    seen.setdefault(t.artist_key, t.album_artist)
                return [
                    px.artist_element(k, name, self.section, self.scanned_at)
                    for k, name in seen.items()
                    if needle in name.casefold()
                ]
            albums: dict[int, list[SimTrack]] = {}
            for t in tracks:
                albums.setdefault(t.album_key, []).append(t)
            return [
                px.album_element(
                    k,
                    ts[0].album,
                    ts[0].artist_key,
                    ts[0].album_artist,
                    ts[0].year,
                    len(ts),
                    self.section,
                )
                for k, ts in albums.items()
                if needle in ts[0].album.casefold()
            ]

    # -- scans -----------------------------------------------------------------------------

    async def _refresh(self, request: Request) -> Response:
        is_music = self._check_section(int(request.path_params["key"]))
        if request.method == "DELETE":
            await asyncio.to_thread(self._cancel_scans)
            return Response(status_code=200)
        if not is_music:
            return Response(status_code=200)
        raw_path = request.query_params.get("path")
        under: Path | None = None
        if raw_path:
            under = self._library_subpath(raw_path)
            if under is None:
                # Plex accepts the request and scans nothing outside its folders.
                self.ignored_refresh_paths.append(raw_path)
                return Response(status_code=200)
        self._request_scan(under)
        return Response(status_code=200)

    def _library_subpath(self, raw_path: str) -> Path | None:
        """``raw_path`` as an absolute path inside a library folder, else None."""
        candidate = Path(os.path.normpath(os.path.abspath(raw_path)))
        if any(candidate == d or d in candidate.parents for d in self.library_dirs):
            return candidate
        return None

    async def _activities(self, request: Request) -> Response:
        if not self.refreshing:
            return xml_response(px.container({"size": 0}))
        context = px.element("Context", {"librarySectionID": self.section.key})
        activity = px.element(
            "Activity",
            {
                "uuid": hashlib.sha1(f"scan{self.scans_completed}".encode()).hexdigest()[:36],
                "type": "library.update.section",
                "cancellable": "1",
                "userID": 1,
                "title": f"Scanning {self.section.title}",
                "subtitle": "Scanning files",
                "progress": 50,
            },
            context,
        )
        return xml_response(px.container({"size": 1}, activity))
