"""First start and login, the live search, plain download and preview."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_login_shows_the_dashboard_with_live_status(page: Page) -> None:
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "ok")
    services = page.locator("#dash-services")
    expect(services.get_by_text("connected").first).to_be_visible()
    expect(services).to_contain_text("Soulseek")
    assert page.errors == []  # type: ignore[attr-defined]


def test_wrong_password_is_refused(context, running: Running) -> None:  # type: ignore[no-untyped-def]
    p = context.new_page()
    p.goto("/queue")
    expect(p).to_have_url(re.compile(r"/login\?next=/queue"))
    p.get_by_label("User name").fill("admin")
    p.get_by_label("Password").fill("wrong password")
    p.get_by_role("button", name="Log in").click()
    expect(p.get_by_role("alert")).to_contain_text("Wrong user name or password")


def test_search_shows_progress_then_grouped_results(page: Page) -> None:
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Artist, album or track").fill("daft punk discovery")
    page.get_by_role("button", name="Search", exact=True).click()
    status = page.locator("#search-status")
    expect(status).to_contain_text("daft punk discovery")
    expect(page.locator("#results .result").first).to_be_visible()
    expect(status).to_contain_text("results")
    expect(page.locator('#results .result[data-kind="album"]').first).to_be_visible()
    # Filters: singles only hides the albums.
    page.get_by_role("button", name="Singles").click()
    expect(page.locator('#results .result[data-kind="album"]:visible')).to_have_count(0)
    page.get_by_role("button", name="All").click()
    page.get_by_label("Sort by").select_option("size")
    sizes = [
        int(s)
        for s in page.locator("#results .result").evaluate_all(
            "els => els.map(e => e.dataset.size)"
        )
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_filtered_name_is_searched_with_a_wildcard_and_said(page: Page) -> None:
    page.goto("/search")
    page.get_by_label("Artist, album or track").fill("beatles come together")
    page.get_by_role("button", name="Search", exact=True).click()
    status = page.locator("#search-status")
    expect(status).to_contain_text("results", timeout=60_000)
    expect(status).to_contain_text("filters “beatles”")
    expect(page.locator("#results .result").first).to_be_visible()


def test_no_results_says_fewer_words_only_for_several_words(page: Page) -> None:
    page.goto("/search")
    box = page.get_by_label("Artist, album or track")
    box.fill("zzqxv")
    page.get_by_role("button", name="Search", exact=True).click()
    status = page.locator("#search-status")
    expect(status).to_contain_text("No results", timeout=60_000)
    expect(status).not_to_contain_text("fewer words")
    box.fill("zzqxv wwqpl")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(status).to_contain_text("fewer words", timeout=60_000)
