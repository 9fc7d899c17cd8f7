"""Paste a link in the search box: resolved tracks with badges, download, watch it complete."""

from __future__ import annotations

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_album_link_shows_badges_then_downloads_the_missing_track(
    page: Page, running: Running
) -> None:
    # Abbey Road: two of its three tracks are already in the library.
    album = running.demo.sandbox.catalogue.albums["abbey-road"]
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Artist, album or track").fill(
        f"https://open.spotify.com/intl-de/album/{album.spotify_id}?si=e2e"
    )
    page.get_by_role("button", name="Search", exact=True).click()
    preview = page.locator("#link-preview")
    expect(preview.get_by_role("heading", name="The Beatles - Abbey Road")).to_be_visible()
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(preview.locator('tr[data-badge="owned"]')).to_have_count(2)
    expect(page.locator("#search-status")).to_contain_text("1 to fetch")
    page.get_by_role("button", name="Download 1 track").click()
    new_row = preview.locator('tr[data-badge=""]')
    expect(new_row.locator(".status")).to_contain_text("completed", timeout=60_000)
    expect(page.locator("#search-status")).to_contain_text("1 of 1 downloaded")
    # Pasting the same link again: the track is now marked as downloaded.
    page.get_by_role("button", name="Search", exact=True).click()
    expect(preview.locator('tr[data-badge="downloaded"]')).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]


def test_dashboard_link_box_opens_the_youtube_preview(page: Page, running: Running) -> None:
    site = running.demo.sandbox.videosite
    key = next(
        k for k, t in running.demo.sandbox.catalogue.tracks.items() if t.title == "One More Time"
    )
    upload = site.upload(key, "topic")
    page.get_by_label("Search or paste a link").fill(f"https://youtu.be/{upload.id}")
    page.get_by_role("button", name="Go").click()
    preview = page.locator("#link-preview")
    expect(preview).to_contain_text("One More Time")
    expect(preview.locator(".pill.info").first).to_contain_text("youtube video")
    expect(preview.locator("tbody tr")).to_have_count(1)
