"""No GET changes state, and other sites cannot drive a logged-in browser (issue 14, item 8)."""

from __future__ import annotations

import re

import pytest
from security_helpers import Live

CROSS_NAV = {
    "Sec-Fetch-Site": "cross-site",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
}
CROSS_IMG = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
SAME_NAV = {
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
}


@pytest.mark.parametrize("path", ["/wishlist/1/candidates?q=x", "/settings/spotify/login"])
def test_former_state_changing_gets_are_post_only(live: Live, path: str) -> None:
    c, _token = live.login()
    assert c.get(path).status_code == 405


def test_spotify_login_start_needs_the_csrf_token(live: Live) -> None:
    c, token = live.login()
    assert c.post("/settings/spotify/login").status_code == 403
    # With the token it reaches the route (409: no Spotify client id in this config).
    assert c.post("/settings/spotify/login", headers={"X-CSRF-Token": token}).status_code == 409


def _autostart(html: str) -> str:
    match = re.search(r'data-autostart="([^"]*)"', html)
    assert match, "no search form"
    return match.group(1)


def test_a_search_link_from_another_site_does_not_start_the_search(live: Live) -> None:
    c, _token = live.login()
    cross = c.get("/search?q=metallica", headers=CROSS_NAV)
    assert cross.status_code == 200
    assert _autostart(cross.text) == ""
    assert 'value="metallica"' in cross.text  # the words are there for the user to confirm
    same = c.get("/search?q=metallica", headers=SAME_NAV)
    assert _autostart(same.text) == "yes"


def test_other_sites_cannot_load_our_urls_as_subresources(live: Live) -> None:
    c, _token = live.login()
    for path in ("/artists/image?name=Adele", "/api/v1/syncs", "/events", "/playlists/running"):
        assert c.get(path, headers=CROSS_IMG).status_code == 403, path
    # Our own pages still load them.
    same = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors"}
    assert c.get("/playlists/running", headers=same).status_code == 200


def test_an_artist_link_from_another_site_queries_nothing(live: Live) -> None:
    c, _token = live.login()
    page = c.get("/artists/Adele", headers=CROSS_NAV)
    assert page.status_code == 200
    assert "Opened from another site" in page.text
