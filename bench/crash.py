"""Random kills over a playlist sync: does every track end up exactly once?

For each iteration a fresh demo sandbox is started (simulated Spotify, Plex
and slskd in this process, real sockets), then ``soulsync sync "Road Trip"
--download-missing`` runs as its own OS process and is SIGKILLed at a random
moment, again and again (a random number of kills), before one last run is
left to finish. Each iteration prints what a user would check afterwards:

* jobs: playlist-track jobs (and how many completed) - 20 wanted;
* downloads: transfers slskd finished - 20 wanted;
* files: audio files in the Transfer tree - 20 wanted;
* dups: numbered copies ("Title (2).flac") plus recordings filed twice - 0 wanted;
* playlists: Plex playlists titled "Road Trip" with their sizes - one of 30 wanted;
* runs: sync runs recorded, and the final run's state.

    .venv/bin/python bench/crash.py [--iterations 3] [--max-kills 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# plexapi reads its config file at import: never the developer's own one.
os.environ.setdefault("PLEXAPI_CONFIG_PATH", os.path.join(os.devnull, "plexapi.ini"))

from soulsync.demo import Demo, prepare_demo
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.media import AudioCache

TITLE = "Road Trip"
NUMBERED = re.compile(r" \(\d+\)\.[A-Za-z0-9]+$")


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SOULSYNC_")}
    env.update(
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    return env


def _spawn(demo: Demo, env: dict[str, str], ref: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "soulsync",
            "--config",
            str(demo.config_path),
            "sync",
            ref,
            "--download-missing",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _query(demo: Demo, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(demo.settings.database_path, timeout=30)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


def _iteration(
    n: int, rng: random.Random, max_kills: int, cache: AudioCache, time_scale: float
) -> bool:
    with tempfile.TemporaryDirectory(prefix="soulsync-crash-") as tmp:
        root = Path(tmp)
        demo = prepare_demo(root / "demo", time_scale=time_scale, audio_cache=cache)
        try:
            env = _env(root)
            ref = "spotify:" + build_catalogue().playlists["road-trip"].spotify_id
            kills = rng.randint(1, max_kills)
            started = time.monotonic()
            for _ in range(kills):
                proc = _spawn(demo, env, ref)
                time.sleep(rng.uniform(1.0, 12.0))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                proc.wait(30)
            final = _spawn(demo, env, ref)
            try:
                final.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                final.kill()
                final.communicate()
            elapsed = time.monotonic() - started
            return _print(n, kills, demo, final.returncode, elapsed)
        finally:
            demo.close()


def _print(n: int, kills: int, demo: Demo, code: int | None, elapsed: float) -> bool:
    jobs = _query(demo, "select state from jobs where kind = 'playlist_track'")
    completed = sum(1 for (s,) in jobs if s == "completed")
    transfer = Path(demo.settings.transfer_dir)
    files = [
        p
        for p in transfer.rglob("*")
        if p.is_file() and p.suffix.lstrip(".").lower() in AUDIO_EXTENSIONS
    ]
    numbered = [p for p in files if NUMBERED.search(p.name)]
    filed = _query(demo, "select coalesce(spotify_id, isrc, track_key) from filed_tracks")
    twice = sum(n - 1 for n in Counter(k for (k,) in filed).values() if n > 1)
    state = demo.sandbox.plex.state
    with state.lock:
        sizes = [len(p.items) for p in state.playlists.values() if p.title == TITLE]
    runs = _query(demo, "select state from sync_runs order by started_at")
    downloads = demo.sandbox.slskd.counters.transfers_completed
    ok = (
        len(jobs) == completed == 20
        and downloads == 20
        and len(files) == 20
        and not numbered
        and not twice
        and sizes == [30]
        and code == 0
    )
    print(
        f"{n:>4} {kills:>5} {len(jobs):>4}/{completed:<4} {downloads:>9} {len(files):>5} "
        f"{len(numbered) + twice:>4}  {sizes!s:<10} {len(runs):>4} {runs[-1][0] if runs else '-':<11}"
        f" {elapsed:>6.0f}s  {'ok' if ok else 'WRONG'}",
        flush=True,
    )
    return ok


def main() -> int:
    """Run the iterations; exit 1 if any ended with work done twice or missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--max-kills", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-scale", type=float, default=10.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cache = AudioCache()
    print("iter kills jobs/done downloads files dups  playlists  runs final        time")
    results = [
        _iteration(i + 1, rng, args.max_kills, cache, args.time_scale)
        for i in range(args.iterations)
    ]
    print(f"{sum(results)} of {len(results)} iterations exactly once")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
