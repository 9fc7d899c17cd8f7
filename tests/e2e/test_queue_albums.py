"""The queue shows an album download as one expandable row with group cancel, retry
and remove; finished rows say when (absolute time in a title) and where the file
went, never as an absolute server path (issue 15 item 12)."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# One album per run: a file downloaded before would be picked up from slskd's list at once.
ALBUMS = {
    "desktop": (1280, "adele", r"@@flacfan\Music\Adele\2015 - 25 [FLAC]"),
    "phone": (
        375,
        "interstellar",
        r"@@flacfan\Music\Hans Zimmer\2014 - Interstellar (Original Motion Picture Soundtrack) [FLAC]",
    ),
}


@pytest.mark.parametrize("name", list(ALBUMS))
def test_an_album_download_is_one_row_with_group_actions(
    page: Page, running: Running, name: str
) -> None:
    width, query, remote = ALBUMS[name]
    folder = remote.rsplit("\\", 1)[-1]
    sim = running.demo.sandbox.slskd
    sim.set_peer("flacfan", transfer_speed=300)  # bytes per second: still running when looked at
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/search")
        page.get_by_label("Artist, album or track").fill(query)
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("#search-status")).to_contain_text("results", timeout=60_000)
        album = page.locator('#results .result[data-kind="album"]').filter(has_text=remote)
        album.first.get_by_role("button", name="Download album").click()
        expect(page.locator("#toasts")).to_contain_text("Queued 3 files")

        page.goto("/queue")
        group = page.locator("li.job.group").filter(has_text=folder)
        expect(group).to_have_count(1)
        expect(group.locator(".group-summary")).to_contain_text("0 of 3 done")
        expect(group).to_contain_text("album · 3 tracks")
        group.get_by_text("Show 3 tracks").click()
        tracks = group.locator("details li.job")
        expect(tracks).to_have_count(3)
        expect(tracks.first).to_be_visible()
        # The album's bar moves with its tracks' bytes.
        expect(group.locator(".info .pct").first).not_to_have_text("0%")
        # The list refreshes live (a job starts, a state changes): the album stays open.
        page.wait_for_timeout(1500)
        expect(tracks.first).to_be_visible()
        assert_no_overflow(page, width)

        group.get_by_role("button", name=f"Cancel all tracks of {folder}").click()
        expect(page.locator("#toasts")).to_contain_text(f"Cancelled 3 tracks of {folder}")
        expect(page.locator("li.job.group").filter(has_text=folder)).to_have_count(0)

        page.get_by_role("tab", name="Finished").click()
        done = page.locator("li.job.group").filter(has_text=folder)
        expect(done.locator(".group-summary")).to_contain_text("3 cancelled")
        when = done.locator(".when").first
        expect(when).to_have_text("just now")
        expect(when).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))

        sim.set_peer("flacfan", transfer_speed=None)
        done.get_by_role("button", name=f"Retry the failed tracks of {folder}").click()
        expect(page.locator("#toasts")).to_contain_text(f"Retrying 3 tracks of {folder}")
        page.goto("/queue?tab=finished")
        expect(done.locator(".group-summary")).to_have_text("3 of 3 done", timeout=60_000)
        done.get_by_text("Show 3 tracks").click()
        paths = done.locator("details li.job code.filed")
        expect(paths).to_have_count(3)
        for shown in paths.all_inner_texts():
            assert shown.endswith(".flac") and not shown.startswith("/"), shown
        html = page.content()
        assert str(running.demo.root) not in html  # no absolute server path, titles included
        assert_no_overflow(page, width)

        done.get_by_role("button", name=f"Remove {folder} from the list").click()
        expect(page.locator("#toasts")).to_contain_text(f"Removed 3 tracks of {folder}")
        expect(page.locator("li.job.group").filter(has_text=folder)).to_have_count(0)
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        sim.set_peer("flacfan", transfer_speed=None)


def assert_no_overflow(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the queue is {scroll} px wide in a {width} px window"
