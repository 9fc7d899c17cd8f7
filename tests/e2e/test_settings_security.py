"""Settings (test connection for each service, saving, API keys) and the gate:
no page or API without login, no state change without the CSRF token."""

from __future__ import annotations

import re
import stat
import tomllib

import httpx
import pytest
from e2e_helpers import Running
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("slskd", "Connected."),
        ("plex", "Connected."),
        ("spotify", "Connected."),
        ("deezer", "Connected."),
        ("folder_library", "Not working:"),
    ],
)
def test_test_connection_per_service(page: Page, section: str, expected: str) -> None:
    page.goto("/settings")
    page.locator(f"#test-btn-{section}").click()
    result = page.locator(f"#test-{section}")
    expect(result).to_contain_text(expected, timeout=20_000)


def test_test_connection_tests_what_is_typed(page: Page, running: Running) -> None:
    """A wrong URL typed (not saved) tests as not working; the typed right one connects."""
    page.goto("/settings")
    before = running.demo.config_path.read_text(encoding="utf-8")
    url = page.locator("#slskd-url")
    good = url.input_value()
    url.fill("http://127.0.0.1:9")
    page.locator("#test-btn-slskd").click()
    expect(page.locator("#test-slskd")).to_contain_text("Not working:")
    url.fill(good)
    page.locator("#test-btn-slskd").click()
    expect(page.locator("#test-slskd")).to_contain_text("Connected.")

    plex = page.locator("#plex-url")
    plex.fill("http://127.0.0.1:9")
    page.locator("#test-btn-plex").click()
    expect(page.locator("#test-plex")).to_contain_text("Not working:")
    page.locator("#plex-music_section").fill("No Such Library")
    page.locator("#test-btn-plex").click()
    expect(page.locator("#test-plex")).to_contain_text("Not working:")

    folder = page.locator("#folder_library-path")
    folder.fill(str(running.demo.root / "no-such-folder"))
    page.locator("#test-btn-folder_library").click()
    expect(page.locator("#test-folder_library")).to_contain_text("Not working:")
    # Nothing typed was saved.
    assert running.demo.config_path.read_text(encoding="utf-8") == before


def test_secrets_are_write_only_and_saving_writes_the_file(page: Page, running: Running) -> None:
    page.goto("/settings")
    html = page.content()
    assert "sandbox-slskd-api-key" not in html
    assert "sandbox-plex-token" not in html
    key_field = page.locator("#slskd-api_key")
    expect(key_field).to_have_value("")
    assert "set (hidden)" in (key_field.get_attribute("placeholder") or "")
    section = page.locator("section#sync")
    section.get_by_label("Schedule hours").fill("12")
    section.get_by_role("button", name="Save Sync schedule").click()
    expect(page.locator("section#sync")).to_contain_text("Saved and applied")
    path = running.demo.config_path
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["sync"]["schedule_hours"] == 12
    assert data["slskd"]["api_key"] == "sandbox-slskd-api-key-0123456789"  # kept
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A bad value is refused with a message and the file is left alone.
    page.locator("section#matching").get_by_label("Owned threshold").fill("7")
    page.locator("section#matching").get_by_role("button", name="Save Matching thresholds").click()
    expect(page.locator("section#matching .error")).to_contain_text("Not saved")
    assert "owned_threshold" not in tomllib.loads(path.read_text(encoding="utf-8")).get(
        "matching", {}
    )


def test_api_key_create_use_revoke(page: Page, running: Running) -> None:
    page.goto("/settings#api-keys")
    page.get_by_label("Name of the new key").fill("e2e-script")
    page.get_by_label("Scope of the new key").select_option("full")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-api-key").inner_text().strip()
    assert key.startswith("ss_")
    auth = {"Authorization": f"Bearer {key}"}
    api = httpx.get(running.url + "/api/me", headers=auth)
    assert api.status_code == 200 and api.json()["via"] == "api_key"
    lists = httpx.get(running.url + "/api/v1/playlists", headers=auth)
    assert lists.status_code == 200
    assert "Road Trip" in {p["name"] for p in lists.json()}
    status = httpx.get(running.url + "/api/v1/status", headers=auth).json()
    assert {s["service"] for s in status["services"]} >= {"slskd", "spotify", "deezer"}
    # A full key needs no CSRF token (a browser never sends it on its own)...
    cleared = httpx.post(running.url + "/api/v1/jobs/clear", headers=auth)
    assert cleared.status_code == 200 and "cleared" in cleared.json()
    # ...but it opens no page, so it cannot mint keys or change settings.
    minted = httpx.post(running.url + "/settings/api-keys", headers=auth, data={"name": "x"})
    assert minted.status_code == 403
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Revoke e2e-script").click()
    expect(page.locator("#api-key-list")).not_to_contain_text("e2e-script", timeout=10_000)
    again = httpx.get(running.url + "/api/me", headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/", "/search", "/queue", "/playlists", "/wishlist", "/artists", "/settings", "/events"],
)
def test_pages_need_a_login(running: Running, path: str) -> None:
    r = httpx.get(running.url + path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/me", "/api/openapi.json", "/api/v1/jobs"])
def test_api_needs_a_login_or_key(running: Running, path: str) -> None:
    r = httpx.get(running.url + path)
    assert r.status_code == 401
    assert r.json()["error"]
    bad = httpx.get(running.url + path, headers={"Authorization": "Bearer ss_wrong"})
    assert bad.status_code == 401


def test_csrf_token_required_for_changes(page: Page, running: Running) -> None:
    page.goto("/queue")
    no_token = page.request.post(running.url + "/queue/clear")
    assert no_token.status == 403
    wrong = page.request.post(running.url + "/queue/clear", headers={"X-CSRF-Token": "nope"})
    assert wrong.status == 403
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token and re.fullmatch(r"[\w-]{20,}", token)
    ok = page.request.post(running.url + "/queue/clear", headers={"X-CSRF-Token": token})
    assert ok.status == 200


def test_quality_profile_editor_reorders_adds_and_saves(page: Page, running: Running) -> None:
    page.goto("/settings#quality")
    section = page.locator("section#quality")
    tiers = section.locator("ol.profile li .f")
    first, second = tiers.nth(0).inner_text(), tiers.nth(1).inner_text()
    section.get_by_role("button", name=f"Move {second} up").click()
    expect(tiers.nth(0)).to_have_text(second)
    section.get_by_label("New quality tier").fill("mp3 192")
    section.get_by_role("button", name="Add").click()
    expect(tiers.last).to_have_text("mp3 192")
    section.get_by_role("button", name="Save Quality profile").click()
    expect(page.locator("section#quality")).to_contain_text("Saved and applied")
    saved = tomllib.loads(running.demo.config_path.read_text(encoding="utf-8"))["quality"]
    assert saved["profile"][:2] == [second, first]
    assert saved["profile"][-1] == "mp3 192"
    # Applied: the running services now rank with the new profile.
    assert running.services.settings.quality.profile == saved["profile"]
