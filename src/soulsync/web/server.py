"""Serving the app with uvicorn on a socket we bind ourselves.

Binding first turns "address already in use" into a clear one-line error
(``ServeError``) before uvicorn starts, and leaves no window in which another
process could take the port.
"""

from __future__ import annotations

import errno
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from soulsync.web.http_limits import H11_BACKSTOP_BYTES, LimitedH11Protocol

GRACEFUL_SHUTDOWN_S = 3


class ServeError(RuntimeError):
    """The server cannot start; the message says why in one line."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv4 or IPv6), or ServeError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"cannot resolve the listen address {host!r}: {exc.strerror}") from exc
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    # SO_REUSEADDR only skips TIME_WAIT leftovers; a live listener still fails.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} on {host} is already in use (is SoulSync already running?); "
                "choose another with --port or web.port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise ServeError(f"no permission to listen on {host}:{port}") from exc
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeError(f"{host} is not an address of this machine") from exc
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def make_server(app: FastAPI, *, access_log: bool = True) -> uvicorn.Server:
    """A uvicorn server for ``app`` that uses SoulSync's logging setup."""
    config = uvicorn.Config(
        app,
        log_config=None,  # keep our handlers (and the secret mask)
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
        # h11 with a header-size check instead of httptools, which has no limit.
        http=LimitedH11Protocol,
        h11_max_incomplete_event_size=H11_BACKSTOP_BYTES,
        # Open SSE streams never finish by themselves: without this, stopping the
        # server would wait for every browser tab to go away.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    return uvicorn.Server(config)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM)."""
    sock = bind_socket(host, port)
    try:
        make_server(app).run(sockets=[sock])
    finally:
        sock.close()


class ThreadedServer:
    """The app served by uvicorn in a daemon thread (for ``soulsync demo`` and tests).

    Uses SoulSync's logging (no uvicorn log config). ``stop()`` shuts down
    gracefully and closes the socket.
    """

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = bind_socket(host, port)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._server = make_server(app, access_log=False)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name="soulsync-web",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """Base URL without a trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        """Start serving; returns once requests are accepted, or raises ServeError."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServeError(f"the web server did not start within {timeout:.0f}s")
            time.sleep(0.01)
        return self

    @property
    def running(self) -> bool:
        """True while the server thread is alive (also after a ``stop()`` that timed out)."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and release the port."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
