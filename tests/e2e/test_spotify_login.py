"""Spotify login in the browser: with the redirect URI pointing at SoulSync's own
callback, the login finishes by itself (no address pasted back)."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

from soulsync.providers.spotify_auth import TOKEN_KEY

pytestmark = pytest.mark.e2e


def test_login_completes_through_the_callback(page: Page, running: Running) -> None:
    store = running.services.store
    before = store.get_setting(TOKEN_KEY)
    page.goto("/settings")
    section = page.locator("section#spotify")
    callback = f"{running.url}/settings/spotify/callback"
    expect(section).to_contain_text(callback)
    section.get_by_label("Redirect uri").fill(callback)
    section.get_by_role("button", name="Save Spotify").click()
    expect(page.locator("section#spotify")).to_contain_text("Saved and applied")

    with page.context.expect_page() as popup_info:
        page.locator("section#spotify").get_by_role("button", name="Log in with Spotify").click()
    popup = popup_info.value
    # Spotify (the sandbox) approves and sends the browser to SoulSync's callback,
    # which finishes the login and lands on the settings page.
    popup.wait_for_url(re.compile(r".*/settings\?spotify=ok.*"), timeout=30_000)
    expect(popup.locator("#spotify-login-result")).to_have_text("Logged in to Spotify.")
    expect(popup.locator("section#spotify .pill.ok")).to_have_text("logged in")
    after = store.get_setting(TOKEN_KEY)
    assert after is not None and after != before  # new tokens were stored


def test_a_refused_login_says_why(page: Page, running: Running) -> None:
    page.goto("/settings/spotify/callback?code=forged&state=not-ours")
    expect(page).to_have_url(re.compile(r".*/settings\?spotify=failed.*"))
    expect(page.locator("#spotify-login-result")).to_contain_text("did not finish")
