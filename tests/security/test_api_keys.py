"""API key scopes: read-only by default, never the pages, never key management (item 5)."""

from __future__ import annotations

from security_helpers import Live

from soulsync.web.apikeys import create_api_key, list_api_keys


def test_a_key_is_read_only_by_default(live: Live) -> None:
    _info, key = create_api_key(live.store, "reader")
    c = live.client(headers={"Authorization": f"Bearer {key}"})
    assert c.get("/api/v1/syncs").status_code == 200
    r = c.post("/api/v1/syncs", json={"ref": "deezer:1", "dry_run": True})
    assert r.status_code == 403
    assert "read-only" in r.json()["error"]


def test_a_full_key_can_change_things_through_the_api(live: Live) -> None:
    (live.root / "playlists" / "a.txt").write_text("Adele - Hello\n", encoding="utf-8")
    _info, key = create_api_key(live.store, "writer", "full")
    c = live.client(headers={"X-API-Key": key})
    r = c.post("/api/v1/syncs", json={"ref": "file:a.txt", "dry_run": True})
    assert r.status_code == 200, r.text


def test_no_key_can_manage_keys_or_use_the_pages(live: Live) -> None:
    _info, key = create_api_key(live.store, "writer", "full")
    c = live.client(headers={"Authorization": f"Bearer {key}"})
    attempts = [
        ("POST", "/settings/api-keys", {"name": "minted", "scope": "full"}),
        ("POST", "/settings/section/web", {"port": "9000"}),
        ("POST", "/settings/api-keys/x/revoke", {}),
        ("GET", "/settings", None),
        ("GET", "/", None),
    ]
    for method, path, form in attempts:
        r = c.request(method, path, data=form)
        assert r.status_code == 403, (method, path, r.status_code)
    assert [k.name for k in list_api_keys(live.store)] == ["writer"]
