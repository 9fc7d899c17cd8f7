"""A simulated slskd daemon: real HTTP on 127.0.0.1, the ``/api/v0`` API, real files.

What it reproduces (see ``shared/reference/soulseek-and-slskd.md`` C1-C5):

* ``X-API-Key`` on every ``/api/v0`` route (401 otherwise); camelCase JSON,
  enum flags as comma-joined strings, null properties omitted, TimeSpans as
  ``hh:mm:ss.fffffff`` strings.
* Searches: ``POST /searches`` returns at once (``Requested``/``InProgress``,
  ``responses: []``). A second POST while one is being created gets **429**
  "Only one concurrent operation is permitted…" (the window is
  ``create_window_s``; ``reject_while_running`` widens it to "any search not
  finished"). At most ``max_concurrent_searches`` run; others stay
  ``Requested``. After the search's duration the state becomes
  ``Completed, TimedOut`` (or ``…ResponseLimitReached``/``FileLimitReached``)
  and ``isComplete`` is true, but for ``finalize_delay_s`` more there is no
  ``endedAt`` and ``/responses`` is still ``[]`` - slskd's documented race.
  Then ``endedAt`` appears with the responses. Searches stay until deleted.
* Transfers: enqueue by user (201 ``{enqueued, failed}``; 400 empty,
  duplicates, path traversal; 500 offline user), states and progress per
  peer behaviour (:mod:`soulsync.sandbox.slskd_transfers`), listing grouped
  by user and directory, 404 for a user without downloads, cancel with
  ``?remove=``, clear completed, queue position. Finished files are the real
  generated audio written at slskd's ``<downloads>/<leaf folder>/<name>``.
* ``POST /users/{u}/directory``, ``GET /application/version``, ``GET /server``.

Knobs (plain attributes, change them any time): ``time_scale`` (simulated
seconds per real second for transfers and derived search durations),
``search_duration_s`` (fixed real search duration; None = the request's
``searchTimeout`` divided by ``time_scale``), ``finalize_delay_s``,
``create_window_s``, ``reject_while_running``, ``max_concurrent_searches``,
``timing`` (:class:`TransferTiming`), ``unavailable`` (every API call 503),
``server_state``, ``version``, ``legacy_enqueue_response`` (0.22's empty
201), ``hidden_peers`` (peers that do not answer searches). Per-peer
overrides with :meth:`SlskdSimulator.set_peer`; extra (e.g. hostile) shares
with :meth:`SlskdSimulator.add_share`. Counters in ``.counters``. "Server
down" is simply :meth:`SlskdSimulator.stop` (connection refused).

Known fidelity gaps: no JWT sessions or API-key roles; searches do not
really use ``searchTimeout`` as an idle timeout; responses arrive at
deterministic times; ``failed`` entries of an enqueue carry an ``error``
string of our own wording; 0.26 batches and per-template destinations are
not simulated; files are copied in one go at completion (no ``incomplete``
folder).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from soulsync.sandbox.catalogue import Catalogue, Peer, SharedFile
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.server import BackgroundServer
from soulsync.sandbox.slskd_search import SearchOptions, build_responses, file_payload
from soulsync.sandbox.slskd_transfers import (
    SimTransfer,
    TransferTiming,
    has_traversal,
    iso,
)

API = "/api/v0"
TOO_MANY = (
    "Only one concurrent operation is permitted. Wait until the existing operation "
    "completes and try again"
)


@dataclass
class SlskdCounters:
    """What the simulator has seen, for tests and ``demo --smoke``."""

    requests: int = 0
    unauthorized: int = 0
    searches_posted: int = 0  # accepted search POSTs (each would reach the network)
    searches_rejected_429: int = 0
    searches_deleted: int = 0
    enqueue_requests: int = 0
    files_enqueued: int = 0
    enqueue_rejected_429: int = 0
    transfers_completed: int = 0
    directory_requests: int = 0


@dataclass
class SimSearch:
    """One search and its progress."""

    id: str
    search_text: str
    token: int
    options: SearchOptions
    duration_s: float  # real seconds in InProgress
    started_at: float = field(default_factory=time.time)
    state: str = "Requested"
    ended_at: float | None = None
    elapsed_s: float = 0.0
    finalize_left_s: float = 0.0
    pending: Future[list[dict[str, Any]]] | None = None
    all_responses: list[dict[str, Any]] | None = None
    arrived: int = 0

    @property
    def is_complete(self) -> bool:
        """True from the moment the Completed state is saved (before responses are)."""
        return self.state.startswith("Completed")

    def visible(self) -> list[dict[str, Any]]:
        """Responses as the API shows them: none until the search is finalised."""
        if self.ended_at is None or self.all_responses is None:
            return []
        return self.all_responses[: self.arrived]

    def to_json(self, include_responses: bool = False) -> dict[str, Any]:
        """The Search object (nulls omitted)."""
        got = (self.all_responses or [])[: self.arrived]
        out: dict[str, Any] = {
            "id": self.id,
            "searchText": self.search_text,
            "token": self.token,
            "state": self.state,
            "isComplete": self.is_complete,
            "startedAt": iso(self.started_at),
            "fileCount": sum(r["fileCount"] for r in got),
            "lockedFileCount": sum(r["lockedFileCount"] for r in got),
            "responseCount": len(got),
            "responses": self.visible() if include_responses else [],
        }
        if self.ended_at is not None:
            out["endedAt"] = iso(self.ended_at)
        return out


def _arrival_fraction(username: str, search_id: str) -> float:
    """When (as a fraction of the search) a peer's response arrives; deterministic."""
    digest = hashlib.sha256(f"{username}/{search_id}".encode()).digest()
    return 0.05 + 0.55 * (digest[0] / 255)


