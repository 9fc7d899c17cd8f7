"""No page is wider than the window, on a desktop (1440 px) or a phone (375 px).

A page wider than its window scrolls sideways and hides what sits past the
edge (the review found the dashboard at 1461 px and 744 px). The check reads
``scrollWidth`` and names the widest elements when it fails.
"""

from __future__ import annotations

import pytest
from e2e_helpers import Running, login
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": (1440, 900), "phone": (375, 812)}
PAGES = (
    "/",
    "/search",
    "/playlists",
    "/queue",
    "/queue?tab=finished",
    "/wishlist",
    "/artists",
    "/settings",
)

# The elements that stick out past the right edge, widest first.
OVERFLOW_REPORT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      out.push([Math.round(box.right), name]);
    }
  }
  out.sort((a, b) => b[0] - a[0]);
  return {scroll: document.documentElement.scrollWidth, width: width, offenders: out.slice(0, 6)};
}"""


def _first_artist_page(page: Page) -> str:
    page.goto("/artists")
    link = page.locator("a[href^='/artists/']").first
    href = link.get_attribute("href")
    assert href, "the sandbox library has artists"
    return href


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_page_is_wider_than_the_window(
    browser: Browser, running: Running, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(base_url=running.url, viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        login(page)
        too_wide = {}
        for path in (*PAGES, _first_artist_page(page)):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            report = page.evaluate(OVERFLOW_REPORT)
            if report["scroll"] > report["width"]:
                too_wide[path] = report
        assert too_wide == {}
    finally:
        context.close()


def test_phone_navigation_is_a_menu(browser: Browser, running: Running) -> None:
    context = browser.new_context(base_url=running.url, viewport={"width": 375, "height": 812})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        login(page)
        nav = page.get_by_role("navigation", name="Main")
        settings = nav.get_by_role("link", name="Settings")
        menu = nav.get_by_role("button", name="Menu")
        expect(settings).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        for name in ("Wishlist", "Artists", "Settings"):
            link = nav.get_by_role("link", name=name)
            expect(link).to_be_visible()
            assert link.bounding_box()["x"] + link.bounding_box()["width"] <= 375  # type: ignore[index]
        page.keyboard.press("Escape")
        expect(settings).to_be_hidden()
        menu.click()
        settings.click()
        page.wait_for_url("**/settings")
    finally:
        context.close()


def test_desktop_navigation_shows_every_link(page: Page) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    for name in ("Wishlist", "Artists", "Settings"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()


def test_no_page_breaks_the_content_security_policy(page: Page) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    artist = _first_artist_page(page)
    for path in (*PAGES, artist):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    # The settings page's sections open and their forms render.
    page.goto("/settings")
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_toasts_show_above_an_open_modal(page: Page) -> None:
    page.goto("/playlists")
    page.locator("button.pcard").first.click()
    expect(page.locator("dialog#modal")).to_be_visible()
    page.evaluate("window.SS.toast('Saved while the modal is open', 'ok')")
    toast = page.locator(".toast", has_text="Saved while the modal is open")
    expect(toast).to_be_visible()
    box = toast.bounding_box()
    assert box is not None
    # The element under the toast's centre is the toast (not the modal or its backdrop).
    on_top = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.toast')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top


def test_artist_page_says_partly_owned_and_its_buttons_fit_on_a_phone(
    browser: Browser, running: Running
) -> None:
    context = browser.new_context(base_url=running.url, viewport={"width": 375, "height": 812})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        login(page)
        page.goto("/artists")
        page.locator(".artist-tile").filter(has_text="Adele").click()
        # The library has "Hello" only: 25 is partly owned, not owned.
        album = page.locator(".release").filter(has_text="25")
        expect(album.locator(".pill")).to_have_text("partly owned 1/3")
        for button in page.locator(".release button").all():
            box = button.bounding_box()
            card = button.locator(
                "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' release ')]"
            ).bounding_box()
            assert box is not None and card is not None
            assert box["x"] + box["width"] <= card["x"] + card["width"] + 0.5
    finally:
        context.close()
