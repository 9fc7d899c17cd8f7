"""The security suite: the real app (with its services) served by uvicorn on 127.0.0.1.

Every test talks to it over a real socket with httpx (or a raw socket where
httpx would refuse to send what an attacker sends). Each test gets a fresh
server, data folder and login limiter, so the throttle tests cannot lock the
others out; the demo (every service simulated) is shared by the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from security_helpers import DemoLive, Live, start_live

from soulsync.demo import build_demo_app, prepare_demo
from soulsync.web.server import ThreadedServer


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoLive]:
    """The demo with every service simulated, for tests that need real workflows behind routes."""
    root = tmp_path_factory.mktemp("security-demo")
    prepared = prepare_demo(
        root, time_scale=20, extra_config={"slskd": {"searches_per_window": 10_000}}
    )
    app, services = build_demo_app(prepared)
    server = ThreadedServer(app).start()
    try:
        yield DemoLive(server.url, app, services)
    finally:
        server.stop()
        prepared.close()


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[Live]:
    """A fresh server for one test."""
    running, server = start_live(tmp_path)
    try:
        yield running
    finally:
        server.stop()
        running.store.close()
