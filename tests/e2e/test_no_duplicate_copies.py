"""Issue 15 item 1 in the browser: a matched album download, then "Download missing
tracks" on a playlist sharing one of its tracks, files no "(2)" copy; the Plex
playlist points at the album's file and the library holds the recording once.

The album is fetched on a desktop window, the playlist is synced from a phone
(375 px): both layouts drive the same flow."""

from __future__ import annotations

import re
from pathlib import Path

import mutagen
import pytest
from e2e_helpers import Running, login, wait_for
from playwright.sync_api import Browser, Page, expect

from soulsync.domain import JobState

pytestmark = pytest.mark.e2e

NUMBERED_COPY = re.compile(r" \(\d+\)\.[A-Za-z0-9]+$")
PLAYLIST = "Robots Only"


def _audio_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix in (".flac", ".mp3", ".m4a")
    )


def _title(path: Path) -> str:
    audio = mutagen.File(path, easy=True)
    assert audio is not None, f"{path} is not readable audio"
    return str((audio.tags or {}).get("title", [""])[0])


def _fetch_the_album(page: Page, running: Running) -> Path:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill("daft punk discovery")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-status")).to_contain_text("results", timeout=60_000)
    album = page.locator('#results .result[data-kind="album"]').filter(has_text="hires_hoarder")
    album.first.get_by_role("button", name="Matched album download").click()
    modal = page.locator("#modal")
    modal.locator("#suggested-cards .acard").filter(has_text="Daft Punk").first.click()
    modal.locator(".pick-album").filter(has_text="Discovery").first.click()
    modal.get_by_role("button", name="Start download").click()
    expect(modal).to_be_hidden()
    transfer = running.demo.settings.transfer_dir

    def digital_love() -> Path | None:
        found = [p for p in _audio_files(transfer) if _title(p) == "Digital Love"]
        return found[0] if found else None

    path: Path = wait_for(digital_love, 120, "the album's Digital Love")
    # Let the rest of the album finish, so the playlist's run sees a quiet queue.
    wait_for(
        lambda: (
            not running.services.downloads.list_active()
            or all(j.state is JobState.COMPLETED for j in running.services.downloads.list_active())
        ),
        120,
        "the album's jobs to finish",
    )
    return path


def test_a_playlist_sharing_an_album_track_files_no_second_copy(
    page: Page, browser: Browser, running: Running
) -> None:
    album_copy = _fetch_the_album(page, running)
    transfer = running.demo.settings.transfer_dir
    # A playlist with the album's track and one more (not in the library).
    running.demo.sandbox.spotify.add_playlist(PLAYLIST, ["discovery/Digital Love", "ram/Get Lucky"])

    phone = browser.new_context(base_url=running.url, viewport={"width": 375, "height": 812})
    try:
        p = phone.new_page()
        login(p)
        p.goto("/playlists")
        p.get_by_role("button", name="Refresh from sources").click()
        p.locator(".pcard").filter(has_text=PLAYLIST).first.click()
        modal = p.locator("#modal")
        expect(modal.locator("#modal-title")).to_have_text(PLAYLIST)
        modal.get_by_role("button", name="Download missing tracks").click()
        expect(modal.get_by_role("button", name="Sync this playlist")).to_be_visible(
            timeout=180_000
        )
        expect(modal.locator("#run-phase")).to_contain_text("completed")
        statuses = [s.lower() for s in modal.locator("td .tstatus").all_inner_texts()]
        assert len(statuses) == 2 and "missing" not in statuses, statuses
    finally:
        phone.close()

    files = _audio_files(transfer)
    assert [f for f in files if NUMBERED_COPY.search(f.name)] == []
    copies = [f for f in files if _title(f) == "Digital Love"]
    assert copies == [album_copy], copies
    assert any(_title(f) == "Get Lucky" for f in files)

    # The mirrored Plex playlist points at the album's file, in order.
    state = running.demo.sandbox.plex.state
    with state.lock:
        (mirrored,) = [pl for pl in state.playlists.values() if pl.title == PLAYLIST]
        item_files = [state.tracks[item.rating_key].file for item in mirrored.items]
    assert len(item_files) == 2
    assert Path(item_files[0]).name == album_copy.name
    assert Path(item_files[0]).parent.name == album_copy.parent.name
