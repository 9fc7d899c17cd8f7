"""Run an ASGI app on 127.0.0.1 in a background thread, on a free port.

Every simulator is an ordinary ASGI application served by a real uvicorn
server over real sockets, so production clients (httpx, plexapi) talk to it
exactly as they would to the real service.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn


class ServerStartError(RuntimeError):
    """The server could not bind or did not come up in time."""


class BackgroundServer:
    """A uvicorn server in a daemon thread. Use as a context manager or start()/stop()."""

    def __init__(
        self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "server"
    ) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.name = name
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:41234``."""
        if self.port is None:
            raise ServerStartError(f"{self.name} is not running")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Bind the socket, start serving, and wait until requests are accepted.

        After ``stop()`` this starts again on the same port (clients configured
        with the URL reconnect as they would to a restarted service).
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it a response sent in two
        # writes (headers, body) waits for the client's delayed ACK, ~40 ms each.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A restart comes back on the port it had, as a real service does.
        port = self.requested_port or self.port or 0
        try:
            sock.bind((self.host, port))
        except OSError as exc:
            sock.close()
            raise ServerStartError(
                f"{self.name}: cannot listen on {self.host}:{port} ({exc.strerror})"
            ) from exc
        sock.listen(128)
        self._sock = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        self._server = server

        def run() -> None:
            asyncio.run(server.serve(sockets=[sock]))

        self._thread = threading.Thread(target=run, name=f"sandbox-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(f"{self.name} did not start within {timeout:.0f}s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server = None
        self._thread = None
        self._sock = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
