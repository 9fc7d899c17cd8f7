"""A demo sandbox and SoulSync CLI processes against it, for kill/restart tests.

The simulators run in the test process (threads, real sockets); each
``soulsync`` command runs as its own OS process on the demo's config file and
database, so a ``SIGKILL`` is a real kill. Imported by name: the folder is on
``sys.path`` (pytest rootdir-relative import).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from soulsync.demo import Demo
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.sandbox.catalogue import build_catalogue


def road_trip_ref() -> str:
    """The 30-track playlist: 10 owned in the seeded library, 20 to download."""
    return "spotify:" + build_catalogue().playlists["road-trip"].spotify_id


@dataclass
class CliWorld:
    """The demo plus helpers to run, kill and inspect SoulSync processes."""

    demo: Demo
    env: dict[str, str]

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """Start ``soulsync --config <demo> ARGS`` as a separate process."""
        return subprocess.Popen(
            [sys.executable, "-m", "soulsync", "--config", str(self.demo.config_path), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Read the SoulSync database directly (another connection, as another process would)."""
        conn = sqlite3.connect(self.demo.settings.database_path, timeout=30)
        try:
            return list(conn.execute(sql, params).fetchall())
        finally:
            conn.close()

    def scalar(self, sql: str, *params: object) -> object:
        """The first column of the first row."""
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None

    def kill_when(
        self, proc: subprocess.Popen[str], ready: Callable[[], bool], within_s: float = 90
    ) -> None:
        """SIGKILL ``proc`` as soon as ``ready()`` is true (polled every 10 ms)."""
        deadline = time.monotonic() + within_s
        while not ready():
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"process ended before the kill point:\n{out}\n{err}")
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("kill point never reached")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    @staticmethod
    def finish(proc: subprocess.Popen[str], within_s: float = 180) -> tuple[int, str, str]:
        """Wait for the process; its exit code, stdout and stderr."""
        try:
            out, err = proc.communicate(timeout=within_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"process did not finish:\n{out}\n{err}") from None
        return proc.returncode, out, err

    def completed_playlist_jobs(self) -> int:
        """Playlist-track jobs in state completed."""
        return int(
            self.scalar(
                "select count(*) from jobs where kind = 'playlist_track' and state = 'completed'"
            )
            or 0
        )

    def filed_audio(self) -> list[Path]:
        """Audio files under the Transfer folder."""
        root = Path(self.demo.settings.transfer_dir)
        return sorted(
            p
            for p in root.rglob("*")
            if p.is_file() and p.suffix.lstrip(".").lower() in AUDIO_EXTENSIONS
        )

    def server_playlists(self, title: str) -> list[int]:
        """Item counts of the Plex playlists with this title."""
        state = self.demo.sandbox.plex.state
        with state.lock:
            return [len(p.items) for p in state.playlists.values() if p.title == title]


def numbered_copies(paths: list[Path]) -> list[Path]:
    """Files named like ``Title (2).flac``: a second copy of one name."""
    import re

    pattern = re.compile(r" \(\d+\)\.[A-Za-z0-9]+$")
    return [p for p in paths if pattern.search(p.name)]