class SlskdSimulator:
    """The slskd daemon of the sandbox. ``start()``, use ``.url`` and ``.api_key``, ``stop()``."""

    def __init__(
        self,
        catalogue: Catalogue,
        downloads_dir: Path,
        audio_cache: AudioCache,
        api_key: str,
        *,
        time_scale: float = 1.0,
        search_duration_s: float | None = None,
        finalize_delay_s: float = 0.15,
        create_window_s: float = 0.05,
        max_concurrent_searches: int = 2,
        timing: TransferTiming | None = None,
        version: str = "0.24.1",
        tick_s: float = 0.01,
        port: int = 0,
    ) -> None:
        self.catalogue = catalogue
        self.downloads_dir = Path(downloads_dir)
        self.audio_cache = audio_cache
        self.api_key = api_key
        self.lock = threading.RLock()
        self._defaults: dict[str, Any] = {
            "time_scale": time_scale,
            "search_duration_s": search_duration_s,
            "finalize_delay_s": finalize_delay_s,
            "create_window_s": create_window_s,
            "max_concurrent_searches": max_concurrent_searches,
            "timing": timing or TransferTiming(),
            "version": version,
        }
        # Knobs (declared here for type checkers; values set by reset()).
        self.time_scale = time_scale
        self.search_duration_s = search_duration_s
        self.finalize_delay_s = finalize_delay_s
        self.create_window_s = create_window_s
        self.max_concurrent_searches = max_concurrent_searches
        self.timing = timing or TransferTiming()
        self.version = version
        self.reject_while_running = False
        self.unavailable = False
        self.server_state = "Connected, LoggedIn"
        self.legacy_enqueue_response = False
        self.enqueue_delay_s = 0.0
        self.hidden_peers: set[str] = set()
        self.counters = SlskdCounters()
        self.peers: dict[str, Peer] = dict(catalogue.peers)
        self.shares: list[SharedFile] = list(catalogue.shares)
        self.searches: dict[str, SimSearch] = {}
        self.transfers: dict[str, SimTransfer] = {}
        self.tick_s = tick_s
        self._sizes: dict[SharedFile, int] = {}
        self._creating_until = 0.0
        self._enqueues_in_flight = 0
        self._token = 1000
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slskd-sim")
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._server = BackgroundServer(build_app(self), port=port, name="slskd")

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SlskdSimulator:
        """Start the ticker and the HTTP server on a free port."""
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._ticker = threading.Thread(target=self._run_ticker, name="slskd-sim-tick", daemon=True)
        self._ticker.start()
        self._server.start()
        # A restart after stop() comes back on the same port, so clients keep their URL.
        self._server.requested_port = self._server.port or 0
        return self

    def stop(self) -> None:
        """Stop serving (clients then get "connection refused") and stop the clock.

        State is kept: :meth:`start` brings the same simulator back on the same port.
        """
        port = self._server.port
        self._server.stop()
        self._server.port = port
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(2)
            self._ticker = None

    def close(self) -> None:
        """Stop and release the worker threads."""
        self.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> SlskdSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Base URL (without ``/api/v0``)."""
        return self._server.url

    @property
    def api_url(self) -> str:
        """``<url>/api/v0``."""
        return self.url + API

    # -- test knobs ------------------------------------------------------------------

    def set_peer(self, username: str, **changes: Any) -> Peer:
        """Override a peer's fields (behaviour, upload_speed, transfer_speed, ...)."""
        with self.lock:
            peer = self.peers[username]
            self.peers[username] = dataclasses.replace(peer, **changes)
            return self.peers[username]

    def reset_peers(self) -> None:
        """Undo every :meth:`set_peer`."""
        with self.lock:
            self.peers = dict(self.catalogue.peers)

    def reset(self, downloads_dir: Path | None = None) -> None:
        """Back to the state just after construction: knobs, peers, shares, searches,
        transfers and counters; optionally a new downloads folder. Lets tests share one
        running simulator (starting one costs a few hundred milliseconds).
        """
        with self.lock:
            for name, value in self._defaults.items():
                setattr(self, name, value)
            self.reject_while_running = False
            self.unavailable = False
            self.server_state = "Connected, LoggedIn"
            self.legacy_enqueue_response = False
            self.enqueue_delay_s = 0.0
            self.hidden_peers = set()
            self.counters = SlskdCounters()
            self.peers = dict(self.catalogue.peers)
            self.shares = list(self.catalogue.shares)
            self.searches = {}
            self.transfers = {}
            self._creating_until = 0.0
            if downloads_dir is not None:
                self.downloads_dir = Path(downloads_dir)
                self.downloads_dir.mkdir(parents=True, exist_ok=True)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._ticker is not None

    def add_share(self, share: SharedFile) -> None:
        """Let a peer share one more file (its ``username`` must be a known peer)."""
        with self.lock:
            if share.username not in self.peers:
                raise KeyError(f"unknown peer {share.username!r}")
            self.shares.append(share)

    def size_of(self, share: SharedFile) -> int:
        """The real byte size of a share's audio (generating it if needed)."""
        size = self._sizes.get(share)
        if size is None:
            size = self.audio_cache.ensure(share.audio).stat().st_size
            self._sizes[share] = size
        return size

    def find_share(self, username: str, filename: str) -> SharedFile | None:
        """The share a peer has under exactly this remote path."""
        with self.lock:
            for share in self.shares:
                if share.username == username and share.filename == filename:
                    return share
        return None

    def transfer_list(self) -> list[SimTransfer]:
        """A snapshot of every transfer (removed ones included)."""
        with self.lock:
            return list(self.transfers.values())

    # -- the clock -------------------------------------------------------------------

    def _run_ticker(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(self.tick_s):
            now = time.monotonic()
            self.tick(now - last)
            last = now

    def tick(self, real_dt: float) -> None:
        """Advance searches and transfers by ``real_dt`` real seconds."""
        with self.lock:
            self._tick_searches(real_dt)
            for transfer in self.transfers.values():
                was_done = transfer.is_complete
                transfer.advance(
                    real_dt * self.time_scale,
                    self.peers.get(transfer.username),
                    self.timing,
                    self.downloads_dir,
                )
                if not was_done and transfer.state == "Completed, Succeeded":
                    self.counters.transfers_completed += 1

    def _tick_searches(self, real_dt: float) -> None:
        running = sum(1 for s in self.searches.values() if s.state == "InProgress")
        for search in self.searches.values():
            if search.state == "Requested" and running < self.max_concurrent_searches:
                search.state = "InProgress"
                running += 1
            elif search.state == "InProgress":
                self._progress_search(search, real_dt)
            elif search.is_complete and search.ended_at is None:
                search.finalize_left_s -= real_dt
                if search.finalize_left_s <= 0 and search.pending is None:
                    search.ended_at = time.time()

    def _progress_search(self, search: SimSearch, real_dt: float) -> None:
        if search.all_responses is None:
            if search.pending is None or not search.pending.done():
                return  # still computing sizes; the search simply lasts longer
            # Responses are kept in arrival order, as slskd appends them.
            search.all_responses = sorted(
                search.pending.result(),
                key=lambda r: _arrival_fraction(r["username"], search.id),
            )
            search.pending = None
        search.elapsed_s += real_dt
        done = search.elapsed_s >= search.duration_s
        arrived = 0
        files = 0
        for response in search.all_responses:
            fraction = _arrival_fraction(response["username"], search.id)
            if not done and search.elapsed_s < fraction * search.duration_s:
                break
            if arrived >= search.options.response_limit:
                search.arrived = arrived
                return self._complete(search, "Completed, ResponseLimitReached")
            if files + response["fileCount"] > search.options.file_limit and arrived:
                search.arrived = arrived
                return self._complete(search, "Completed, FileLimitReached")
            arrived += 1
            files += response["fileCount"]
        search.arrived = arrived
        if done:
            self._complete(search, "Completed, TimedOut")

    def _complete(self, search: SimSearch, state: str) -> None:
        # slskd saves the Completed state first and the responses a moment later.
        search.state = state
        search.finalize_left_s = self.finalize_delay_s

    # -- operations used by the routes -------------------------------------------------

    def _new_search(self, body: dict[str, Any]) -> SimSearch:
        options = SearchOptions.from_request(body)
        timeout_ms = int(body.get("searchTimeout") or 15000)
        duration = self.search_duration_s
        if duration is None:
            duration = timeout_ms / 1000 / max(self.time_scale, 1e-9)
        self._token += 1
        search = SimSearch(
            id=str(body.get("id") or uuid.uuid4()),
            search_text=str(body["searchText"]),
            token=self._token,
            options=options,
            duration_s=duration,
        )
        peers = {u: p for u, p in self.peers.items() if u not in self.hidden_peers}
        shares = list(self.shares)
        search.pending = self._pool.submit(
            build_responses, search.search_text, shares, peers, self.size_of, options, search.token
        )
        self.searches[search.id] = search
        return search

    def _busy(self) -> bool:
        if time.monotonic() < self._creating_until:
            return True
        return self.reject_while_running and any(s.ended_at is None for s in self.searches.values())

    def _groups(self, transfers: Iterable[SimTransfer]) -> list[dict[str, Any]]:
        users: dict[str, dict[str, list[SimTransfer]]] = {}
        for t in transfers:
            users.setdefault(t.username, {}).setdefault(t.directory, []).append(t)
        return [
            {
                "username": user,
                "directories": [
                    {
                        "directory": directory,
                        "fileCount": len(items),
                        "files": [t.to_json() for t in items],
                    }
                    for directory, items in dirs.items()
                ],
            }
            for user, dirs in users.items()
        ]


# -- the ASGI app ------------------------------------------------------------------------


def _error(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain")


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def build_app(sim: SlskdSimulator) -> FastAPI:
    """The FastAPI app serving ``sim``'s state."""
    app = FastAPI(title="slskd (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        sim.counters.requests += 1
        if not request.url.path.startswith(API):
            return _error(404, "Not Found")
        if sim.unavailable:
            return _error(503, "Service Unavailable")
        if request.headers.get("x-api-key") != sim.api_key:
            sim.counters.unauthorized += 1
            return Response(status_code=401)
        response: Response = await call_next(request)
        return response

    @app.get(API + "/application/version")
    def version() -> JSONResponse:
        return JSONResponse(sim.version)

    @app.get(API + "/server")
    def server() -> JSONResponse:
        state = sim.server_state
        return JSONResponse(
            {
                "address": "vps.slsknet.org:2271",
                "state": state,
                "isConnected": state.startswith("Connected"),
                "isLoggedIn": "LoggedIn" in state,
                "isTransitioning": "ing," in state or state.endswith("ing"),
            }
        )

    # -- searches --------------------------------------------------------------------

    @app.post(API + "/searches")
    async def post_search(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "A non-empty request body is required.")
        if not isinstance(body, dict) or not str(body.get("searchText") or "").strip():
            return _error(400, "The SearchText field is required.")
        with sim.lock:
            if sim._busy():
                sim.counters.searches_rejected_429 += 1
                return _error(429, TOO_MANY)
            if body.get("id") and str(body["id"]) in sim.searches:
                return _error(409, f"An active search with Id {body['id']} is already in progress.")
            window = sim.create_window_s
            sim._creating_until = time.monotonic() + window
            sim.counters.searches_posted += 1
            search = sim._new_search(body)
            payload = search.to_json()
        # The "being created" window: slskd holds a semaphore while it sets the search up.
        await asyncio.sleep(window)
        return JSONResponse(payload)

    @app.get(API + "/searches")
    def list_searches() -> JSONResponse:
        with sim.lock:
            return JSONResponse([s.to_json() for s in sim.searches.values()])

    @app.get(API + "/searches/{search_id}")
    def get_search(search_id: str, includeResponses: bool = False) -> Response:  # noqa: N803
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            return JSONResponse(search.to_json(include_responses=includeResponses))

    @app.get(API + "/searches/{search_id}/responses")
    def get_responses(search_id: str) -> Response:
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            return JSONResponse(search.visible())

    @app.put(API + "/searches/{search_id}")
    def stop_search(search_id: str) -> Response:
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            if not search.is_complete:
                if search.all_responses is None:
                    search.all_responses = []
                    if search.pending is not None:
                        search.pending.cancel()
                        search.pending = None
                sim._complete(search, "Completed, Cancelled")
            return Response(status_code=200)

    @app.delete(API + "/searches/{search_id}")
    def delete_search(search_id: str) -> Response:
        with sim.lock:
            if sim.searches.pop(search_id, None) is None:
                return _error(404, "Not Found")
            sim.counters.searches_deleted += 1
            return Response(status_code=204)

    # -- transfers -------------------------------------------------------------------

    @app.get(API + "/transfers/downloads")
    @app.get(API + "/transfers/downloads/")
    def all_downloads(includeRemoved: bool = False) -> JSONResponse:  # noqa: N803
        with sim.lock:
            items = [t for t in sim.transfers.values() if includeRemoved or not t.removed]
            return JSONResponse(sim._groups(items))

    @app.delete(API + "/transfers/downloads/all/completed")
    def clear_completed() -> Response:
        with sim.lock:
            for t in sim.transfers.values():
                if t.is_complete:
                    t.removed = True
            return Response(status_code=204)

    @app.get(API + "/transfers/downloads/{username}")
    def user_downloads(username: str) -> Response:
        with sim.lock:
            items = [t for t in sim.transfers.values() if t.username == username and not t.removed]
            if not items:
                return _error(404, "Not Found")
            return JSONResponse(sim._groups(items)[0])

    @app.get(API + "/transfers/downloads/{username}/{transfer_id}")
    def one_download(username: str, transfer_id: str) -> Response:
        if not _is_guid(transfer_id):
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username or t.removed:
                return _error(404, "Not Found")
            return JSONResponse(t.to_json())

    @app.get(API + "/transfers/downloads/{username}/{transfer_id}/position")
    def position(username: str, transfer_id: str) -> Response:
        if not _is_guid(transfer_id):
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username:
                return _error(404, "Not Found")
            return JSONResponse(t.place_in_queue or 0)

    @app.delete(API + "/transfers/downloads/{username}/{transfer_id}")
    def cancel(username: str, transfer_id: str, remove: bool = False) -> Response:
        if not _is_guid(transfer_id):
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username or t.removed:
                return _error(404, "Not Found")
            t.cancel()
            if remove:
                t.removed = True
            return Response(status_code=204)

    @app.post(API + "/transfers/downloads/{username}")
    async def enqueue(username: str, request: Request) -> Response:
        sim.counters.enqueue_requests += 1
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "A list of files is required.")
        if not isinstance(body, list) or not body:
            return _error(400, "At least one file is required.")
        names = [str(item.get("filename", "")) if isinstance(item, dict) else "" for item in body]
        if len(set(names)) != len(names):
            return _error(400, "Duplicate files are not allowed.")
        if any(has_traversal(n) for n in names):
            return _error(400, "Path traversal is not allowed.")
        with sim.lock:
            if sim._enqueues_in_flight >= 2:
                sim.counters.enqueue_rejected_429 += 1
                return _error(429, TOO_MANY)
            sim._enqueues_in_flight += 1
        try:
            if sim.enqueue_delay_s:
                await asyncio.sleep(sim.enqueue_delay_s)
            return await _enqueue(sim, username, body)
        finally:
            with sim.lock:
                sim._enqueues_in_flight -= 1

    # -- users -----------------------------------------------------------------------

    @app.post(API + "/users/{username}/directory")
    async def directory(username: str, request: Request) -> Response:
        sim.counters.directory_requests += 1
        body = await request.json()
        folder = str(body.get("directory", "")) if isinstance(body, dict) else ""
        if not folder:
            return _error(400, "The Directory field is required.")
        peer = sim.peers.get(username)
        if peer is None or peer.behaviour == "offline":
            return _error(404, f"User {username} appears to be offline")
        with sim.lock:
            shares = [
                s
                for s in sim.shares
                if s.username == username
                and not s.locked
                and s.filename.rsplit("\\", 1)[0] == folder.rstrip("\\")
            ]
        sizes = await asyncio.to_thread(lambda: [sim.size_of(s) for s in shares])
        files = [file_payload(s, n, bare_name=True) for s, n in zip(shares, sizes, strict=True)]
        return JSONResponse([{"name": folder, "fileCount": len(files), "files": files}])

    @app.get(API + "/users/{username}/status")
    def status(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None:
            return _error(404, "Not Found")
        online = peer.behaviour != "offline"
        return JSONResponse({"presence": "Online" if online else "Offline", "isPrivileged": False})

    return app


async def _enqueue(sim: SlskdSimulator, username: str, body: list[Any]) -> Response:
    peer = sim.peers.get(username)
    if peer is None or peer.behaviour == "offline":
        # Soulseek.NET cannot reach the user; slskd lets the exception become a 500.
        return _error(500, f"Failed to enqueue: user {username} appears to be offline")
    wanted: list[tuple[str, int, SharedFile | None]] = []
    for item in body:
        filename = str(item["filename"])
        wanted.append((filename, int(item.get("size") or 0), sim.find_share(username, filename)))
    sources = await asyncio.to_thread(
        lambda: [sim.audio_cache.ensure(s.audio) if s else None for _, _, s in wanted]
    )
    enqueued: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with sim.lock:
        for (filename, size, share), source in zip(wanted, sources, strict=True):
            active = any(
                t.username == username and t.filename == filename and not t.is_complete
                for t in sim.transfers.values()
            )
            if active:
                failed.append(
                    {"filename": filename, "size": size, "error": "File is already queued"}
                )
                continue
            real_size = sim.size_of(share) if share else size
            transfer = SimTransfer(username, filename, real_size, source)
            sim.transfers[transfer.id] = transfer
            sim.counters.files_enqueued += 1
            enqueued.append(transfer.to_json())
    if sim.legacy_enqueue_response:
        return Response(status_code=201)
    return JSONResponse({"enqueued": enqueued, "failed": failed}, status_code=201)
