"""Playlist sync with download-missing watched in the modal, the progress bubble,
and a wishlist correction by hand."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running, wait_for
from playwright.sync_api import Dialog, Page, expect

pytestmark = pytest.mark.e2e


def open_playlist(page: Page, name: str) -> None:
    page.goto("/playlists")
    page.locator(".pcard").filter(has_text=name).first.click()
    expect(page.locator("#modal #modal-title")).to_have_text(name)


def test_sync_with_download_missing_watched_to_completion(page: Page, running: Running) -> None:
    open_playlist(page, "Chill Evening")
    modal = page.locator("#modal")
    modal.get_by_role("button", name="Download missing tracks").click()
    cancel = modal.get_by_role("button", name="Cancel sync")
    expect(cancel).to_be_visible()
    expect(cancel).to_have_class(re.compile(r"\bdanger\b"))
    # Live counters move while it runs, then the button toggles back.
    expect(modal.get_by_role("button", name="Sync this playlist")).to_be_visible(timeout=120_000)
    expect(modal.locator("#run-phase")).to_contain_text("completed")
    owned = int(modal.locator("#c-owned").inner_text())
    total = int(modal.locator("#c-total").inner_text())
    assert total == 10
    assert owned >= 8  # a local file and an unavailable track cannot be owned
    statuses = modal.locator("td .tstatus").all_inner_texts()
    assert statuses.count("DOWNLOADED") + statuses.count("downloaded") >= 1
    assert page.errors == []  # type: ignore[attr-defined]


def test_progress_bubble_after_closing_the_modal(page: Page, running: Running) -> None:
    open_playlist(page, "Versions & Remixes")
    modal = page.locator("#modal")
    modal.get_by_role("button", name="Download missing tracks").click()
    expect(modal.get_by_role("button", name="Cancel sync")).to_be_visible()
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    bubble = page.locator("#sync-bubble")
    expect(bubble).to_be_visible()
    expect(bubble).to_contain_text("Versions & Remixes")
    # The bubble follows the user to other pages.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#sync-bubble")).to_be_visible(timeout=10_000)
    page.locator("#sync-bubble").click()
    expect(modal.locator("#modal-title")).to_have_text("Versions & Remixes")
    expect(modal.get_by_role("button", name="Sync this playlist")).to_be_visible(timeout=120_000)
    expect(page.locator("#sync-bubble")).to_be_hidden()


def test_wishlist_correction_by_hand(page: Page, running: Running) -> None:
    open_playlist(page, "Rarities")
    modal = page.locator("#modal")
    modal.get_by_role("button", name="Download missing tracks").click()
    expect(modal.get_by_role("button", name="Sync this playlist")).to_be_visible(timeout=120_000)
    expect(modal.locator("td .tstatus").filter(has_text="wishlisted").first).to_be_visible()
    page.keyboard.press("Escape")

    page.get_by_role("link", name="Wishlist").click()
    entry = page.locator("li.job").filter(has_text="Кукушка")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("no acceptable candidate")
    entry.get_by_role("button", name="Correct").click()
    expect(modal.locator("#modal-title")).to_contain_text("Кукушка")
    modal.get_by_label("Search words").fill("Кино")
    modal.get_by_role("button", name="Search", exact=True).click()
    rows = modal.locator("#wl-cands tbody tr")
    expect(rows.first).to_be_visible(timeout=60_000)
    expect(rows.first).to_contain_text("%")
    expect(rows.first).to_contain_text("quality")
    # The search was the artist alone: the engine may reject every file (the
    # wrong title), and then picking one asks for confirmation first.
    first = rows.first
    anyway = first.get_by_role("button", name="Download rejected candidate 1 anyway")
    if anyway.count():
        dialogs: list[str] = []

        def accept(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        anyway.click()
        expect(modal).to_be_hidden()
        assert dialogs and dialogs[0].startswith("This file was rejected")
    else:
        first.get_by_role("button", name="Download candidate 1").click()
    expect(modal).to_be_hidden()
    expect(page.locator("#toasts")).to_contain_text("Downloading the chosen file")
    wl = running.services.sync.wishlist
    target = next(e for e in wl.entries(include_resolved=True) if e.track.title == "Кукушка")
    assert wait_for(lambda: wl.get(target.id).job_id is not None, 10, "the entry to be queued")


def test_a_playlist_file_is_uploaded_and_synced(page: Page, running: Running) -> None:
    page.goto("/playlists")
    page.get_by_label("Playlist file to sync (CSV, M3U, text)").set_input_files(
        files=[
            {
                "name": "Upload Mix.txt",
                "mimeType": "text/plain",
                "buffer": b"Daft Punk - One More Time\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload and sync").click()
    expect(page.locator("#toasts")).to_contain_text("Syncing Upload Mix")
    expect(page.locator(".pcard").filter(has_text="Upload Mix").first).to_be_visible(timeout=60_000)
