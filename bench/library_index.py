"""Time to read a large library through the production media-server adapters.

For each server (Plex, Jellyfin, Subsonic/Navidrome) it starts that server's
simulator with N synthetic tracks (default 50 000, no audio files) in its own
process (a real server is another process too, so the client is not slowed
by the server sharing its interpreter), then reads every track with the
adapter's ``all_tracks()`` at a few page sizes and prints wall time, request
count and throughput, one block per server. The Navidrome simulator caps a
``search3`` page at 500 songs as Navidrome does, so larger page sizes are
asked for but 500 arrive. If the matching engine's library index exists, the
time to build it is printed too.

    .venv/bin/python bench/library_index.py [--tracks 50000] [--page-sizes 100,500,2000]
        [--servers plex,jellyfin,subsonic]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from soulsync.providers.jellyfin import JellyfinMediaServer
from soulsync.providers.plex import PlexMediaServer
from soulsync.providers.subsonic import SubsonicMediaServer
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.navidrome import NavidromeSimulator
from soulsync.sandbox.plex import PlexSimulator

TOKEN = "bench-token"
PASSWORD = "bench-password"
# The listing request each server's adapter pages through (counted per read).
LISTING = {"plex": "/library/sections", "jellyfin": "/Items", "subsonic": "/rest/search3"}


def _index_builder() -> Any | None:
    """The matching engine's library index class, if it has been written yet."""
    try:
        module = importlib.import_module("soulsync.matching.index")
    except ImportError:
        return None
    return getattr(module, "LibraryIndex", None)


def _adapter(kind: str, url: str, page_size: int) -> Any:
    if kind == "jellyfin":
        return JellyfinMediaServer(url, api_key=TOKEN, page_size=page_size, timeout_s=120)
    if kind == "subsonic":
        return SubsonicMediaServer(url, "admin", PASSWORD, page_size=page_size, timeout_s=120)
    return PlexMediaServer(url, TOKEN, page_size=page_size, timeout_s=120)


async def _read(kind: str, url: str, page_size: int) -> tuple[float, list[Any]]:
    adapter = _adapter(kind, url, page_size)
    started = time.perf_counter()
    tracks = await adapter.all_tracks()
    elapsed = time.perf_counter() - started
    await adapter.aclose()
    return elapsed, tracks


def _simulator(kind: str, library: Path) -> Any:
    if kind == "jellyfin":
        return JellyfinSimulator([library], TOKEN, scan_on_start=False)
    if kind == "subsonic":
        return NavidromeSimulator([library], password=PASSWORD, scan_on_start=False)
    return PlexSimulator([library], TOKEN)


def _serve(kind: str, tracks: int, conn: Connection) -> None:
    """Child process: run a simulator with ``tracks`` synthetic tracks until told to stop."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "Music"
        library.mkdir()
        sim = _simulator(kind, library)
        started = time.perf_counter()
        sim.add_synthetic_tracks(tracks)
        setup = time.perf_counter() - started
        sim.start()
        try:
            conn.send((sim.url, setup))
            while True:
                command = conn.recv()
                if command == "stop":
                    break
                if command == "reset":
                    sim.reset_counters()
                    conn.send(None)
                elif command == "count":
                    conn.send(sim.count("GET", LISTING[kind]))
        finally:
            sim.stop()


def _bench_server(kind: str, tracks: int, sizes: list[int]) -> list[Any] | None:
    """One server's block of figures; returns the tracks read (None on a wrong count)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(kind, tracks, child), daemon=True)
    server.start()
    read: list[Any] = []
    try:
        url, setup = parent.recv()
        print(f"{kind}: simulator with {tracks} synthetic tracks in {setup:.2f} s (own process)")
        # Warm the simulator's caches so the figures measure a steady server.
        asyncio.run(_read(kind, url, 5000))
        for size in sizes:
            parent.send("reset")
            parent.recv()
            seconds, read = asyncio.run(_read(kind, url, size))
            parent.send("count")
            requests = parent.recv()
            print(
                f"  {kind:<8} page size {size:>5}: {len(read)} tracks in {seconds:6.2f} s "
                f"({len(read) / seconds:8.0f} tracks/s, {requests} requests)"
            )
            if len(read) != tracks:
                print(f"ERROR: expected {tracks} tracks, got {len(read)}", file=sys.stderr)
                return None
    finally:
        parent.send("stop")
        server.join(10)
    return read


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per server and page size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--page-sizes", default="100,500,2000")
    parser.add_argument("--servers", default="plex,jellyfin,subsonic")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.page_sizes.split(",") if s]
    kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in LISTING]
    if unknown:
        parser.error(f"unknown server(s) {unknown}; choose from {sorted(LISTING)}")
    tracks: list[Any] = []
    for kind in kinds:
        got = _bench_server(kind, args.tracks, sizes)
        if got is None:
            return 1
        tracks = got
    builder = _index_builder()
    if builder is not None and tracks:
        started = time.perf_counter()
        builder(tracks)
        print(
            f"library index: built over {len(tracks)} tracks in "
            f"{time.perf_counter() - started:.2f} s"
        )
    elif builder is None:
        print("library index: soulsync.matching.index.LibraryIndex not available yet")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
