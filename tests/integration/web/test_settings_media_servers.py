"""Settings page: Jellyfin and Navidrome sections, Test connection against their simulators,
secrets write-only, and the dashboard's next scheduled run."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from soulsync.config import load_config
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.navidrome import NavidromeSimulator
from soulsync.services.container import build_services
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.server import ThreadedServer

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def sims(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[JellyfinSimulator, NavidromeSimulator]]:
    music = tmp_path_factory.mktemp("music")
    jellyfin = JellyfinSimulator([music], "jf-web-test-key-0001")
    navidrome = NavidromeSimulator([music])
    jellyfin.start()
    navidrome.start()
    yield jellyfin, navidrome
    jellyfin.stop()
    navidrome.stop()


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, sims: tuple[JellyfinSimulator, NavidromeSimulator]
) -> Iterator[tuple[httpx.Client, Path]]:
    jellyfin, navidrome = sims
    root = tmp_path_factory.mktemp("web")
    config = root / "config.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n'
        '[media_server]\ntype = "jellyfin"\n'
        f'[jellyfin]\nurl = "{jellyfin.url}"\napi_key = "{jellyfin.api_key}"\n'
        f'[navidrome]\nurl = "{navidrome.url}"\nusername = "{navidrome.username}"\n'
        f'password = "{navidrome.password}"\n',
        encoding="utf-8",
    )
    settings = load_config(config)
    store = Store(settings.database_path)
    services = build_services(settings, store)
    app = create_app(settings, store, services)
    with ThreadedServer(app) as server, httpx.Client(base_url=server.url, timeout=20) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/setup").text)
        assert token
        c.post(
            "/setup",
            data={
                "csrf_token": token.group(1),
                "username": "admin",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        yield c, config
    store.close()


def _csrf(client: httpx.Client) -> str:
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/settings").text)
    assert token
    return token.group(1)


def test_sections_are_on_the_page_without_secrets(
    client: tuple[httpx.Client, Path], sims: tuple[JellyfinSimulator, NavidromeSimulator]
) -> None:
    c, _ = client
    page = c.get("/settings").text
    for title in ("Media server", "Jellyfin", "Navidrome / Subsonic", "Notifications"):
        assert title in page
    assert sims[0].api_key not in page and sims[1].password not in page


def test_test_connection_for_the_server_in_use(client: tuple[httpx.Client, Path]) -> None:
    c, _ = client
    headers = {"X-CSRF-Token": _csrf(c)}
    r = c.post("/settings/test/jellyfin", headers=headers)
    assert "Connected." in r.text and "SoulSync Sandbox Jellyfin" in r.text
    r = c.post("/settings/test/navidrome", headers=headers)
    assert "Not working:" in r.text and "not in use: Jellyfin is the library" in r.text


def test_saving_keeps_an_empty_secret(client: tuple[httpx.Client, Path]) -> None:
    c, config = client
    headers = {"X-CSRF-Token": _csrf(c)}
    r = c.post(
        "/settings/section/jellyfin",
        data={
            "url": "http://127.0.0.1:8096",
            "api_key": "",
            "username": "me",
            "password": "",
            "library": "Tunes",
        },
        headers=headers,
    )
    assert "Saved and applied" in r.text, r.text[:500]
    saved = tomllib.loads(config.read_text(encoding="utf-8"))
    assert saved["jellyfin"]["library"] == "Tunes"
    assert saved["jellyfin"]["api_key"] == "jf-web-test-key-0001"  # kept, never sent back
    bad = c.post("/settings/section/media_server", data={"type": "emby"}, headers=headers)
    assert "Not saved" in bad.text


def test_dashboard_shows_the_next_run_per_playlist(client: tuple[httpx.Client, Path]) -> None:
    c, config = client
    settings = load_config(config)
    store = Store(settings.database_path)
    try:
        from soulsync.domain import Playlist, Source
        from soulsync.services.automation.schedules import ScheduleStore
        from soulsync.services.sync.store import SyncStore

        sync_store = SyncStore(store)
        sync_store.upsert_playlist(
            Playlist(id="pl-1", name="Morning Mix", source=Source.DEEZER), with_entries=False
        )
        record = sync_store.find_playlist(Source.DEEZER, "pl-1")
        assert record is not None
        ScheduleStore(store).set(record.id, every_hours=3)
    finally:
        store.close()
    html = c.get("/partials/dashboard/schedules").text
    assert "Morning Mix" in html and "every 3 h" in html and "next in 2 h" in html
    assert "Scheduled syncs" in c.get("/").text
