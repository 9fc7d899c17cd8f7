"""Make sure the browser tests have a Chromium, installing one when it is missing.

``make test`` runs this before pytest. In order, the first that works wins:

1. ``SOULSYNC_CHROMIUM`` (a path), a ``chromium`` on ``PATH`` or ``/usr/bin/chromium``;
2. Playwright's own Chromium, already downloaded or downloaded now
   (``python -m playwright install chromium``; it needs the Playwright CDN);
3. the distribution's ``chromium`` package through ``apt-get``, when running as root.

Otherwise it prints one line saying what to install and exits 1. The browser
tests (``tests/e2e/conftest.py``) look for Chromium in the same order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

APT_PACKAGES = ("chromium", "fonts-dejavu-core")


def system_chromium() -> str | None:
    """A Chromium the machine already has, or None."""
    configured = os.environ.get("SOULSYNC_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def playwright_chromium() -> str | None:
    """Playwright's downloaded Chromium, or None when it has not been downloaded."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as pw:
        path = pw.chromium.executable_path
    return path if path and Path(path).is_file() else None


def _run(cmd: list[str], timeout_s: float) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def install() -> str | None:
    """Try the installers in order; the Chromium found afterwards, or None."""
    print("browser tests: no Chromium found; trying Playwright's download", flush=True)
    if _run([sys.executable, "-m", "playwright", "install", "chromium"], 600):
        found = playwright_chromium()
        if found:
            return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(
            "browser tests: Playwright's download failed; installing Debian's chromium", flush=True
        )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        update = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        if update.returncode == 0:
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
            )
        return system_chromium()
    return None


def main() -> int:
    """Print the Chromium the browser tests will use; 1 if there is none."""
    found = system_chromium() or playwright_chromium() or install()
    if found is None:
        print(
            "error: the browser tests need Chromium and none could be installed: run "
            "`sudo apt-get install chromium` or `.venv/bin/python -m playwright install chromium`",
            file=sys.stderr,
        )
        return 1
    print(f"browser tests: Chromium at {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
