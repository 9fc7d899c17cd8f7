"""Web UI under load: 50 browsers on the dashboard with live streams during a 200-track sync.

One child process runs the outside world (the sandbox simulators for slskd,
Spotify, Deezer and Plex, plus an extra 200-track Spotify playlist), another
runs SoulSync as ``soulsync serve`` would; this process logs in once and starts a
sync of that playlist with "download missing", then 50 concurrent clients
each hold an SSE stream (``/events``) open and poll the dashboard (the page
and its live stats fragment) for 60 s. Printed: request count, p50/p95/max
page latency (target p95 < 150 ms), errors, SSE events received, the sync's
progress, and the server process's memory (RSS now and peak).

Run: .venv/bin/python bench/web.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from _report import target

TARGET_P95_MS = 150.0


# -- the server side (child process) ------------------------------------------------------------


def run_sandbox(root: Path, info_file: Path) -> None:
    """The outside world in its own process: simulators, config, demo login, 200-track playlist."""
    from soulsync.demo import prepare_demo

    demo = prepare_demo(root, extra_config={"slskd": {"searches_per_window": 100_000}})
    pid = demo.sandbox.spotify.add_playlist("Bench 200", size=200)
    demo.store.close()  # the web process owns the database from here on
    info_file.write_text(
        json.dumps({"config": str(demo.config_path), "playlist": f"spotify:{pid}"})
    )
    try:
        while True:
            time.sleep(3600)
    finally:
        demo.sandbox.stop()


def serve(config: Path, info_file: Path) -> None:
    """SoulSync itself, as ``soulsync serve`` runs it, against the sandbox's config."""
    from soulsync.config import load_config
    from soulsync.services.container import build_services
    from soulsync.store import Store
    from soulsync.web import create_app
    from soulsync.web.server import ThreadedServer

    settings = load_config(config)
    store = Store(settings.database_path)
    app = create_app(settings, store, build_services(settings, store))
    server = ThreadedServer(app).start()
    info_file.write_text(json.dumps({"url": server.url}))
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()
        store.close()


# -- the load side ------------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """Resident memory of a process, in kB (Linux)."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) if match else 0


def login(url: str) -> tuple[dict[str, str], str]:
    """Log in with the demo password; returns the cookies and the CSRF token."""
    from soulsync.demo import DEMO_PASSWORD, DEMO_USER

    with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as c:
        page = c.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF field on /login"
        r = c.post(
            "/login",
            data={"csrf_token": token.group(1), "username": DEMO_USER, "password": DEMO_PASSWORD},
        )
        r.raise_for_status()
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text)
        assert csrf, "no CSRF token after login"
        return dict(c.cookies), csrf.group(1)


async def client(
    url: str,
    cookies: dict[str, str],
    until: float,
    latencies: list[float],
    errors: list[str],
    events: list[int],
    by_path: dict[str, list[float]],
) -> None:
    """One browser: an SSE stream plus a dashboard poll about once a second."""
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=30) as http:

        async def stream() -> None:
            try:
                async with http.stream("GET", "/events", timeout=None) as r:
                    if r.status_code != 200:
                        errors.append(f"SSE HTTP {r.status_code}")
                        return
                    async for line in r.aiter_lines():
                        if line.startswith("event:"):
                            events[0] += 1
                        if time.monotonic() > until:
                            return
            except httpx.HTTPError as exc:
                errors.append(f"SSE {type(exc).__name__}")

        sse = asyncio.create_task(stream())
        # Browsers do not poll in lockstep: spread the clients over the first second.
        await asyncio.sleep(random.random())
        paths = ("/", "/partials/dashboard/stats", "/partials/dashboard/activity")
        n = 0
        while time.monotonic() < until:
            path = paths[n % len(paths)]
            n += 1
            start = time.perf_counter()
            try:
                r = await http.get(path)
                elapsed = (time.perf_counter() - start) * 1000
                if r.status_code != 200:
                    errors.append(f"{path} HTTP {r.status_code}")
                else:
                    latencies.append(elapsed)
                    by_path.setdefault(path, []).append(elapsed)
            except httpx.HTTPError as exc:
                errors.append(f"{path} {type(exc).__name__}")
            await asyncio.sleep(1.0)
        sse.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sse


