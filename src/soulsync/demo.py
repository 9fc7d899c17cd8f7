"""The demo: SoulSync configured against the sandbox simulators, no accounts needed.

``prepare_demo(root)`` starts the simulators, writes a real config file
(``root/soulsync.toml``, reusable with ``soulsync serve --config``), opens the
database, sets the demo login and logs into the simulated Spotify through the
same PKCE flow a user goes through. ``build_demo_app(demo)`` returns the web
app with every service wired; the demo command and the browser tests serve it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from soulsync.config import Settings, load_config
from soulsync.config_render import toml_text
from soulsync.providers.musicbrainz import MusicBrainzClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.providers.token_cipher import cipher_for
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.runner import Sandbox, start_sandbox
from soulsync.services.container import AppServices, build_services
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.auth import admin_is_set, set_initial_admin

DEMO_USER = "admin"
DEMO_PASSWORD = "soulsync-demo"


@dataclass
class Demo:
    """A prepared demo world: simulators running, config written, database open."""

    root: Path
    sandbox: Sandbox
    config_path: Path
    settings: Settings
    store: Store

    def close(self) -> None:
        """Stop the simulators and close the database."""
        self.store.close()
        self.sandbox.stop()


def prepare_demo(
    root: Path,
    *,
    web_port: int = 0,
    time_scale: float = 20.0,
    audio_cache: AudioCache | None = None,
    extra_config: dict[str, dict[str, object]] | None = None,
) -> Demo:
    """Start the sandbox under ``root`` and configure SoulSync against it."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox(root, time_scale=time_scale, audio_cache=audio_cache)
    try:
        data = sandbox.config(web_port=web_port)
        for section, values in (extra_config or {}).items():
            data.setdefault(section, {}).update(values)
        config_path = root / "soulsync.toml"
        config_path.write_text(
            toml_text(data, header="SoulSync demo configuration (sandbox services)"),
            encoding="utf-8",
        )
        config_path.chmod(0o600)
        settings = load_config(config_path)
        store = Store(settings.database_path)
        if not admin_is_set(store):
            set_initial_admin(store, DEMO_USER, DEMO_PASSWORD, DEMO_PASSWORD)
        asyncio.run(spotify_login(settings, store))
    except BaseException:
        sandbox.stop()
        raise
    return Demo(root=root, sandbox=sandbox, config_path=config_path, settings=settings, store=store)


async def spotify_login(settings: Settings, store: Store) -> None:
    """Log into the (simulated) Spotify with PKCE, as a user would in the browser."""
    auth = SpotifyAuth(
        store,
        client_id=settings.spotify.client_id,
        redirect_uri=settings.spotify.redirect_uri,
        accounts_base=settings.spotify.accounts_base,
        scopes=tuple(settings.spotify.scopes),
        cipher=cipher_for(settings),
    )
    try:
        if auth.logged_in:
            return
        request = auth.begin_login()
        async with httpx.AsyncClient(follow_redirects=False, timeout=10) as http:
            answer = await http.get(request.url)
        location = answer.headers.get("location")
        if not location:
            raise RuntimeError(f"the Spotify sandbox did not redirect (HTTP {answer.status_code})")
        await auth.complete_login(location)
    finally:
        await auth.aclose()


def build_demo_services(demo: Demo) -> AppServices:
    """Every service, wired to the sandbox (not started: the web app's lifespan starts them)."""
    extra: dict[str, Any] = {}
    if demo.sandbox.musicbrainz is not None:
        # Release types for matching come from the MusicBrainz simulator.
        extra["musicbrainz"] = MusicBrainzClient(demo.store, api_base=demo.sandbox.musicbrainz.url)
    return build_services(demo.settings, demo.store, **extra)


def build_demo_app(demo: Demo) -> tuple[FastAPI, AppServices]:
    """The web app for the demo and the services it runs."""
    services = build_demo_services(demo)
    return create_app(demo.settings, demo.store, services), services
