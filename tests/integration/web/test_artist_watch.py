"""Watching an artist from the artist page (Deezer simulator as the metadata source)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from soulsync.config import load_config
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.services.container import build_services
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.server import ThreadedServer

PASSWORD = "a long enough password"


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    sim = DeezerSimulator(build_catalogue())
    sim.start()
    yield sim
    sim.stop()


def test_watch_and_unwatch_from_the_artist_page(
    tmp_path: Path, deezer_sim: DeezerSimulator
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[paths]\ndata_dir = "data"\n[deezer]\napi_base = "{deezer_sim.url}"\n',
        encoding="utf-8",
    )
    settings = load_config(config)
    store = Store(settings.database_path)
    services = build_services(settings, store)
    artist = next(
        a
        for a in deezer_sim.catalogue.artists.values()
        if deezer_sim.catalogue.albums_of_artist(a.key)
    )
    app = create_app(settings, store, services)
    with ThreadedServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as c:
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
        page = c.get(f"/artists/{quote(artist.name)}").text
        assert "Watch for new releases" in page
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert csrf
        headers = {"X-CSRF-Token": csrf.group(1), "HX-Request": "true"}
        r = c.post(f"/artists/{quote(artist.name)}/watch", headers=headers)
        assert r.status_code == 204 and r.headers["HX-Refresh"] == "true"
        assert services.watchlist is not None
        (watch,) = services.watchlist.watches()
        assert watch.artist_ref == f"deezer:{artist.deezer_id}"
        assert "Watching · stop" in c.get(f"/artists/{quote(artist.name)}").text
        again = c.post(f"/artists/{quote(artist.name)}/watch", headers=headers)
        assert again.status_code == 409 and "already watched" in again.text
        r = c.post(f"/artists/{quote(artist.name)}/watch", data={"stop": "true"}, headers=headers)
        assert r.status_code == 204 and services.watchlist.watches() == []
    store.close()
