"""Make sure the desktop-window test can run: Xvfb and the Qt system libraries.

``make test`` runs this before pytest, next to ``ensure_browser.py``. The Python
side (pywebview, PyQt6 and its QtWebEngine) comes with ``pip install -e '.[dev]'``;
the wheels bundle Qt itself but not the X11/GL/NSS libraries it loads, and the
test needs a virtual display (``Xvfb``). It opens a Qt web view on a private
Xvfb to find out; when that fails on a Debian-like machine, running as root,
it installs the packages below with ``apt-get`` and tries again; otherwise it
prints one line saying what to install and exits 1.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

# What PyQt6-WebEngine's xcb platform plugin and QtWebEngineProcess load, plus
# Xvfb for the test display. Found with ldd on the wheels' libraries and by
# starting a window on a bare Debian 12.
APT_PACKAGES = (
    "xvfb",
    "xauth",
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-randr0",
    "libxcb-xkb1",
    "libxkbfile1",
    "libegl1",
    "libgl1",
    "libgbm1",
    "libnss3",
    "libasound2",
    "libxcomposite1",
    "libxdamage1",
    "libxrandr2",
    "libxtst6",
    "libfontconfig1",
    "libdbus-1-3",
    "fonts-dejavu-core",
)


def python_side_missing() -> list[str]:
    """The Python modules of ``soulsync[desktop]`` that are not importable."""
    wanted = ("webview", "qtpy", "PyQt6", "PyQt6.QtWebEngineWidgets")
    missing = []
    for name in wanted:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    return missing


PROBE = """
import sys
from qtpy.QtCore import QTimer
from qtpy.QtWebEngineWidgets import QWebEngineView
from qtpy.QtWidgets import QApplication
app = QApplication(sys.argv)
view = QWebEngineView()
view.loadFinished.connect(lambda ok: app.exit(0 if ok else 3))
QTimer.singleShot(45000, lambda: app.exit(4))
view.setHtml("<p>probe</p>")
view.show()
sys.exit(app.exec())
"""


def window_problem() -> str | None:
    """Why a Qt web view cannot be shown on a fresh Xvfb here, or None when it can.

    Tried for real (an X server and a page), so a library Qt loads only at run
    time (``libxcb-cursor0``) or a renamed Debian package cannot fool it.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        return "Xvfb is not installed"
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as chosen:
            number = chosen.readline().strip()
        if not number.isdigit():
            return "Xvfb did not start"
        env = {**os.environ, "DISPLAY": f":{number}"}
        if os.geteuid() == 0:
            env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # as `soulsync desktop` does for root
        try:
            done = subprocess.run(
                [sys.executable, "-c", PROBE],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "a Qt web view did not load within 60 s"
        if done.returncode == 0:
            return None
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        hint = next((line for line in lines if "needed" in line or "cannot open" in line), "")
        return f"a Qt web view did not start (exit {done.returncode}) {hint}".strip()
    finally:
        server.terminate()
        server.wait(10)


def apt_install(packages: tuple[str, ...]) -> None:
    """Install ``packages`` with apt-get (as root); one by one if the whole set fails.

    One by one, a name this release does not have (Debian renames libraries
    now and then) costs only itself; the probe afterwards says if it mattered.
    """
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "update", "-qq"], env=env, check=False).returncode != 0:
        return
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"]
    done = subprocess.run([*command, *packages], env=env, check=False, stdout=subprocess.DEVNULL)
    if done.returncode != 0:
        for name in packages:
            subprocess.run([*command, name], env=env, check=False, stdout=subprocess.DEVNULL)


def main() -> int:
    """Print what the desktop test will use; 1 (with one line) when something is missing."""
    python_missing = python_side_missing()
    if python_missing:
        print(
            "error: the desktop test needs pywebview with Qt (missing: "
            f"{', '.join(python_missing)}): run `.venv/bin/pip install -e '.[dev]'`",
            file=sys.stderr,
        )
        return 1
    problem = window_problem()
    if problem and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"desktop test: {problem}; installing Xvfb and Qt's libraries", flush=True)
        apt_install(APT_PACKAGES)
        problem = window_problem()
    if problem:
        print(
            f"error: the desktop test cannot open a window ({problem}): run "
            f"`sudo apt-get install {' '.join(APT_PACKAGES)}`",
            file=sys.stderr,
        )
        return 1
    print(f"desktop test: a Qt web view opens on Xvfb ({shutil.which('Xvfb')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
