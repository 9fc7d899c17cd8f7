"""How many Spotify requests does reading a 500-track playlist cost? (targets: cold <= 12, warm 1)

Starts the Spotify simulator, logs in with PKCE, adds a 500-track playlist,
and reads it three times with the production client and a fresh SQLite store:

* cold   - nothing cached: 1 metadata request + 10 pages of 50 items;
* warm   - unchanged playlist: only the request that yields the snapshot_id;
* hinted - snapshot_id already known from /me/playlists: no request at all;
* changed - after one item is added: metadata + all pages again.

Prints one line per case and a JSON summary; exits 1 if a target is missed.
Run: .venv/bin/python bench/spotify_calls.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from _report import target
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.sandbox.spotify import SpotifySimulator, login_headless
from soulsync.store import Store

SIZE = 500
COLD_TARGET = 12
WARM_TARGET = 1


async def measure(sim: SpotifySimulator, store: Store) -> dict[str, float]:
    """Run the four reads and return request counts and timings."""
    auth = SpotifyAuth(
        store,
        client_id=sim.client_id,
        redirect_uri="http://127.0.0.1:43112/callback",
        accounts_base=sim.url,
    )
    await login_headless(auth)
    client = SpotifyClient(store, auth, api_base=sim.api_base, min_gap_s=0.0)
    pid = sim.add_playlist("Benchmark 500", size=SIZE)
    results: dict[str, float] = {}

    async def read(label: str, snapshot: str | None = None) -> str | None:
        sim.reset_counters()
        started = time.perf_counter()
        playlist = await client.get_playlist(pid, snapshot_id=snapshot)
        results[f"{label}_requests"] = sim.api_requests
        results[f"{label}_seconds"] = round(time.perf_counter() - started, 3)
        assert len(playlist.entries) == playlist.total, "entries missing"
        print(
            f"{label:>8}: {sim.api_requests:3d} Spotify requests, "
            f"{len(playlist.entries)} entries, {results[f'{label}_seconds']:.3f} s"
        )
        return playlist.snapshot_id

    snapshot = await read("cold")
    await read("warm")
    await read("hinted", snapshot)
    sim.add_items(pid, ["25/Hello"])
    await read("changed")
    await client.aclose()
    return results


def main() -> int:
    """Print the figures; non-zero exit when a target is missed."""
    with tempfile.TemporaryDirectory() as tmp, SpotifySimulator() as sim:
        store = Store(Path(tmp) / "bench.db")
        try:
            results = asyncio.run(measure(sim, store))
        finally:
            store.close()
    ok = results["cold_requests"] <= COLD_TARGET and results["warm_requests"] <= WARM_TARGET
    target(
        "Spotify requests, 500-track playlist cold",
        f"<= {COLD_TARGET}",
        f"{results['cold_requests']:.0f}",
        results["cold_requests"] <= COLD_TARGET,
    )
    target(
        "Spotify requests, same playlist warm",
        f"<= {WARM_TARGET}",
        f"{results['warm_requests']:.0f}",
        results["warm_requests"] <= WARM_TARGET,
    )
    print(json.dumps({"playlist_size": SIZE, **results, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
