"""What the Jellyfin and Navidrome simulators share: a library state, scans, counters, a port.

Both keep their tracks and playlists in the Plex simulator's
:class:`~soulsync.sandbox.plex_library.PlexState` (a scan of real tagged
files with mutagen, stable keys per path), and differ only in the HTTP API
they put in front of it. A requested scan runs in a background thread after
``scan_start_delay_s`` and stays "running" for ``scan_duration_s``, so clients
must poll for the end as they would with the real servers.
"""

from __future__ import annotations

import collections
import threading
import time
from pathlib import Path
from typing import Any

from soulsync.sandbox.library_seed import synthetic_tracks
from soulsync.sandbox.plex_library import PlexState, ScanResult


class LibrarySimulator:
    """A music library over ``library_dirs`` with background scans and request counters."""

    server_name = "library"

    def __init__(
        self,
        library_dirs: list[Path],
        *,
        scan_start_delay_s: float = 0.05,
        scan_duration_s: float = 0.3,
        scan_on_start: bool = True,
    ) -> None:
        if not library_dirs:
            raise ValueError("a library simulator needs at least one library folder")
        self.library_dirs = [Path(d).resolve() for d in library_dirs]
        self.scan_start_delay_s = scan_start_delay_s
        self.scan_duration_s = scan_duration_s
        self.scan_on_start = scan_on_start
        self.down = False
        self.state = PlexState()
        self.requests: collections.Counter[str] = collections.Counter()
        self.scans_completed = 0
        self.scans_requested = 0
        self.last_scan: ScanResult | None = None
        self.last_scan_at = 0.0
        self._scan_lock = threading.Lock()
        self._scan_queue: list[Path | None] = []
        self._worker_running = False
        self._scan_active = False
        self._scan_cancel = threading.Event()
        self._initial_scan_done = False
        self._server: Any = None

    # -- lifecycle ---------------------------------------------------------------------

    def build_app(self) -> Any:
        """The ASGI app (subclasses)."""
        raise NotImplementedError

    def start(self) -> LibrarySimulator:
        """Scan the library once (if asked) and start serving on a free 127.0.0.1 port."""
        from soulsync.sandbox.server import BackgroundServer

        if self.scan_on_start and not self._initial_scan_done:
            self.scan_now()
            self._initial_scan_done = True
        if self._server is None:
            self._server = BackgroundServer(self.build_app(), name=self.server_name)
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving (clients then see "connection refused")."""
        self._scan_cancel.set()
        if self._server is not None:
            self._server.stop()
        self._scan_cancel.clear()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234``."""
        if self._server is None:
            raise RuntimeError(f"{self.server_name} simulator is not running")
        return str(self._server.url)

    # -- knobs and counters ----------------------------------------------------------------

    def count(self, method: str, path_prefix: str) -> int:
        """Requests whose method matches and whose path starts with ``path_prefix``."""
        return sum(
            n
            for key, n in list(self.requests.items())
            if key.split(" ", 1)[0] == method and key.split(" ", 1)[1].startswith(path_prefix)
        )

    def reset_counters(self) -> None:
        """Forget counted requests."""
        self.requests.clear()

    def add_synthetic_tracks(self, count: int) -> int:
        """Add ``count`` file-less tracks (bench and paging tests); returns how many."""
        return self.state.add_seeds(synthetic_tracks(count), self.library_dirs[0])

    # -- scanning ----------------------------------------------------------------------

    def scan_now(self, under: Path | None = None) -> ScanResult:
        """Rescan synchronously: what a finished scan would have done."""
        result = self.state.scan(self.library_dirs, under)
        self.last_scan = result
        self.last_scan_at = time.time()
        self.scans_completed += 1
        return result

    @property
    def scanning(self) -> bool:
        """True while a requested scan runs."""
        return self._scan_active

    def request_scan(self, under: Path | None = None) -> None:
        """Queue a scan (``under`` None: every folder) and return at once, like the servers."""
        with self._scan_lock:
            self.scans_requested += 1
            self._scan_queue.append(under)
            if self._worker_running:
                return
            self._worker_running = True
            threading.Thread(
                target=self._scan_worker, name=f"{self.server_name}-sim-scan", daemon=True
            ).start()

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

    def _scan_worker(self) -> None:
        try:
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
                self._scan_active = False
                self._worker_running = False

    def folder_for(self, path: str) -> Path | None:
        """``path`` as a folder inside the library (None when outside it: scan everything)."""
        candidate = Path(path).resolve()
        for root in self.library_dirs:
            try:
                candidate.relative_to(root)
            except ValueError:
                continue
            return candidate if candidate.is_dir() else candidate.parent
        return None
