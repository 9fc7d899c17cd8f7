"""Matched downloads from the search page: the modal's suggestion, its manual search,
a whole album with the release picked; and cancelling from the queue. Each ends with
real files in the Transfer folder, read back with mutagen."""

from __future__ import annotations

from pathlib import Path

import mutagen
import pytest
from e2e_helpers import Running, wait_for
from playwright.sync_api import Dialog, Locator, Page, expect

pytestmark = pytest.mark.e2e


def search(page: Page, query: str) -> None:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-status")).to_contain_text("results", timeout=60_000)


def result(page: Page, path_part: str, kind: str = "track") -> Locator:
    row = page.locator(f'#results .result[data-kind="{kind}"]').filter(has_text=path_part)
    expect(row.first).to_be_visible()
    return row.first


def finished_path(page: Page, running: Running, title: str, timeout: float = 90) -> Path:
    """Wait on the queue's Finished tab until ``title`` completed; its destination.

    The page shows it relative to the Transfer folder (never an absolute server path).
    """
    page.goto("/queue?tab=finished")
    row = page.locator("li.job").filter(has_text=title).filter(has=page.locator(".state.completed"))
    expect(row.first).to_be_visible(timeout=timeout * 1000)
    shown = row.first.locator("code").inner_text()
    assert shown.startswith("Transfer/")
    return running.demo.settings.transfer_dir.parent / shown


def tags(path: Path) -> dict[str, str]:
    audio = mutagen.File(path, easy=True)
    assert audio is not None, f"{path} is not readable audio"
    return {k: v[0] for k, v in (audio.tags or {}).items()}


def test_matched_download_with_the_suggested_artist(page: Page, running: Running) -> None:
    search(page, "blinding lights")
    row = result(page, r"@@mp3h\mp3\The Weeknd - After Hours")
    row.get_by_role("button", name="Matched download").click()
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    first = modal.locator("#suggested-cards .acard").first
    expect(first).to_contain_text("The Weeknd")
    expect(first).to_contain_text("%")
    assert "name in path" in (first.get_attribute("title") or "")
    first.click()
    expect(modal).to_be_hidden()
    expect(page.locator("#toasts")).to_contain_text("Matched download queued")
    path = finished_path(page, running, "Blinding Lights")
    transfer = running.demo.settings.transfer_dir
    assert path.is_file() and path.is_relative_to(transfer)
    assert path.relative_to(transfer).parts[0] == "The Weeknd"
    t = tags(path)
    assert t["artist"] == "The Weeknd"
    assert t["title"] == "Blinding Lights"
    assert t["album"] == "After Hours"
    page.goto("/")
    expect(page.locator("#dash-activity")).to_contain_text(
        "Downloaded The Weeknd - Blinding Lights"
    )


def test_matched_download_through_the_manual_search(page: Page, running: Running) -> None:
    search(page, "september")
    row = result(page, r"@@flacfan\Music\Earth, Wind & Fire")
    row.get_by_role("button", name="Matched download").click()
    modal = page.locator("#modal")
    modal.get_by_label("Artist name").fill("earth wind")
    card = modal.locator("#manual-cards .acard").filter(has_text="Earth, Wind & Fire").first
    expect(card).to_be_visible()
    card.click()
    expect(modal).to_be_hidden()
    path = finished_path(page, running, "September")
    transfer = running.demo.settings.transfer_dir
    assert path.relative_to(transfer).parts[0] == "Earth, Wind & Fire"
    t = tags(path)
    assert t["artist"] == "Earth, Wind & Fire"
    assert t["title"] == "September"
    assert path.suffix == ".flac"


def test_escape_closes_the_modal_and_queues_nothing(page: Page, running: Running) -> None:
    search(page, "hello")
    before = len(running.services.downloads.list_active())
    page.locator("#results .result").first.locator("[data-act=matched]").first.click()
    modal = page.locator("#modal")
    expect(modal.locator("#matched-ctx")).to_be_visible()
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    page.wait_for_timeout(500)
    assert len(running.services.downloads.list_active()) == before


def test_matched_album_download_with_release_and_mapping(page: Page, running: Running) -> None:
    search(page, "daft punk discovery")
    album = result(page, "hires_hoarder", kind="album")
    album.get_by_role("button", name="Matched album download").click()
    modal = page.locator("#modal")
    modal.locator("#suggested-cards .acard").filter(has_text="Daft Punk").first.click()
    expect(modal.get_by_role("heading", name="Which release?")).to_be_visible()
    modal.locator(".pick-album").filter(has_text="Discovery").first.click()
    mapping = modal.locator("table.mapping tbody tr")
    expect(mapping).to_have_count(5)
    expect(mapping.first).to_contain_text("One More Time")
    expect(mapping.first).to_contain_text(".flac")
    modal.get_by_role("button", name="Start download").click()
    expect(modal).to_be_hidden()
    transfer = running.demo.settings.transfer_dir

    def album_files() -> list[Path]:
        folder = transfer / "Daft Punk"
        return sorted(
            p
            for p in folder.rglob("*.flac")
            if "Discovery" in str(p.parent) and not p.name.startswith(".")
        )

    def complete() -> list[Path]:
        # Each file appears at once (atomic rename) with its tags.
        found = album_files()
        return found if len(found) >= 5 else []

    files = wait_for(complete, 120, "the album's 5 files")
    titles = {tags(p).get("title") for p in files}
    assert {"One More Time", "Aerodynamic", "Digital Love", "Something About Us"} <= titles
    assert all(tags(p)["album"] == "Discovery" for p in files)


def test_cancel_from_the_queue(page: Page, running: Running) -> None:
    sim = running.demo.sandbox.slskd
    sim.set_peer("flacfan", transfer_speed=300)  # bytes per second: it will not finish
    try:
        search(page, "come together")
        row = result(page, r"@@flacfan\Music\The Beatles")
        row.get_by_role("button", name="Download", exact=True).click()
        expect(page.locator("#toasts")).to_contain_text("Queued")
        page.goto("/queue")
        job = page.locator("li.job").filter(has_text="Come Together")
        expect(job.locator(".state")).to_have_text("downloading", timeout=30_000)
        job.get_by_role("button", name="Cancel").click()
        expect(page.locator("li.job").filter(has_text="Come Together")).to_have_count(0)
        page.get_by_role("tab", name="Finished").click()
        cancelled = page.locator("li.job").filter(has_text="Come Together")
        expect(cancelled.locator(".state")).to_have_text("cancelled")
        expect(cancelled.get_by_role("button", name="Retry")).to_be_visible()
        # "Clear completed" keeps a cancelled job (it has a Retry button)...
        page.get_by_role("button", name="Clear completed").click()
        expect(page.locator("#toasts")).to_contain_text("kept for retry")
        expect(cancelled.get_by_role("button", name="Retry")).to_be_visible()
        # ...and "Clear all finished" asks first, then clears it too.
        dialogs: list[str] = []

        def accept(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.get_by_role("button", name="Clear all finished").click()
        expect(page.locator("#queue-list")).to_contain_text("No finished downloads")
        assert dialogs and "failed and cancelled ones included" in dialogs[0]
        expect(page.get_by_role("tab", name="Finished")).to_have_attribute("aria-selected", "true")
    finally:
        sim.set_peer("flacfan", transfer_speed=None)
