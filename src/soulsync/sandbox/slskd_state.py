"""The slskd simulator's state as its HTTP routes see it: searches, counters, transfers.

:class:`SimulatorState` is what :mod:`soulsync.sandbox.slskd_api` needs of the
simulator (:class:`soulsync.sandbox.slskd.SlskdSimulator` provides it), so the
routes never import the simulator and the two modules form no import circle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from soulsync.sandbox.catalogue import Peer, SharedFile
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd_search import SearchOptions
from soulsync.sandbox.slskd_transfers import SimTransfer, SlskdMode, iso


@dataclass
class SlskdCounters:
    """What the simulator has seen, for tests and ``demo --smoke``."""

    requests: int = 0
    unauthorized: int = 0
    searches_posted: int = 0  # accepted search POSTs (each would reach the network)
    searches_rejected_429: int = 0
    searches_refused: int = 0  # 400 (e.g. only one-letter terms) or 409 (logged out)
    searches_deleted: int = 0
    enqueue_requests: int = 0
    files_enqueued: int = 0
    enqueue_rejected_429: int = 0
    transfers_completed: int = 0
    directory_requests: int = 0
    # time.monotonic() of every accepted search POST (for pacing checks across restarts).
    search_times: list[float] = field(default_factory=list)


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


class SimulatorState(Protocol):
    """The simulator's state and knobs that the HTTP routes read and change."""

    api_key: str
    version: str
    server_state: str
    unavailable: bool
    legacy_enqueue_response: bool
    enqueue_delay_s: float
    auth_disabled: bool
    destination_subdirectory: str
    connect_timeout_s: float
    time_scale: float
    downloads_dir: Path
    create_window_s: float
    lock: threading.RLock
    counters: SlskdCounters
    peers: dict[str, Peer]
    shares: list[SharedFile]
    searches: dict[str, SimSearch]
    transfers: dict[str, SimTransfer]
    audio_cache: AudioCache
    _creating_until: float
    _enqueues_in_flight: int

    @property
    def modern(self) -> bool: ...
    @property
    def mode(self) -> SlskdMode: ...
    def _busy(self) -> bool: ...
    def _new_search(self, body: dict[str, Any]) -> SimSearch: ...
    def _complete(self, search: SimSearch, state: str) -> None: ...
    def _groups(self, transfers: Iterable[SimTransfer]) -> list[dict[str, Any]]: ...
    def find_share(self, username: str, filename: str) -> SharedFile | None: ...
    def size_of(self, share: SharedFile) -> int: ...
