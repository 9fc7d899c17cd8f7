"""A local webhook receiver for the notification tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    """Records every POST; answers ``fail_first`` errors before it accepts."""

    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    fail_first: int = 0
    status_when_failing: int = 503
    attempts: int = 0


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 that stores the JSON bodies posted to it."""
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            state.attempts += 1
            if state.fail_first > 0:
                state.fail_first -= 1
                self.send_response(state.status_when_failing)
                self.end_headers()
                return
            state.bodies.append(json.loads(raw))
            state.paths.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
