"""Saving settings applies them without a restart (issue 15, item 14).

The slskd URL is changed on the Settings page, first to an address where
nothing answers, then to a second slskd simulator: each time the page says
"Saved and applied" and, with the same server process, the dashboard's
service status and a manual search use the new slskd.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

from soulsync.sandbox.runner import SLSKD_API_KEY
from soulsync.sandbox.slskd import SlskdSimulator

OTHER_VERSION = "0.24.2"  # tells the second slskd apart on the dashboard


@pytest.fixture()
def other_slskd(running: Running) -> Iterator[SlskdSimulator]:
    """A second slskd sharing the sandbox's catalogue and downloads folder."""
    first = running.demo.sandbox.slskd
    simulator = SlskdSimulator(
        first.catalogue,
        first.downloads_dir,
        first.audio_cache,
        SLSKD_API_KEY,
        time_scale=first.time_scale,
        version=OTHER_VERSION,
    )
    simulator.start()
    yield simulator
    simulator.close()


def _save_slskd_url(page: Page, url: str) -> None:
    page.goto("/settings")
    section = page.locator("section#slskd")
    page.locator("#slskd-url").fill(url)
    section.get_by_role("button", name="Save Soulseek (slskd)").click()
    expect(section).to_contain_text("Saved and applied")


def _search(page: Page) -> None:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill("daft punk discovery")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results .result").first).to_be_visible()


def _slskd_status(page: Page) -> str:
    page.goto("/")
    line = page.locator(".services li", has_text="Soulseek")
    expect(line).to_be_visible()
    return line.inner_text()


def test_a_saved_slskd_url_is_used_at_once(
    page: Page, running: Running, other_slskd: SlskdSimulator
) -> None:
    first = running.demo.sandbox.slskd
    before = first.counters.searches_posted
    _search(page)  # the search page now holds a slskd client: it must follow the change
    assert first.counters.searches_posted > before
    try:
        _save_slskd_url(page, "http://127.0.0.1:9")
        page.goto("/")
        line = page.locator(".services li", has_text="Soulseek")
        expect(line.locator(".pill")).to_have_text("problem")

        _save_slskd_url(page, other_slskd.url)
        page.goto("/")
        line = page.locator(".services li", has_text="Soulseek")
        expect(line.locator(".pill")).to_have_text("connected")
        expect(line).to_contain_text(f"slskd {OTHER_VERSION}")

        before = first.counters.searches_posted
        _search(page)
        assert other_slskd.counters.searches_posted >= 1
        assert first.counters.searches_posted == before
    finally:
        _save_slskd_url(page, first.url)
    assert f"slskd {OTHER_VERSION}" not in _slskd_status(page)
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
