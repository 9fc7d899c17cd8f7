"""``soulsync serve``: the web UI and API with the loaded configuration."""

from __future__ import annotations

import ipaddress
import logging
from typing import Annotated

import typer

from soulsync.cli.common import CliError, console, open_store, settings
from soulsync.services.container import build_services
from soulsync.web import create_app
from soulsync.web.server import ServeError, bind_socket, make_server

log = logging.getLogger(__name__)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default: web.host).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default: web.port).")
    ] = None,
) -> None:
    """Start the web UI and REST API (Ctrl-C stops it)."""
    config = settings(ctx)
    host = host or config.web.host
    port = port or config.web.port
    # Bind before opening anything else, so "port in use" is the first thing said.
    try:
        sock = bind_socket(host, port)
    except ServeError as exc:
        raise CliError(str(exc)) from exc
    try:
        store = open_store(config)
        try:
            app = create_app(config, store, build_services(config, store))
            if not _is_loopback(host):
                log.warning(
                    "listening on %s: SoulSync is reachable from other machines; "
                    "use a strong password and a TLS reverse proxy",
                    host,
                )
            shown = f"[{host}]" if ":" in host else host
            console.print(f"SoulSync {app.version} on http://{shown}:{port}/  (Ctrl-C to stop)")
            make_server(app).run(sockets=[sock])
        finally:
            store.close()
    finally:
        sock.close()


def register(app: typer.Typer) -> None:
    """Add ``soulsync serve`` to the root app."""
    app.command("serve")(serve)
