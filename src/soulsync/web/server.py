"""Serving the app with uvicorn on a socket we bind ourselves.

Binding first turns "address already in use" into a clear one-line error
(``ServeError``) before uvicorn starts, and leaves no window in which another
process could take the port.
"""

from __future__ import annotations

import errno
import socket

import uvicorn
from fastapi import FastAPI


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
    )
    return uvicorn.Server(config)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM)."""
    sock = bind_socket(host, port)
    try:
        make_server(app).run(sockets=[sock])
    finally:
        sock.close()
