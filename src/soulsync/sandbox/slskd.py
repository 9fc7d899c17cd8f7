"""A simulated slskd daemon: real HTTP on 127.0.0.1, the ``/api/v0`` API, real files.

This module holds the state and the clock; the routes are in
:mod:`soulsync.sandbox.slskd_api`, search matching in
:mod:`soulsync.sandbox.slskd_search`, transfers in
:mod:`soulsync.sandbox.slskd_transfers`.

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

Version mode: ``version`` below 0.26 behaves as 0.24/0.25, from 0.26 on as
0.26 (download retries, 0.26 file placement with ``destination_subdirectory``,
0.26 transfer JSON, silent ``remove`` of unfinished transfers). Other knobs:
``auth_disabled`` (slskd's ``web.authentication.disabled``: no key needed),
``connect_timeout_s`` (how long an enqueue to an unreachable peer holds its
slot before the 500).

Known fidelity gaps: no JWT sessions or API-key roles; searches do not
really use ``searchTimeout`` as an idle timeout; responses arrive at
deterministic times; ``failed`` entries of an enqueue carry an ``error``
string of our own wording; 0.26 batches are not simulated; there is no
``incomplete`` folder (the file appears in the downloads folder after the
state says succeeded, growing as in a copy).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from soulsync.sandbox.catalogue import Catalogue, Peer, SharedFile
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.server import BackgroundServer
from soulsync.sandbox.slskd_api import API, build_app
from soulsync.sandbox.slskd_search import SearchOptions, build_responses
from soulsync.sandbox.slskd_state import SimSearch, SlskdCounters
from soulsync.sandbox.slskd_transfers import (
    SimTransfer,
    SlskdMode,
    TransferTiming,
)

MODERN_VERSION = (0, 26, 0)


def version_tuple(text: str) -> tuple[int, ...]:
    """``"0.26.0"`` → ``(0, 26, 0)`` (non-numeric tails ignored)."""
    out: list[int] = []
    for part in text.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits or 0))
    return tuple(out)


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
        self.auth_disabled = False
        self.destination_subdirectory = "${SOURCE_DIRECTORY}"
        self.connect_timeout_s = 10.0  # simulated; an unreachable peer holds an enqueue slot
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
            self.auth_disabled = False
            self.destination_subdirectory = "${SOURCE_DIRECTORY}"
            self.connect_timeout_s = 10.0
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
    def modern(self) -> bool:
        """True when simulating slskd 0.26+ (retries, 0.26 file placement and JSON)."""
        return version_tuple(self.version) >= MODERN_VERSION

    @property
    def mode(self) -> SlskdMode:
        """The version-dependent transfer behaviour."""
        return SlskdMode(modern=self.modern, subdirectory=self.destination_subdirectory)

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
            mode = self.mode
            for transfer in self.transfers.values():
                was_done = transfer.is_complete
                transfer.advance(
                    real_dt * self.time_scale,
                    self.peers.get(transfer.username),
                    self.timing,
                    self.downloads_dir,
                    mode,
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
                        "files": [t.to_json(self.mode) for t in items],
                    }
                    for directory, items in dirs.items()
                ],
            }
            for user, dirs in users.items()
        ]
