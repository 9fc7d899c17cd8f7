"""``soulsync desktop`` for real: a Qt window on Xvfb, logged in, closed like a user closes it.

The test starts its own X server (Xvfb), runs ``soulsync sandbox`` and then
``soulsync desktop`` as subprocesses, photographs the display through the X
protocol (python-xlib + Pillow), and closes the window with the message a
window manager sends for the close button (``WM_DELETE_WINDOW``).
``make test`` installs Xvfb and Qt's libraries first (scripts/ensure_desktop.py).

Set ``SOULSYNC_SCREENSHOT_DIR`` to keep the screenshot (``desktop.png``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from Xlib import X, Xatom, display
from Xlib.protocol import event

from soulsync.config import load_config
from soulsync.store import Store
from soulsync.web.auth import set_initial_admin

SOULSYNC = [sys.executable, "-m", "soulsync"]
SCREEN = (1280, 900)
PASSWORD = "correct horse battery"


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture()
def xvfb() -> Iterator[str]:
    """A private X display (its name, e.g. ``:3``), set as DISPLAY for the subprocesses."""
    server = shutil.which("Xvfb")
    if server is None:
        pytest.fail(
            "the desktop test needs Xvfb: `make test` installs it "
            "(python scripts/ensure_desktop.py), or `apt-get install xvfb`",
            pytrace=False,
        )
    read_fd, write_fd = os.pipe()
    width, height = SCREEN
    screen = f"{width}x{height}x24"
    proc = subprocess.Popen(
        [server, "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", screen],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as chosen:
            number = chosen.readline().strip()  # Xvfb writes it once it accepts clients
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture()
def sandbox_config(tmp_path: Path) -> Iterator[Path]:
    """``soulsync sandbox`` running and its config written (no admin password yet)."""
    root = tmp_path / "sandbox"
    log = (tmp_path / "sandbox.log").open("w")
    proc = subprocess.Popen([*SOULSYNC, "sandbox", "--dir", str(root)], stdout=log, stderr=log)
    try:
        config = root / "sandbox-config.toml"
        _wait(lambda: config.is_file() and config.stat().st_size > 0, 60, "the sandbox config")
        yield config
    finally:
        _stop(proc)
        log.close()


def _set_admin_password(config: Path) -> None:
    store = Store(load_config(config).database_path)
    try:
        set_initial_admin(store, "admin", PASSWORD, PASSWORD)
    finally:
        store.close()


def _start_desktop(config: Path, xvfb: str, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("w") as log:
        return subprocess.Popen(
            [*SOULSYNC, "--config", str(config), "--log-level", "INFO", "desktop"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DISPLAY": xvfb},
        )


def _page_shown(proc: subprocess.Popen[bytes], log_path: Path) -> tuple[int, str]:
    """The port and path of the first server page the window showed (from the desktop log)."""
    pattern = re.compile(r"desktop window showing http://127\.0\.0\.1:(\d+)(/\S*)")
    shown = _wait(
        lambda: pattern.search(log_path.read_text()) or proc.poll() is not None,
        90,
        "the window to load a page",
    )
    assert proc.poll() is None, log_path.read_text()
    assert isinstance(shown, re.Match)
    return int(shown.group(1)), shown.group(2)


def _windows(screen: display.Display) -> list[Any]:
    """Every window with a name, top-level first."""
    found: list[Any] = []
    pending = [screen.screen().root]
    while pending:
        window = pending.pop(0)
        name = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)
        if name is not None and name.value:
            found.append(window)
        pending.extend(window.query_tree().children)
    return found


def _soulsync_window(screen: display.Display) -> Any:
    for window in _windows(screen):
        name = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType).value
        title = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        if title == "SoulSync" and window.get_attributes().map_state == X.IsViewable:
            return window
    return None


def _screenshot(screen: display.Display) -> Image.Image:
    width, height = SCREEN
    raw = screen.screen().root.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
    return Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")


def _colours(image: Image.Image) -> int:
    found = image.getcolors(maxcolors=1 << 16)
    return len(found) if found is not None else 1 << 16


def _painted(screen: display.Display) -> Image.Image | None:
    shot = _screenshot(screen)
    return shot if _colours(shot) > 200 else None


def _close(screen: display.Display, window: Any) -> None:
    """What a window manager sends when the close button is clicked."""
    protocols = screen.intern_atom("WM_PROTOCOLS")
    delete = screen.intern_atom("WM_DELETE_WINDOW")
    message = event.ClientMessage(
        window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    window.send_event(message, event_mask=X.NoEventMask)
    screen.sync()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_desktop_window_logs_in_shows_the_dashboard_and_closes_cleanly(
    xvfb: str, sandbox_config: Path, tmp_path: Path
) -> None:
    _set_admin_password(sandbox_config)
    log_path = tmp_path / "desktop.log"
    proc = _start_desktop(sandbox_config, xvfb, log_path)
    try:
        port, path = _page_shown(proc, log_path)
        output = log_path.read_text()
        # Logged in by the one-time token, straight onto the dashboard (not /login or /setup).
        assert path == "/", output
        assert "desktop window logged in as 'admin'" in output
        assert "desktop login refused" not in output

        screen = display.Display(xvfb)
        try:
            window = _wait(lambda: _soulsync_window(screen), 30, "the SoulSync window")
            geometry = window.get_geometry()
            assert geometry.width >= 800 and geometry.height >= 600
            # The page paints a moment after it loads: wait for a full picture.
            image = _wait(lambda: _painted(screen), 30, "the dashboard to be painted")
            # Not blank: the window's own area is not one flat colour.
            inside = image.crop((0, 0, geometry.width, geometry.height))
            assert _colours(inside) > 200
            inside.save(tmp_path / "desktop.png")
            keep = os.environ.get("SOULSYNC_SCREENSHOT_DIR")
            if keep:
                inside.save(Path(keep) / "desktop.png")
            assert _port_open(port)

            _close(screen, window)
        finally:
            screen.close()

        assert proc.wait(30) == 0, log_path.read_text()
    finally:
        _stop(proc)

    output = log_path.read_text()
    assert "window closed, server stopped" in output
    assert "Application shutdown complete" in output  # queue workers and sync runner stopped
    assert not _port_open(port)
    settings = load_config(sandbox_config)
    store = Store(settings.database_path)
    try:
        messages = [row["message"] for row in store.recent_activity(20)]
    finally:
        store.close()
    assert "Desktop window logged in" in messages


def test_before_first_start_the_window_shows_the_setup_page_and_sigterm_closes_it(
    xvfb: str, sandbox_config: Path, tmp_path: Path
) -> None:
    log_path = tmp_path / "desktop.log"
    proc = _start_desktop(sandbox_config, xvfb, log_path)
    try:
        port, path = _page_shown(proc, log_path)
        output = log_path.read_text()
        # No account is made without a password: the first-start page, not a session.
        assert path == "/setup", output
        assert "desktop window logged in" not in output
        proc.send_signal(signal.SIGTERM)  # a session manager logging the user out
        assert proc.wait(30) == 0, log_path.read_text()
    finally:
        _stop(proc)
    assert "window closed, server stopped" in log_path.read_text()
    assert not _port_open(port)
