"""Time to read a large Plex library through the production adapter.

Starts the Plex simulator with N synthetic tracks (default 50 000, no audio
files) in its own process (a real Plex is another process too, so the client
is not slowed by the server sharing its interpreter), then reads every track
with ``PlexMediaServer.all_tracks()`` at a few page sizes and prints wall
time, request count and throughput. If the matching engine's library index
exists, the time to build it is printed too.

    .venv/bin/python bench/library_index.py [--tracks 50000] [--page-sizes 100,500,2000]
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

from soulsync.providers.plex import PlexMediaServer
from soulsync.sandbox.plex import PlexSimulator

TOKEN = "bench-token"


def _index_builder() -> Any | None:
    """The matching engine's library index class, if it has been written yet."""
    try:
        module = importlib.import_module("soulsync.matching.index")
    except ImportError:
        return None
    return getattr(module, "LibraryIndex", None)


async def _read(url: str, page_size: int) -> tuple[float, int]:
    adapter = PlexMediaServer(url, TOKEN, page_size=page_size, timeout_s=120)
    started = time.perf_counter()
    tracks = await adapter.all_tracks()
    return time.perf_counter() - started, len(tracks)


def _serve(tracks: int, conn: Connection) -> None:
    """Child process: run the simulator with ``tracks`` synthetic tracks until told to stop."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "Music"
        library.mkdir()
        sim = PlexSimulator([library], TOKEN)
        started = time.perf_counter()
        sim.add_synthetic_tracks(tracks)
        setup = time.perf_counter() - started
        with sim:
            conn.send((sim.url, setup))
            while True:
                command = conn.recv()
                if command == "stop":
                    break
                if command == "reset":
                    sim.reset_counters()
                    conn.send(None)
                elif command == "count":
                    conn.send(sim.count("GET", "/library/sections"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per page size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--page-sizes", default="100,500,2000")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.page_sizes.split(",") if s]

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(args.tracks, child), daemon=True)
    server.start()
    try:
        url, setup = parent.recv()
        print(f"simulator: {args.tracks} synthetic tracks in {setup:.2f} s (separate process)")
        # Warm the simulator's per-track XML cache so the figures measure a steady server.
        asyncio.run(_read(url, 5000))
        for size in sizes:
            parent.send("reset")
            parent.recv()
            seconds, count = asyncio.run(_read(url, size))
            parent.send("count")
            requests = parent.recv()
            print(
                f"page size {size:>5}: {count} tracks in {seconds:6.2f} s "
                f"({count / seconds:8.0f} tracks/s, {requests} requests)"
            )
            if count != args.tracks:
                print(f"ERROR: expected {args.tracks} tracks, got {count}", file=sys.stderr)
                return 1
        builder = _index_builder()
        if builder is not None:
            tracks = asyncio.run(PlexMediaServer(url, TOKEN).all_tracks())
            started = time.perf_counter()
            builder(tracks)
            print(
                f"library index: built over {len(tracks)} tracks in "
                f"{time.perf_counter() - started:.2f} s"
            )
        else:
            print("library index: soulsync.matching.index.LibraryIndex not available yet")
    finally:
        parent.send("stop")
        server.join(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
