"""``POST /auth/desktop``: the desktop window's one-time login, over real uvicorn and httpx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from soulsync.config import load_config
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.auth import set_initial_admin
from soulsync.web.desktop_tokens import DesktopTokens
from soulsync.web.server import ThreadedServer

PASSWORD = "correct horse battery"


@dataclass
class Desktop:
    url: str
    app: FastAPI
    store: Store

    @property
    def tokens(self) -> DesktopTokens:
        tokens: DesktopTokens = self.app.state.auth.desktop_tokens
        return tokens

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=10, **kwargs)  # type: ignore[arg-type]


def _app(tmp_path: Path, *, with_admin: bool = True) -> tuple[FastAPI, Store]:
    config = tmp_path / "config.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    settings = load_config(config)
    store = Store(settings.database_path)
    if with_admin:
        set_initial_admin(store, "admin", PASSWORD, PASSWORD)
    return create_app(settings, store), store


@pytest.fixture()
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    app, store = _app(tmp_path)
    try:
        with ThreadedServer(app) as running:
            yield Desktop(running.url, app, store)
    finally:
        store.close()


def _logged_in(c: httpx.Client) -> bool:
    return c.get("/api/me").status_code == 200


def test_a_token_logs_the_window_in_once(desktop: Desktop) -> None:
    token = desktop.tokens.mint()
    window = desktop.client()
    r = window.post("/auth/desktop", data={"desktop_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "set-cookie" in r.headers
    assert window.get("/").status_code == 200
    me = window.get("/api/me").json()
    assert me["via"] == "session"
    activity = [row["message"] for row in desktop.store.recent_activity(10)]
    assert "Desktop window logged in" in activity

    again = desktop.client()
    r2 = again.post("/auth/desktop", data={"desktop_token": token})
    assert r2.status_code == 403
    assert "used or has expired" in r2.text
    assert not _logged_in(again)


def test_an_expired_token_is_refused(desktop: Desktop) -> None:
    now = [0.0]
    desktop.app.state.auth.desktop_tokens = DesktopTokens(ttl_s=60, clock=lambda: now[0])
    token = desktop.tokens.mint()
    now[0] = 61.0
    c = desktop.client()
    assert c.post("/auth/desktop", data={"desktop_token": token}).status_code == 403
    assert not _logged_in(c)


@pytest.mark.parametrize("form", [{}, {"desktop_token": ""}, {"desktop_token": "x" * 43}])
def test_a_wrong_or_missing_token_starts_no_session(desktop: Desktop, form: dict[str, str]) -> None:
    desktop.tokens.mint()
    c = desktop.client()
    r = c.post("/auth/desktop", data=form)
    assert r.status_code == 403
    assert not _logged_in(c)
    assert c.get("/").status_code == 303  # still sent to /login


def test_the_route_takes_no_get_and_the_token_never_rides_a_url(desktop: Desktop) -> None:
    token = desktop.tokens.mint()
    c = desktop.client()
    assert c.get(f"/auth/desktop?desktop_token={token}").status_code == 405
    assert not _logged_in(c)
    # The token is still unused: a query string is not a way in.
    assert c.post("/auth/desktop", data={"desktop_token": token}).status_code == 303


def test_wrong_tokens_are_throttled_like_logins(desktop: Desktop) -> None:
    token = desktop.tokens.mint()
    c = desktop.client()
    for _ in range(5):
        assert c.post("/auth/desktop", data={"desktop_token": "guess"}).status_code == 403
    r = c.post("/auth/desktop", data={"desktop_token": token})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert not _logged_in(c)
    # The password login keeps its own counter: wrong tokens cost it nothing.
    assert c.get("/login").status_code == 200


def test_a_forwarded_request_is_refused(desktop: Desktop) -> None:
    token = desktop.tokens.mint()
    c = desktop.client(headers={"X-Forwarded-For": "203.0.113.9"})
    r = c.post("/auth/desktop", data={"desktop_token": token})
    assert r.status_code == 403
    assert "this machine only" in r.text
    assert not _logged_in(c)


async def test_a_remote_client_is_refused(tmp_path: Path) -> None:
    # Served in-process with a remote peer address: the socket server above only has loopback.
    app, store = _app(tmp_path)
    try:
        token = app.state.auth.desktop_tokens.mint()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://soulsync") as c:
            r = await c.post("/auth/desktop", data={"desktop_token": token})
            assert r.status_code == 403
            assert "this machine only" in r.text
            assert (await c.get("/api/me")).status_code == 401
    finally:
        store.close()


def test_before_first_start_the_window_gets_the_setup_page(tmp_path: Path) -> None:
    app, store = _app(tmp_path, with_admin=False)
    try:
        with ThreadedServer(app) as running:
            token = app.state.auth.desktop_tokens.mint()
            c = httpx.Client(base_url=running.url, follow_redirects=False, timeout=10)
            r = c.post("/auth/desktop", data={"desktop_token": token})
            assert r.status_code == 303 and r.headers["location"] == "/setup"
            assert c.get("/api/me").status_code == 503
    finally:
        store.close()
