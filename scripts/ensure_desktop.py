"""Make sure the desktop-window test can run: Xvfb and the Qt system libraries.

``make test`` runs this before pytest, next to ``ensure_browser.py``. The Python
side (pywebview, PyQt6 and its QtWebEngine) comes with ``pip install -e '.[dev]'``;
the wheels bundle Qt itself but not the X11/GL/NSS libraries it loads, and the
test needs a virtual display (``Xvfb``). On a Debian-like machine the missing
packages are installed with ``apt-get`` when running as root; otherwise it
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


def missing_packages() -> list[str]:
    """The APT packages not installed (all of them when dpkg cannot tell)."""
    if shutil.which("dpkg-query") is None:
        return [] if shutil.which("Xvfb") else list(APT_PACKAGES)
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\\n", *APT_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = {
        line.split()[0].split(":")[0]
        for line in done.stdout.splitlines()
        if len(line.split()) > 1 and line.split()[1].startswith("ii")
    }
    return [name for name in APT_PACKAGES if name not in installed]


def apt_install(packages: list[str]) -> bool:
    """Install ``packages`` with apt-get (as root); True when it succeeded."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    update = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    if update.returncode != 0:
        return False
    done = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return done.returncode == 0


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
    missing = missing_packages()
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"desktop test: installing {' '.join(missing)}", flush=True)
        apt_install(missing)
        missing = missing_packages()
    if missing:
        print(
            "error: the desktop test needs Xvfb and Qt's X11 libraries: run "
            f"`sudo apt-get install {' '.join(missing)}`",
            file=sys.stderr,
        )
        return 1
    print(f"desktop test: Xvfb at {shutil.which('Xvfb')}, Qt libraries installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
