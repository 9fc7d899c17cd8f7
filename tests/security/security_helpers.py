"""Helpers of the security suite: a running app, logins and CSRF tokens.

A plain module (not conftest.py) so tests import it by a name no other test
folder uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from soulsync.config import Settings, load_config
from soulsync.demo import DEMO_PASSWORD, DEMO_USER
from soulsync.services.container import AppServices, build_services
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.auth import set_initial_admin
from soulsync.web.server import ThreadedServer

PASSWORD = "correct horse battery"


@dataclass
class Live:
    """A running server and what the tests need to reach into."""

    url: str
    host: str
    port: int
    store: Store
    settings: Settings
    services: AppServices
    root: Path
    app: object

    def client(self, **kwargs: object) -> httpx.Client:
        """A fresh cookie-less client (no redirects followed)."""
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=20, **kwargs)  # type: ignore[arg-type]

    def login(self, password: str = PASSWORD) -> tuple[httpx.Client, str]:
        """A logged-in client and its CSRF token."""
        c = self.client()
        token = csrf_field(c.get("/login").text)
        r = c.post("/login", data={"csrf_token": token, "username": "admin", "password": password})
        assert r.status_code == 303, r.text[:300]
        return c, csrf_meta(c.get("/").text)


def csrf_field(html: str) -> str:
    """The token in a form's hidden field."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def csrf_meta(html: str) -> str:
    """The token a logged-in page gives its scripts."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def start_live(tmp_path: Path, extra: str = "") -> tuple[Live, ThreadedServer]:
    """Build and start the app in ``tmp_path`` (the admin password already set)."""
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[paths]\ndata_dir = "data"\n\n[sync]\nplaylists_dir = "playlists"\n{extra}',
        encoding="utf-8",
    )
    settings = load_config(config)
    store = Store(settings.database_path)
    set_initial_admin(store, "admin", PASSWORD, PASSWORD)
    services = build_services(settings, store)
    app = create_app(settings, store, services)
    server = ThreadedServer(app).start()
    live = Live(server.url, server.host, server.port, store, settings, services, tmp_path, app)
    return live, server


@dataclass
class DemoLive:
    """The demo (sandbox Spotify, Deezer, slskd, Plex simulators) served for the suite."""

    url: str
    app: object
    services: AppServices

    def login(self) -> tuple[httpx.Client, str]:
        """A logged-in client and its CSRF token."""
        c = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        token = csrf_field(c.get("/login").text)
        form = {"csrf_token": token, "username": DEMO_USER, "password": DEMO_PASSWORD}
        r = c.post("/login", data=form)
        assert r.status_code == 303, r.text[:300]
        return c, csrf_meta(c.get("/").text)
