"""Live connection state, previews with range requests, the Spotify cool-down on the
dashboard, the Spotify login from Settings, and downloading an artist's missing releases."""

from __future__ import annotations

import httpx
import pytest
from e2e_helpers import Running, login
from playwright.sync_api import Browser, Page, expect

from soulsync.web import create_app
from soulsync.web.server import ThreadedServer

pytestmark = pytest.mark.e2e


def test_lost_connection_is_shown_and_recovers(browser: Browser, running: Running) -> None:
    # A second server for the same database (no services: the streams stay quiet),
    # which the test can stop and start again on the same port.
    app = create_app(running.demo.settings, running.demo.store)
    server = ThreadedServer(app).start()
    port = server.port
    ctx = browser.new_context(base_url=server.url)
    try:
        page = ctx.new_page()
        login(page)
        status = page.locator("#live-status")
        expect(status).to_have_attribute("data-state", "ok")
        server.stop()
        expect(status).to_have_attribute("data-state", "lost", timeout=30_000)
        expect(status).to_contain_text("reconnecting")
        server = ThreadedServer(app, port=port).start()
        expect(status).to_have_attribute("data-state", "ok", timeout=30_000)
    finally:
        ctx.close()
        server.stop()


def test_preview_plays_through_an_audio_element_with_ranges(page: Page, running: Running) -> None:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill("the boxer")
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.locator('#results .result[data-kind="track"]').filter(has_text="mp3hoarder").first
    row.locator("[data-act=preview]").first.click()
    audio = row.locator("audio")
    expect(audio).to_have_count(1, timeout=60_000)
    src = audio.get_attribute("src") or ""
    assert src.startswith("/preview/")
    full = page.request.get(running.url + src)
    assert full.status == 200 and full.headers["content-type"] == "audio/mpeg"
    part = page.request.get(running.url + src, headers={"Range": "bytes=0-99"})
    assert part.status == 206
    assert len(part.body()) == 100
    assert part.body() == full.body()[:100]
    # The preview is not a download: nothing was filed under Transfer.
    transfer = running.demo.settings.transfer_dir
    assert not list(transfer.rglob("*The Boxer*.mp3"))


def test_dashboard_shows_the_spotify_cool_down(page: Page, running: Running) -> None:
    spotify = running.services.spotify
    assert spotify is not None
    spotify.cooldown.start(900, "quota exceeded (test)")
    try:
        page.goto("/")
        card = page.locator(".stat").filter(has_text="Spotify")
        expect(card).to_contain_text("cooling down")
        expect(card).to_contain_text("min")
        expect(page.locator("#dash-services")).to_contain_text("cooling down")
    finally:
        spotify.cooldown.clear()


def test_spotify_login_from_settings(page: Page, running: Running) -> None:
    page.goto("/settings#spotify")
    # The button POSTs (with the CSRF token) and opens Spotify's page in a new tab.
    with page.context.expect_event(
        "request", lambda r: "code_challenge_method=S256" in r.url
    ) as sent:
        page.get_by_role("button", name="Log in with Spotify").click()
    authorize = sent.value.url
    for other in page.context.pages:
        if other is not page:
            other.close()
    # A plain link (GET) cannot start a login any more.
    assert page.request.get(running.url + "/settings/spotify/login").status == 405
    # The sandbox's authorize page sends the browser back to the loopback redirect URI.
    back = httpx.get(authorize, follow_redirects=False)
    landed = back.headers["location"]
    assert "code=" in landed
    page.goto("/settings#spotify")
    page.get_by_label("Address after logging in").fill(landed)
    page.get_by_role("button", name="Finish login").click()
    expect(page.locator("#toasts")).to_contain_text("Logged in to Spotify")


def test_download_missing_releases_of_an_artist(page: Page, running: Running) -> None:
    page.goto("/artists")
    page.locator(".artist-tile").filter(has_text="Daft Punk").click()
    expect(page.get_by_role("heading", name="Daft Punk")).to_be_visible()
    missing = page.locator(".release.missing")
    expect(missing.first).to_be_visible()
    button = page.get_by_role("button", name="missing release")
    before = len(running.services.downloads.list_active())
    button.click()
    expect(page.locator("#toasts")).to_contain_text("Queued")
    assert len(running.services.downloads.list_active()) > before
