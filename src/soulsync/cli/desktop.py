"""``soulsync desktop``: the web UI in its own window, already logged in.

The web app runs in this process (uvicorn in a thread) on a free port of
127.0.0.1, the one address nothing else can reach. The window (pywebview with
its Qt backend, ``pip install 'soulsync[desktop]'``) first shows a small local
page that posts a one-time token (``soulsync.web.desktop_tokens``) to
``/auth/desktop``; the token is in the form's body, never in a URL, and no
password is involved. Closing the window stops the server (download workers
and the sync runner shut down by the app's lifespan) and closes the database.

Before the first-start password is set the window shows the first-start page:
the same database serves ``soulsync serve``, which may listen on the network,
so SoulSync never creates an account without a password on its own.
"""

from __future__ import annotations

import html
import logging
import os
import signal
import sys
from collections.abc import Mapping
from types import FrameType, ModuleType
from typing import Any
from urllib.parse import urlsplit

import typer

from soulsync.cli.common import CliError, console, open_store, settings

log = logging.getLogger(__name__)

INSTALL_HINT = "install soulsync[desktop] (pip install 'soulsync[desktop]')"
WINDOW_TITLE = "SoulSync"
WINDOW_SIZE = (1280, 860)
SERVER_START_S = 30.0
SERVER_STOP_S = 30.0


def load_webview() -> ModuleType:
    """pywebview with its Qt backend loaded, or CliError saying what to install."""
    try:
        import webview

        # Qt and QtWebEngine load here: a missing library fails now, clearly.
        import webview.platforms.qt
    except ImportError as exc:
        raise CliError(
            f"the desktop window needs pywebview with Qt: {INSTALL_HINT} ({exc})"
        ) from exc
    return webview


def check_display(environ: Mapping[str, str] = os.environ) -> None:
    """On Linux, refuse early (CliError) without a display: Qt would abort the process."""
    if not sys.platform.startswith("linux"):
        return
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY") or environ.get("QT_QPA_PLATFORM"):
        return
    raise CliError(
        "no graphical display (DISPLAY is not set): run `soulsync desktop` in a desktop "
        "session, or run `soulsync serve` and open the address in a browser"
    )


def handshake_page(base_url: str, token: str) -> str:
    """The window's first page: it posts ``token`` to ``/auth/desktop`` at once.

    Loaded from memory, not from the server, so the token is never in a URL,
    a history entry or an access log.
    """
    from soulsync.web.routes_desktop import PATH, TOKEN_FIELD

    action = html.escape(base_url + PATH, quote=True)
    value = html.escape(token, quote=True)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>SoulSync</title></head>"
        "<body style='font-family:sans-serif;background:#111;color:#ddd'>"
        f"<form method='post' action='{action}'>"
        f"<input type='hidden' name='{TOKEN_FIELD}' value='{value}'>"
        "<p>Opening SoulSync…</p><noscript><button>Open</button></noscript></form>"
        "<script>document.forms[0].submit()</script></body></html>"
    )


def _page(url: str | None) -> str:
    """A loaded address without its query (for the log)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else (url or "")


def _root_needs_no_sandbox() -> None:
    # QtWebEngine (Chromium) refuses to start as root with its sandbox on.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log.warning("running as root: the window's web engine runs without its sandbox")
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def desktop(ctx: typer.Context) -> None:
    """Open SoulSync in its own window, logged in (closing the window stops it)."""
    from soulsync.services.container import build_services
    from soulsync.web import create_app
    from soulsync.web.server import ServeError, ThreadedServer

    config = settings(ctx)
    check_display()
    webview = load_webview()
    _root_needs_no_sandbox()
    store = open_store(config)
    try:
        app = create_app(config, store, build_services(config, store))
        try:
            server = ThreadedServer(app, "127.0.0.1", 0).start(timeout=SERVER_START_S)
        except ServeError as exc:
            raise CliError(str(exc)) from exc
        try:
            console.print(f"SoulSync {app.version} desktop: serving {server.url}/ to its window")
            token = app.state.auth.desktop_tokens.mint()
            _run_window(webview, handshake_page(server.url, token))
        finally:
            server.stop(timeout=SERVER_STOP_S)
        if server.running:
            raise CliError(f"the web server did not stop within {SERVER_STOP_S:.0f} s")
    finally:
        store.close()
    console.print("SoulSync desktop: window closed, server stopped.")


def _run_window(webview: Any, first_page: str) -> None:
    """Show the window and return when it is closed (or on SIGTERM/Ctrl-C)."""
    window = webview.create_window(
        WINDOW_TITLE,
        html=first_page,
        width=WINDOW_SIZE[0],
        height=WINDOW_SIZE[1],
        min_size=(375, 480),
    )

    def loaded() -> None:
        log.info("desktop window showing %s", _page(window.get_current_url()))

    def stop(_signum: int, _frame: FrameType | None) -> None:
        log.info("desktop window closing on a signal")
        window.destroy()

    window.events.loaded += loaded
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        webview.start(gui="qt", private_mode=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(app: typer.Typer) -> None:
    """Add ``soulsync desktop`` to the root app."""
    app.command("desktop")(desktop)
