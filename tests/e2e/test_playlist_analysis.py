"""Opening a playlist shows its tracks' status at once (an analysis, no sync), with
the reason per row, and Spotify's refusals explained with what to do.

The actions on uncertain rows are tested in
``tests/integration/sync/test_sync_on_open.py`` (the demo library has no
uncertain match to click on)."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

VERSIONS = [
    "after-hours/Blinding Lights",
    "bl-chromatics/Blinding Lights - Chromatics Remix",
    "25/Hello",
    "hello-live/Hello - Live at the Church Studios",
    "opera/Bohemian Rhapsody",
    "live-killers/Bohemian Rhapsody - Live",
    "fearless/Love Story",
    "fearless-tv/Love Story (Taylor's Version)",
    "true/Wake Me Up",
    "wmu-acoustic/Wake Me Up - Acoustic",
]


def open_fresh(page: Page, name: str) -> None:
    page.goto("/playlists")
    page.get_by_role("button", name="Refresh from sources").click()
    card = page.locator(".pcard").filter(has_text=name).first
    expect(card).to_be_visible()
    card.click()
    expect(page.locator("#modal #modal-title")).to_have_text(name)


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_opening_a_playlist_shows_its_status_at_once(
    page: Page, running: Running, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    name = f"Opened Never Synced {width}"
    running.demo.sandbox.spotify.add_playlist(name, VERSIONS)
    open_fresh(page, name)
    modal = page.locator("#modal")
    expect(modal.locator("#run-phase")).to_contain_text("Analysed", timeout=60_000)
    expect(modal).not_to_contain_text("No tracks known yet")
    rows = modal.locator(".track-list tbody tr")
    expect(rows).to_have_count(len(VERSIONS))
    statuses = [s.lower() for s in modal.locator("td .tstatus").all_inner_texts()]
    assert "owned" in statuses and "unknown" not in statuses
    # Every row's status is on screen, not behind a sideways scroll (phone too).
    for status in modal.locator("td .tstatus").all():
        box = status.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    owned = statuses.count("owned")
    uncertain = statuses.count("uncertain")
    assert modal.locator("#c-owned").inner_text() == str(owned)
    assert modal.locator("#c-uncertain").inner_text() == str(uncertain)
    expect(modal.locator("#run-summary")).to_contain_text(
        f"{owned} of {len(VERSIONS)} tracks owned"
    )

    # The reason of each row, in an expander, names no server folder.
    first = rows.first
    first.locator("details.why summary").click()
    why = first.locator("details.why p")
    expect(why).to_be_visible()
    # Either the engine's score, or a decision remembered from an earlier run of
    # another playlist ("owned before", "confirmed by you"): both say why.
    reason = why.inner_text()
    assert "%" in reason or re.search(
        r"\((owned before|confirmed by you|corrected by you)\)", reason
    )
    for text in modal.locator("details.why p").all_text_contents():
        assert not re.search(r"(^|\s)/[^\s]+/", text), text

    # An analysis is not a sync: nothing was mirrored on the media server.
    names = [p.title for p in running.demo.sandbox.plex.state.playlists.values()]
    assert name not in names
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_refused_playlist_says_why_and_what_to_do(page: Page, running: Running) -> None:
    running.demo.sandbox.spotify.add_editorial_playlist("Opened Editorial", VERSIONS[:2])
    open_fresh(page, "Opened Editorial")
    modal = page.locator("#modal")
    expect(modal.locator("#run-error")).to_contain_text("made by Spotify", timeout=60_000)
    expect(modal.locator("#run-hint")).to_contain_text("new playlist of your own")
    expect(modal).to_contain_text("could not be read")
