""" "Downloaded knowledge everywhere" (issue 15, item 2): search results say what is downloaded.

A file downloaded from a search shows "downloaded" when the same search is
made again; the album folder holding it counts it ("downloaded 1/N").
"""

from __future__ import annotations

import re

from e2e_helpers import Running, wait_for
from playwright.sync_api import Page, expect

from soulsync.domain import JobState

QUERY = "fleetwood mac dreams"


def _search(page: Page) -> None:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill(QUERY)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-status")).to_contain_text("results", timeout=60_000)


def test_a_downloaded_search_result_says_downloaded_when_searched_again(
    page: Page, running: Running
) -> None:
    _search(page)
    # mp3hoarder answers at once (slowpoke's queue would keep the test waiting).
    first = page.locator(
        '#results .result[data-kind="track"]', has=page.locator('.path[title^="@@mp3h"]')
    ).first
    expect(first).to_be_visible()
    expect(first.locator(".file-badge")).to_have_count(0)
    path = first.locator(".path").get_attribute("title") or ""
    assert path.endswith(".flac") or path.endswith(".mp3"), path
    first.get_by_role("button", name="Download", exact=True).click()
    # The other copies of the recording: not downloaded (a plain download is not filed).
    others = page.locator("#results .result", has=page.locator('.path[title^="@@hires"]'))
    expect(others.first.locator(".file-badge")).to_have_count(0)
    downloads = running.services.downloads
    assert downloads is not None

    def done() -> bool:
        return any(
            j.file is not None and j.file.filename == path and j.state is JobState.COMPLETED
            for j in downloads.history(100)
        )

    wait_for(done, timeout=90, what="the download to complete")

    _search(page)
    same = page.locator("#results .result").filter(has_text=path)
    expect(same.locator(".file-badge")).to_have_text("downloaded")
    # The matched-download modal of that file says so too.
    same.get_by_role("button", name="Matched download").click()
    modal = page.locator("#modal")
    expect(modal.locator(".file-badge")).to_have_text("downloaded")
    expect(modal).to_contain_text("You already have this recording.")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_the_missing_card_of_an_artist_changes_when_its_download_is_queued(
    page: Page, running: Running
) -> None:
    page.goto("/artists")
    page.locator(".artist-tile").filter(has_text="Daft Punk").click()
    expect(page.get_by_role("heading", name="Daft Punk")).to_be_visible()
    card = page.locator(
        ".release.missing", has=page.get_by_role("button", name="Download", exact=True)
    ).first
    expect(card).to_be_visible()
    title = card.locator("strong").inner_text()
    expect(card.locator(".dl-state")).to_have_count(0)
    page.evaluate("window.__same_page = true")
    card.get_by_role("button", name="Download", exact=True).click()
    expect(page.locator("#toasts")).to_contain_text("Queued")

    # Without a reload (the SSE job events refresh the cards): queued or downloading.
    same = page.locator(".release").filter(has=page.locator("strong", has_text=title)).first
    expect(same.locator(".dl-state")).to_have_attribute(
        "data-state", re.compile(r"^(queued|downloading|downloaded)$")
    )
    expect(same.get_by_text("missing", exact=True)).to_have_count(0)
    expect(same.get_by_role("button", name="Download", exact=True)).to_have_count(0)
    assert page.evaluate("window.__same_page === true")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
