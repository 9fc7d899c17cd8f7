"""``soulsync demo --smoke`` end to end, as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from soulsync.sandbox.media import default_cache_dir
from soulsync.smoke import SMOKE_KEYS

SOULSYNC = [sys.executable, "-m", "soulsync"]
# What a fresh machine lacks: the product must never need them.
SYSTEM_TOOLS = ("ffmpeg", "ffprobe", "chromium", "chromium-browser")


def path_without_system_tools(bin_dir: Path) -> str:
    """A PATH with every program of today's PATH but ffmpeg, ffprobe and chromium."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or not Path(folder).is_dir():
            continue
        for program in Path(folder).iterdir():
            link = bin_dir / program.name
            if program.name in SYSTEM_TOOLS or link.exists() or link.is_symlink():
                continue
            if program.is_file() and os.access(program, os.X_OK):
                link.symlink_to(program)
    return str(bin_dir)


def _run(args: list[str], tmp_path: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    # A fresh HOME (no user config), but the shared sandbox audio cache, and no
    # ffmpeg, ffprobe or chromium on PATH, as on a fresh machine.
    cache = os.environ.get("SOULSYNC_SANDBOX_CACHE") or str(default_cache_dir().parent)
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "SOULSYNC_SANDBOX_CACHE": cache,
        "PATH": path_without_system_tools(tmp_path / "bin"),
    }
    return subprocess.run(
        [*SOULSYNC, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def test_smoke_syncs_the_road_trip_playlist_end_to_end(tmp_path: Path) -> None:
    world = tmp_path / "world"
    done = _run(["demo", "--smoke", "--dir", str(world)], tmp_path)
    last = done.stdout.strip().splitlines()[-1]
    report = json.loads(last)
    assert tuple(report) == SMOKE_KEYS
    assert report["ok"] is True, done.stdout + done.stderr
    assert done.returncode == 0
    # 30 tracks, 10 already in the library: 20 fetched, filed and in the playlist.
    assert report["downloaded"] == 20
    assert report["organized"] == 20
    assert report["playlist_synced"] is True
    # One pasted link of a track no peer shares, fetched from the video site.
    assert report["link_downloads"] >= 1
    assert report["youtube_downloaded"] >= 1
    assert report["slskd_searches"] >= 20
    transfer = Path(report["transfer_dir"])
    assert (transfer / "Daft Punk" / "Daft Punk - Discovery" / "03 Digital Love.flac").is_file()
    assert "Traceback" not in done.stderr


def test_the_stripped_path_really_lacks_the_system_tools(tmp_path: Path) -> None:
    path = path_without_system_tools(tmp_path / "bin")
    for tool in SYSTEM_TOOLS:
        assert shutil.which(tool, path=path) is None
    assert shutil.which("python3", path=path) is not None or shutil.which("python", path=path)


def test_demo_on_a_busy_port_says_so_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _run(["demo", "--port", str(port), "--dir", str(tmp_path / "w")], tmp_path, 60)
    assert done.returncode != 0
    assert "already in use" in done.stderr
    assert "Traceback" not in done.stderr
