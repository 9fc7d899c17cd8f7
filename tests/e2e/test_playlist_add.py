"""Adding a Deezer playlist from the playlists page by pasting its link (issue 15, item 8).

The pasted link is read from the Deezer simulator, the playlist gets its card
(followed like the listed ones) and opens; text that is no playlist link, and
a playlist Deezer does not know, get a clear message next to the form.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

EVENING = "48012567"  # "Chill Evening" in the sandbox catalogue (9 of its tracks on Deezer)


def _add(page: Page, text: str) -> None:
    page.get_by_label("Spotify or Deezer playlist link or id").fill(text)
    page.get_by_role("button", name="Add playlist").click()


def test_a_pasted_deezer_link_adds_and_opens_the_playlist(page: Page) -> None:
    page.goto("/playlists")
    _add(page, f"https://www.deezer.com/en/playlist/{EVENING}")
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("Chill Evening")
    page.keyboard.press("Escape")
    card = page.locator(f'.pcard[data-ref="deezer:{EVENING}"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("Deezer")
    expect(page.get_by_label("Spotify or Deezer playlist link or id")).to_have_value("")
    # Followed: still there on a fresh load.
    page.reload()
    expect(page.locator(f'.pcard[data-ref="deezer:{EVENING}"]')).to_be_visible()
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_what_is_not_a_playlist_gets_a_clear_message(page: Page) -> None:
    page.goto("/playlists")
    message = page.locator("#playlist-add-msg")
    _add(page, "my favourite songs")
    expect(message).to_be_visible()
    expect(message).to_contain_text("not a playlist link or id")
    _add(page, "https://www.deezer.com/album/302127")
    expect(message).to_contain_text("not a Spotify or Deezer playlist URL")
    _add(page, "deezer:999999999")
    expect(message).to_contain_text("Not added: deezer:")
    expect(page.locator('.pcard[data-ref="deezer:999999999"]')).to_have_count(0)
