"""Browser tests: a real Chromium (Debian's package) driving the demo app.

One demo (sandbox simulators + SoulSync web app on a free port) serves the
whole session; each test gets a fresh logged-in browser context. Chromium is
required: without it the session fails with a clear message instead of
silently skipping the browser tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from e2e_helpers import Running, login
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from soulsync.demo import build_demo_app, prepare_demo
from soulsync.web.server import ThreadedServer

# Searches through the paced slskd take seconds; assertions wait that long.
expect.set_options(timeout=20_000)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium to drive: as ``scripts/ensure_browser.py`` finds it.

    ``SOULSYNC_CHROMIUM``, a system ``chromium``, else None for Playwright's own
    downloaded Chromium (``make test`` installs one of them when both are missing).
    """
    configured = os.environ.get("SOULSYNC_CHROMIUM")
    if configured:
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="session", autouse=True)
def _require_chromium(playwright_instance: Playwright) -> None:
    path = chromium_path() or playwright_instance.chromium.executable_path
    if not path or not Path(path).is_file():
        pytest.fail(
            "the browser tests need Chromium: `make test` installs it "
            "(python scripts/ensure_browser.py), or `apt-get install -y chromium`, "
            "or set SOULSYNC_CHROMIUM",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The demo app on a free port for the whole session."""
    root = tmp_path_factory.mktemp("demo")
    # In a thread: prepare_demo runs asyncio.run(), and Playwright's sync API may
    # already own an event loop in this thread.
    with ThreadPoolExecutor(1) as pool:
        demo = pool.submit(
            prepare_demo,
            root,
            time_scale=20,
            # slskd's real search budget (34 per 220 s) would make the suite wait.
            extra_config={"slskd": {"searches_per_window": 10_000}},
        ).result()
    app, services = build_demo_app(demo)
    server = ThreadedServer(app).start()
    try:
        yield Running(demo, services, server)
    finally:
        server.stop()
        demo.close()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    chromium = playwright_instance.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture()
def context(browser: Browser, running: Running) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=running.url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Page:
    """A logged-in page; console errors are collected on ``page.errors``."""
    p = context.new_page()
    errors: list[str] = []
    p.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    p.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.errors = errors  # type: ignore[attr-defined]
    login(p)
    return p
