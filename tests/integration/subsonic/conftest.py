"""Fixtures: a REAL Subsonic server (supysonic from PyPI) with its scanner daemon, on 127.0.0.1.

supysonic reads ``supysonic.conf`` from its working directory (its
``config.py`` ``IniConfig.common_paths``), so each run gets its own folder
with the config, the SQLite database, the daemon's socket and the music.
supysonic has no token auth: the adapter must fall back to the password.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache

USER = "soulsync"
PASSWORD = "supy-test-pass-4e1"
_BIN = Path(sys.executable).parent


@dataclass
class Supysonic:
    """A running supysonic: its URL, its folders and its processes."""

    url: str
    root: Path
    music: Path
    server: subprocess.Popen[bytes]
    daemon: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    def cli(self, *args: str) -> str:
        """Run ``supysonic-cli`` against this instance."""
        done = subprocess.run(
            [str(_BIN / "supysonic-cli"), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_config(root: Path) -> None:
    (root / "supysonic.conf").write_text(
        "\n".join(
            [
                "[base]",
                f"database_uri = sqlite:///{root}/supysonic.db",
                "[webapp]",
                "mount_api = on",
                "mount_webui = off",
                f"cache_dir = {root}/cache",
                "log_level = WARNING",
                "[daemon]",
                f"socket = {root}/daemon.sock",
                "run_watcher = off",
                "wait_delay = 1",
                "log_level = WARNING",
                "",
            ]
        ),
        encoding="utf-8",
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """One audio cache for the whole session."""
    return AudioCache()


@pytest.fixture(scope="module")
def supysonic(audio_cache: AudioCache) -> Iterator[Supysonic]:
    """supysonic-server (waitress) and supysonic-daemon over a seeded, scanned library."""
    # The daemon's Unix socket path must stay short (108 bytes), so not under tmp_path.
    root = Path(tempfile.mkdtemp(prefix="supy-"))
    music = root / "music"
    seed_library(music, cache=audio_cache)
    _write_config(root)
    base = Supysonic("", root, music, None, None)  # type: ignore[arg-type]
    base.cli("user", "add", USER, "-p", PASSWORD)
    base.cli("user", "setroles", "-A", USER)
    base.cli("folder", "add", "music", str(music))
    base.cli("folder", "scan", "music")
    port = _free_port()
    daemon = subprocess.Popen(
        [str(_BIN / "supysonic-daemon")],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [str(_BIN / "supysonic-server"), "-S", "waitress", "-h", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            ping = httpx.get(
                f"{url}/rest/ping.view",
                params={"u": USER, "p": PASSWORD, "c": "test", "v": "1.12.0", "f": "json"},
                timeout=2,
            )
            if ping.status_code == 200 and (root / "daemon.sock").exists():
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None or daemon.poll() is not None:
            _stop(server)
            _stop(daemon)
            raise RuntimeError("supysonic did not start")
        time.sleep(0.2)
    instance = Supysonic(url, root, music, server, daemon)
    yield instance
    _stop(server)
    _stop(daemon)
    shutil.rmtree(root, ignore_errors=True)
