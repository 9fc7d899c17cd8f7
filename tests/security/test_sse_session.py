"""Live-update streams end when their session does (issue 14, item 7)."""

from __future__ import annotations

import threading
import time

import pytest
from security_helpers import Live

from soulsync.web import sse


@pytest.fixture()
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # The server runs in this process: shorten the intervals instead of waiting 20 s.
    monkeypatch.setattr(sse, "SESSION_CHECK_S", 0.3)
    monkeypatch.setattr(sse, "HEARTBEAT_S", 0.3)


def _read_stream(
    live: Live, cookies: dict[str, str], out: list[str], done: threading.Event
) -> None:
    with (
        live.client(cookies=cookies) as c,
        c.stream("GET", "/events", timeout=15) as r,
    ):
        out.append(f"status {r.status_code}")
        for line in r.iter_lines():
            out.append(line)
    done.set()


@pytest.mark.usefixtures("quick_checks")
def test_the_event_stream_ends_after_logout(live: Live) -> None:
    c, token = live.login()
    lines: list[str] = []
    done = threading.Event()
    threading.Thread(
        target=_read_stream, args=(live, dict(c.cookies), lines, done), daemon=True
    ).start()
    time.sleep(1.0)
    assert not done.is_set(), lines  # open while logged in
    assert lines[0] == "status 200"
    # Logged out in another tab (the session is revoked server-side).
    assert c.post("/logout", headers={"X-CSRF-Token": token}).status_code == 303
    assert done.wait(5), "the stream outlived the logout"
    assert "event: logout" in lines


@pytest.mark.usefixtures("quick_checks")
def test_the_event_stream_ends_after_a_password_reset(live: Live) -> None:
    c, _token = live.login()
    lines: list[str] = []
    done = threading.Event()
    threading.Thread(
        target=_read_stream, args=(live, dict(c.cookies), lines, done), daemon=True
    ).start()
    time.sleep(1.0)
    assert not done.is_set()
    live.app.state.auth.sessions.revoke_all()  # what `soulsync admin reset-password` does
    assert done.wait(5), "the stream outlived the password reset"
    assert "event: logout" in lines
