"""Every page served by real uvicorn with no services wired: each says honestly what is
missing (no stack traces, no fake data), and the security headers allow no inline script."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from soulsync.config import load_config
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.server import ThreadedServer

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    root = tmp_path_factory.mktemp("web")
    config = root / "config.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    settings = load_config(config)
    store = Store(settings.database_path)
    app = create_app(settings, store)
    with ThreadedServer(app) as server, httpx.Client(base_url=server.url, timeout=20) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/setup").text)
        assert token
        r = c.post(
            "/setup",
            data={
                "csrf_token": token.group(1),
                "username": "admin",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        assert r.status_code == 303
        yield c
    store.close()


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/", "services are not running"),
        ("/search", "Soulseek search is not available"),
        ("/queue", "Downloads are not available"),
        ("/playlists", "Playlist sync is not available"),
        ("/wishlist", "services are not running"),
        ("/artists", "The library is not available"),
        ("/settings", "Test connection"),
        ("/partials/dashboard/services", "not running in this process"),
        ("/partials/queue?tab=finished", "No finished downloads"),
    ],
)
def test_page_says_what_is_missing(client: httpx.Client, path: str, says: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert says in r.text
    assert "Traceback" not in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in r.text  # no inline scripts: the CSP would block them


def test_settings_test_connection_without_services(client: httpx.Client) -> None:
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/settings").text)
    assert token
    # Spotify is tested as the running app has it: there is none.
    r = client.post("/settings/test/spotify", headers={"X-CSRF-Token": token.group(1)})
    assert r.status_code == 200
    assert "Not working:" in r.text and "not running" in r.text
    # slskd is tested with what is typed, services or not: here no API key.
    r = client.post(
        "/settings/test/slskd",
        headers={"X-CSRF-Token": token.group(1)},
        data={"url": "http://127.0.0.1:9", "api_key": ""},
    )
    assert r.status_code == 200
    assert "Not working:" in r.text and "no API key" in r.text


def test_api_v1_without_services_is_a_clear_503(client: httpx.Client) -> None:
    r = client.get("/api/v1/jobs")
    assert r.status_code == 503
    assert "not running" in r.json()["error"]


def test_saving_settings_checks_values(client: httpx.Client) -> None:
    page = client.get("/settings").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    r = client.post(
        "/settings/section/downloads",
        data={"concurrency": "3", "retries": "5"},
        headers={"X-CSRF-Token": token.group(1)},
    )
    assert r.status_code == 200
    assert "but not applied: the services are not running in this process" in r.text
    bad = client.post(
        "/settings/section/downloads",
        data={"concurrency": "99", "retries": "5"},
        headers={"X-CSRF-Token": token.group(1)},
    )
    assert "Not saved" in bad.text and "concurrency" in bad.text