async def load(
    url: str, playlist: str, clients: int, seconds: float, server_pid: int, sync: bool = True
) -> int:
    cookies, csrf = login(url)
    headers = {"X-CSRF-Token": csrf}
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60) as http:
        (await http.get("/playlists")).raise_for_status()
        if sync:
            r = await http.post(
                "/playlists/sync", data={"ref": playlist, "download_missing": "1"}, headers=headers
            )
            r.raise_for_status()
        runs = (await http.get("/playlists/running")).json()
    run = next((x for x in runs if x["ref"] == playlist), None)
    print(f"sync started: {run}")
    latencies: list[float] = []
    errors: list[str] = []
    events = [0]
    by_path: dict[str, list[float]] = {}
    peak = rss_kb(server_pid)
    until = time.monotonic() + seconds
    tasks = [
        asyncio.create_task(client(url, cookies, until, latencies, errors, events, by_path))
        for _ in range(clients)
    ]
    while not all(t.done() for t in tasks):
        peak = max(peak, rss_kb(server_pid))
        await asyncio.sleep(0.5)
    await asyncio.gather(*tasks)
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60) as http:
        status = (await http.get("/api/v1/syncs", params={"limit": 1})).json()
        live = (await http.get("/playlists/running")).json()
    if status and live:
        # The run's stored counters are written when it ends; the live view counts now.
        status[0]["owned"] = live[0]["done"]
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    result = {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(p95, 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "sse_events": events[0],
        "server_rss_mb": round(rss_kb(server_pid) / 1024, 1),
        "server_peak_rss_mb": round(peak / 1024, 1),
        "sync": {
            k: status[0].get(k)
            for k in ("state", "phase", "total", "owned", "downloaded", "missing", "wishlisted")
        }
        if status
        else None,
    }
    print(
        f"requests {result['requests']}  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms "
        f"(target < {TARGET_P95_MS:.0f})  max {result['max_ms']} ms  errors {result['errors']}"
    )
    print(
        f"SSE events received {result['sse_events']}  server RSS {result['server_rss_mb']} MB "
        f"(peak {result['server_peak_rss_mb']} MB)"
    )
    for path, values in sorted(by_path.items()):
        values.sort()
        print(f"  {path:32} n={len(values):5}  p95 {values[int(0.95 * (len(values) - 1))]:.1f} ms")
    print(f"sync after the run: {result['sync']}")
    print(json.dumps(result))
    met = target(
        f"page latency p95, {clients} clients" + (" during a sync" if sync else ""),
        f"< {TARGET_P95_MS:.0f} ms",
        f"{p95:.0f} ms",
        p95 < TARGET_P95_MS,
    )
    clean = target("request errors under load", "0", str(len(errors)), not errors)
    return 0 if (met and clean) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--no-sync", action="store_true", help="measure without the sync")
    parser.add_argument("--sandbox", nargs=2, metavar=("ROOT", "INFO"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=2, metavar=("CONFIG", "INFO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sandbox:
        run_sandbox(Path(args.sandbox[0]), Path(args.sandbox[1]))
        return 0
    if args.serve:
        serve(Path(args.serve[0]), Path(args.serve[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="soulsync-bench-web-") as tmp:
        env = {**os.environ, "SOULSYNC_LOG_LEVEL": "WARNING"}
        children: list[subprocess.Popen[bytes]] = []
        try:
            world = Path(tmp) / "world.json"
            children.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--sandbox", str(Path(tmp) / "demo"), str(world)],
                    env=env,
                )
            )
            sandbox = wait_json(world, children[0])
            web = Path(tmp) / "web.json"
            children.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--serve", sandbox["config"], str(web)], env=env
                )
            )
            server = wait_json(web, children[1])
            return asyncio.run(
                load(
                    server["url"],
                    sandbox["playlist"],
                    args.clients,
                    args.seconds,
                    children[1].pid,
                    sync=not args.no_sync,
                )
            )
        finally:
            for child in reversed(children):
                child.terminate()
                child.wait(timeout=30)


def wait_json(path: Path, child: subprocess.Popen[bytes], timeout: float = 180) -> dict[str, str]:
    """The JSON a child writes once it is ready."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"a bench process did not start ({path.name})")
        time.sleep(0.2)
    data: dict[str, str] = json.loads(path.read_text())
    return data


if __name__ == "__main__":
    sys.exit(main())
