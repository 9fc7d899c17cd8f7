"""A preview from a peer that queues us says "peer has a queue of N" and can be
cancelled from the page; the slskd transfer is cancelled and removed (issue 15 item 13)."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running, wait_for
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_queued_preview_shows_the_queue_and_cancels(
    page: Page, running: Running, width: int
) -> None:
    sim = running.demo.sandbox.slskd
    before = sim.peers["mp3hoarder"]
    # Busy: 3000 uploads ahead of us, minutes of queue even at the demo's time scale.
    sim.set_peer("mp3hoarder", has_free_upload_slot=False, queue_length=3000)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/search")
        page.get_by_label("Artist, album or track").fill("the boxer")
        page.get_by_role("button", name="Search", exact=True).click()
        row = page.locator('#results .result[data-kind="track"]').filter(has_text="mp3hoarder")
        row = row.first
        row.locator("[data-act=preview]").first.click()
        status = row.locator(".preview-status")
        expect(status).to_have_text(re.compile(r"peer has a queue of \d+"), timeout=30_000)

        def queued() -> list[object]:
            return [
                t
                for t in sim.transfer_list()
                if t.username == "mp3hoarder" and "Boxer" in t.filename and not t.removed
            ]

        (transfer,) = wait_for(queued, 10, "the preview's slskd transfer")
        row.get_by_role("button", name="Cancel the preview").click()
        expect(status).to_have_text("Preview cancelled")
        expect(row.get_by_role("button", name="Cancel the preview")).to_have_count(0)
        expect(row.locator("[data-act=preview]").first).to_be_enabled()
        assert transfer.state == "Completed, Cancelled"  # type: ignore[attr-defined]
        assert not queued()  # removed from slskd's list too
        width_now = page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width, f"the search page is {width_now} px wide at {width} px"
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        sim.set_peer(
            "mp3hoarder",
            has_free_upload_slot=before.has_free_upload_slot,
            queue_length=before.queue_length,
        )
