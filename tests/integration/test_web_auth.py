"""The web app's auth, served by real uvicorn on 127.0.0.1 and driven by httpx over a socket."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from soulsync.config import Settings, load_config
from soulsync.store import Store
from soulsync.web import create_app
from soulsync.web.apikeys import create_api_key, revoke_api_key
from soulsync.web.server import ThreadedServer

PASSWORD = "correct horse battery"


@dataclass
class Running:
    url: str
    store: Store
    settings: Settings


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Running]:
    """The real app on a free port, with a fresh data dir."""
    config = tmp_path / "config.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    settings = load_config(config)
    store = Store(settings.database_path)
    app = create_app(settings, store)
    try:
        with ThreadedServer(app) as running:
            yield Running(running.url, store, settings)
    finally:
        store.close()


def client(server: Running) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=10)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def do_setup(server: Running) -> httpx.Client:
    """Complete first start; returns the logged-in client."""
    c = client(server)
    token = csrf_from(c.get("/setup").text)
    r = c.post(
        "/setup",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    return c


def login(
    server: Running, password: str = PASSWORD, next_: str = "/"
) -> tuple[httpx.Client, httpx.Response]:
    c = client(server)
    token = csrf_from(c.get("/login").text)
    r = c.post(
        "/login",
        data={"csrf_token": token, "username": "admin", "password": password, "next": next_},
    )
    return c, r


def test_healthz_needs_no_auth(server: Running) -> None:
    r = client(server).get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "version": "0.1.0"}
    assert r.headers["x-frame-options"] == "DENY"


def test_first_start_redirects_everything_to_setup(server: Running) -> None:
    c = client(server)
    for path in ("/", "/login", "/queue", "/settings?x=1"):
        r = c.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"] == "/setup"
    r = c.get("/api/me")
    assert r.status_code == 503
    assert "setup" in r.json()["error"]
    page = c.get("/setup")
    assert page.status_code == 200
    assert "Choose the administrator" in page.text


def test_setup_flow_validates_then_logs_in(server: Running) -> None:
    c = client(server)
    token = csrf_from(c.get("/setup").text)
    without_token = c.post(
        "/setup", data={"username": "admin", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert without_token.status_code == 403
    short = c.post(
        "/setup",
        data={"csrf_token": token, "username": "admin", "password": "short", "confirm": "short"},
    )
    assert short.status_code == 400
    assert "at least 8" in short.text
    differ = c.post(
        "/setup",
        data={
            "csrf_token": token,
            "username": "admin",
            "password": PASSWORD,
            "confirm": PASSWORD + "x",
        },
    )
    assert differ.status_code == 400
    assert "differ" in differ.text
    ok = c.post(
        "/setup",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert ok.status_code == 303
    admin = server.store.get_setting("web.admin")
    assert admin["username"] == "admin"
    assert admin["hash"].startswith("$argon2id$")
    assert PASSWORD not in str(admin)
    dashboard = c.get("/")
    assert dashboard.status_code == 200
    assert "<h1>Dashboard</h1>" in dashboard.text
    assert c.get("/api/me").json() == {
        "user": "admin",
        "via": "session",
        "api_key_id": None,
        "scope": "full",
    }


def test_setup_cannot_be_repeated(server: Running) -> None:
    do_setup(server)
    intruder = client(server)
    assert intruder.get("/setup").headers["location"] == "/login"
    token = csrf_from(intruder.get("/login").text)
    r = intruder.post(
        "/setup",
        data={"csrf_token": token, "username": "evil", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert server.store.get_setting("web.admin")["username"] == "admin"
    _, ok = login(server)
    assert ok.status_code == 303


def test_login_and_wrong_password(server: Running) -> None:
    do_setup(server)
    c, wrong = login(server, password="not the password")
    assert wrong.status_code == 401
    assert "Wrong user name or password" in wrong.text
    assert c.get("/api/me").status_code == 401
    c, ok = login(server, next_="/queue")
    assert ok.status_code == 303
    assert ok.headers["location"] == "/queue"
    assert c.get("/api/me").json()["via"] == "session"


def test_login_next_cannot_leave_the_site(server: Running) -> None:
    do_setup(server)
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        _, r = login(server, next_=evil)
        assert r.status_code == 303
        assert r.headers["location"] == "/", evil


def test_unauthenticated_requests(server: Running) -> None:
    do_setup(server)
    c = client(server)
    r = c.get("/api/me")
    assert r.status_code == 401
    assert r.json() == {"error": "authentication required"}
    assert r.headers["www-authenticate"].startswith("Bearer")
    page = c.get("/playlists?id=3")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/playlists%3Fid%3D3"
    # Static files and health stay public.
    assert c.get("/static/style.css").status_code == 200
    assert c.get("/static/vendor/htmx.min.js").status_code == 200


def test_api_keys(server: Running) -> None:
    do_setup(server)
    info, key = create_api_key(server.store, "scripts")
    c = client(server)
    bearer = c.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200
    assert bearer.json() == {
        "user": "api:scripts",
        "via": "api_key",
        "api_key_id": info.id,
        "scope": "read",
    }
    header = c.get("/api/me", headers={"X-API-Key": key})
    assert header.status_code == 200
    assert "set-cookie" not in header.headers  # API clients get no session cookie
    wrong = c.get("/api/me", headers={"X-API-Key": key[:-2] + "xx"})
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "invalid API key"}
    # A read key may not change anything; a full key needs no CSRF token (405: it
    # reached the route).
    assert c.post("/api/me", headers={"X-API-Key": key}).status_code == 403
    _full_info, full = create_api_key(server.store, "full scripts", "full")
    assert c.post("/api/me", headers={"X-API-Key": full}).status_code == 405
    assert revoke_api_key(server.store, info.id)
    assert c.get("/api/me", headers={"X-API-Key": key}).status_code == 401


def test_csrf_required_for_cookie_posts(server: Running) -> None:
    c = do_setup(server)
    token = csrf_from(c.get("/").text)
    assert c.post("/logout").status_code == 403
    assert c.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    json_post = c.post("/api/me", json={})
    assert json_post.status_code == 403
    assert json_post.json() == {"error": "CSRF token missing or invalid"}
    # The header form of the token (htmx, fetch) passes the gate.
    assert c.post("/api/me", json={}, headers={"X-CSRF-Token": token}).status_code == 405
    # Multipart forms carry the field too.
    multipart = c.post("/logout", files={"f": ("a.txt", b"x")}, data={"csrf_token": token})
    assert multipart.status_code == 303
    assert c.get("/api/me").status_code == 401  # logged out


def test_logout_revokes_the_session_server_side(server: Running) -> None:
    c = do_setup(server)
    old_cookie = c.cookies.get("soulsync_session")
    assert old_cookie
    token = csrf_from(c.get("/").text)
    r = c.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    replay = client(server)
    replay.cookies.set("soulsync_session", old_cookie)
    assert replay.get("/api/me").status_code == 401


def test_cookie_flags_and_rotation_on_login(server: Running) -> None:
    do_setup(server)
    c = client(server)
    first = c.get("/login")
    set_cookie = first.headers["set-cookie"]
    assert set_cookie.startswith("soulsync_session=")
    flags = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "path", "max-age", "samesite"} <= flags
    assert "samesite=lax" in set_cookie.lower()
    assert "secure" not in flags  # plain http on loopback
    before = csrf_from(first.text)
    r = c.post("/login", data={"csrf_token": before, "username": "admin", "password": PASSWORD})
    assert r.status_code == 303
    after = csrf_from(c.get("/").text)
    assert after != before  # a token planted before login is useless after it


def test_forged_cookie_is_ignored(server: Running) -> None:
    do_setup(server)
    c = client(server)
    c.cookies.set("soulsync_session", "eyJjc3JmIjoiYSIsInNpZCI6ImIifQ.forged.sig")
    assert c.get("/api/me").status_code == 401


def test_login_rate_limit(server: Running) -> None:
    do_setup(server)
    c = client(server)
    token = csrf_from(c.get("/login").text)
    statuses = [
        c.post(
            "/login", data={"csrf_token": token, "username": "admin", "password": f"bad{i}"}
        ).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    blocked = c.post(
        "/login", data={"csrf_token": token, "username": "admin", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in blocked.text


def test_unknown_page_is_a_friendly_404(server: Running) -> None:
    c = do_setup(server)
    r = c.get("/no-such-page")
    assert r.status_code == 404
    assert "There is no page at" in r.text
    # A page whose services are missing says so instead of failing.
    wishlist = c.get("/wishlist")
    assert wishlist.status_code == 200
    assert "services are not running" in wishlist.text
    assert c.get("/api/nothing").json() == {"error": "Not Found"}


def test_secret_key_file_is_private(server: Running) -> None:
    key_file = server.settings.paths.data_dir / "web-secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key_file.read_text().strip()) >= 32


def test_soulsync_serve_command_end_to_end(tmp_path: Path) -> None:
    """The real `soulsync serve` process: serves, logs no secret, stops cleanly on SIGINT."""
    import signal
    import socket
    import subprocess
    import sys

    secret = "slskd-secret-for-serve-test-0123456789"
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "data"\n[slskd]\napi_key = "{secret}"\n')
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    exe = Path(sys.executable).with_name("soulsync")
    proc = subprocess.Popen(
        [str(exe), "--config", str(config), "--log-level", "DEBUG", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.1)
        assert r.json()["ok"] is True
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).headers["location"] == "/setup"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    # uvicorn re-raises the signal after a graceful shutdown: 130 = stopped by Ctrl-C.
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "Application shutdown complete" in err
    assert f"http://127.0.0.1:{port}/" in out
    assert "GET /healthz" in err  # access log went through our handler
    assert secret not in out + err
    assert (tmp_path / "data" / "soulsync.db").exists()
