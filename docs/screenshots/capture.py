"""Take the README screenshots from the sandbox demo in Debian's Chromium.

Run: .venv/bin/python docs/screenshots/capture.py  (writes PNGs next to this file)
"""

from __future__ import annotations

import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from soulsync.demo import DEMO_PASSWORD, DEMO_USER, build_demo_app, prepare_demo
from soulsync.web.server import ThreadedServer

OUT = Path(__file__).parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def login(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def shoot(page: Page, name: str) -> None:
    page.wait_for_timeout(600)  # let transitions settle
    page.screenshot(path=str(OUT / f"{name}.png"))
    print("wrote", name)


def main() -> int:
    expect.set_options(timeout=60_000)
    with tempfile.TemporaryDirectory(prefix="soulsync-shots-") as tmp:
        with ThreadPoolExecutor(1) as pool:
            demo = pool.submit(prepare_demo, Path(tmp)).result()
        app, _services = build_demo_app(demo)
        server = ThreadedServer(app).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                ctx = browser.new_context(
                    base_url=server.url, viewport={"width": 1280, "height": 800}
                )
                page = ctx.new_page()
                page.goto("/login")
                shoot(page, "login")
                login(page)

                # A sync with downloads first, so every page has something to show.
                page.goto("/playlists")
                page.locator(".pcard").filter(has_text="Road Trip").click()
                page.get_by_role("button", name="Download missing tracks").click()
                page.wait_for_timeout(6000)
                shoot(page, "playlist-sync")
                page.keyboard.press("Escape")
                shoot(page, "playlists")

                page.goto("/queue")
                shoot(page, "queue")

                page.goto("/search")
                page.get_by_label("Artist, album or track").fill("daft punk discovery")
                page.get_by_role("button", name="Search", exact=True).click()
                expect(page.locator("#search-status")).to_contain_text("results")
                shoot(page, "search")
                page.locator('.result[data-kind="album"]').first.get_by_role(
                    "button", name="Matched album download"
                ).click()
                expect(page.locator("#suggested-cards .acard").first).to_be_visible()
                shoot(page, "matched-modal")
                page.locator("#suggested-cards .acard").first.click()
                page.locator(".pick-album").first.click()
                expect(page.locator("table.mapping")).to_be_visible()
                shoot(page, "matched-album-mapping")
                page.keyboard.press("Escape")

                page.goto("/playlists")
                page.locator(".pcard").filter(has_text="Road Trip").click()
                expect(page.get_by_role("button", name="Sync this playlist")).to_be_visible(
                    timeout=180_000
                )
                page.keyboard.press("Escape")
                # A playlist with tracks nobody shares fills the wishlist.
                page.locator(".pcard").filter(has_text="Rarities").click()
                page.get_by_role("button", name="Download missing tracks").click()
                expect(page.get_by_role("button", name="Sync this playlist")).to_be_visible(
                    timeout=180_000
                )
                page.keyboard.press("Escape")
                page.goto("/")
                page.wait_for_timeout(1500)
                shoot(page, "dashboard")
                page.goto("/wishlist")
                shoot(page, "wishlist")
                page.goto("/artists")
                page.wait_for_timeout(1500)
                shoot(page, "artists")
                page.goto("/artists/Daft%20Punk")
                shoot(page, "artist")
                page.goto("/settings")
                page.locator("#test-btn-slskd").click()
                expect(page.locator("#test-slskd")).to_contain_text("Connected")
                shoot(page, "settings")

                phone = browser.new_context(
                    base_url=server.url,
                    viewport={"width": 375, "height": 780},
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                )
                mobile = phone.new_page()
                login(mobile)
                mobile.wait_for_timeout(1000)
                shoot(mobile, "mobile-dashboard")
                mobile.goto("/queue?tab=finished")
                shoot(mobile, "mobile-queue")
                mobile.goto("/playlists")
                mobile.locator(".pcard").filter(has_text="Road Trip").click()
                shoot(mobile, "mobile-playlist")
                browser.close()
        finally:
            server.stop()
            demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
