"""The Spotify simulator itself, walked with a raw httpx client (issue 2's contract)."""

from __future__ import annotations

import httpx
import pytest

from soulsync.sandbox.spotify import SpotifySimulator


@pytest.fixture()
def api(spotify_sim: SpotifySimulator) -> httpx.Client:
    token = spotify_sim.issue_token()
    return httpx.Client(base_url=spotify_sim.api_base, headers={"Authorization": f"Bearer {token}"})


def test_walks_a_playlist_by_next_urls(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    pid = spotify_sim.add_playlist("Walk", size=120)
    url: str | None = f"/playlists/{pid}/items?limit=50"
    seen = []
    while url:
        page = api.get(url).json()
        for entry in page["items"]:
            assert entry["item"] == entry["track"]  # both keys during the deprecation window
            assert set(entry) >= {"added_at", "added_by", "is_local", "item", "track"}
            seen.append(entry["item"]["id"])
        url = page["next"]
        if url:
            assert url.startswith(spotify_sim.api_base)  # absolute, from the sim's own base
    assert len(seen) == 120


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/search", {"q": "a", "type": "track", "limit": 11}, 400, "Invalid limit"),
        ("/search", {"q": "a", "type": "track", "limit": 0}, 400, "Invalid limit"),
        ("/search", {"type": "track"}, 400, "No search query"),
        ("/artists/{artist}/albums", {"limit": 20}, 400, "Invalid limit"),
        ("/playlists/{road}/items", {"limit": 51}, 400, "Invalid limit"),
        ("/playlists/{top}/items", {}, 403, "Forbidden"),
        ("/playlists/{road}/tracks", {}, 403, "Forbidden"),  # removed Feb 2026: 403 (issue 13)
        ("/tracks", {"ids": "{track}"}, 403, "Forbidden"),
        ("/albums", {"ids": "x"}, 403, "Forbidden"),
        ("/tracks/0000000000000000000000", {}, 404, "Resource not found"),
    ],
)
def test_development_mode_refusals(
    spotify_sim: SpotifySimulator,
    api: httpx.Client,
    path: str,
    params: dict[str, object],
    status: int,
    message: str,
) -> None:
    cat = spotify_sim.catalogue
    ids = {
        "artist": cat.artists["adele"].spotify_id,
        "road": spotify_sim.playlist_id("road-trip"),
        "top": spotify_sim.playlist_id("top-hits"),
        "track": cat.tracks["25/Hello"].spotify_id,
    }
    filled = {k: str(v).format(**ids) for k, v in params.items()}
    answer = api.get(path.format(**ids), params=filled)
    assert answer.status_code == status
    body = answer.json()
    assert body["error"]["status"] == status
    assert message in body["error"]["message"]


def test_followed_playlist_metadata_has_no_items(
    spotify_sim: SpotifySimulator, api: httpx.Client
) -> None:
    body = api.get(f"/playlists/{spotify_sim.playlist_id('top-hits')}").json()
    assert body["name"] == "Today's Top Hits" and body["items"] == {
        "href": f"{spotify_sim.api_base}/playlists/{spotify_sim.playlist_id('top-hits')}/items",
        "total": 3,
    }
    owned = api.get(f"/playlists/{spotify_sim.playlist_id('road-trip')}").json()
    assert len(owned["items"]["items"]) == 30


def test_rate_limit_answers_429_with_retry_after(
    spotify_sim: SpotifySimulator, api: httpx.Client
) -> None:
    spotify_sim.rate_limit = 2
    spotify_sim.rate_retry_after_s = 4
    statuses = [api.get("/me").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = api.get("/me")
    assert refused.headers["Retry-After"] == "4"
    assert refused.json()["error"]["status"] == 429
    assert spotify_sim.requests["/v1/me"] == 4


def test_quota_answer_carries_reason(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    spotify_sim.quota_remaining = 0
    answer = api.get("/me")
    assert answer.status_code == 429
    assert answer.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert int(answer.headers["Retry-After"]) == spotify_sim.quota_retry_after_s


@pytest.mark.parametrize(
    ("header", "message"),
    [(None, "No token provided"), ("Bearer nope", "Invalid access token")],
)
def test_bearer_token_required(
    spotify_sim: SpotifySimulator, header: str | None, message: str
) -> None:
    headers = {"Authorization": header} if header else {}
    answer = httpx.get(f"{spotify_sim.api_base}/me", headers=headers)
    assert answer.status_code == 401 and answer.json()["error"]["message"] == message


def test_expired_token_message(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    spotify_sim.expire_tokens()
    answer = api.get("/me")
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_fields_filter(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    pid = spotify_sim.playlist_id("road-trip")
    body = api.get(
        f"/playlists/{pid}", params={"fields": "name,owner(id),items(total,items(item(name)))"}
    ).json()
    assert set(body) == {"name", "owner", "items"}
    assert body["owner"] == {"id": spotify_sim.user_id}
    assert body["items"]["total"] == 30
    assert body["items"]["items"][0] == {"item": {"name": "One More Time"}}


def test_images_are_real_jpegs(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    album = api.get(f"/albums/{spotify_sim.catalogue.albums['discovery'].spotify_id}").json()
    sizes = [(i["width"], i["height"]) for i in album["images"]]
    assert sizes == [(640, 640), (300, 300), (56, 56)]
    first = httpx.get(album["images"][0]["url"])
    again = httpx.get(album["images"][0]["url"])
    assert first.headers["content-type"] == "image/jpeg"
    assert first.content[:3] == b"\xff\xd8\xff" and first.content == again.content
    other = api.get(f"/albums/{spotify_sim.catalogue.albums['25'].spotify_id}").json()
    assert httpx.get(other["images"][0]["url"]).content != first.content
    assert httpx.get(f"{spotify_sim.url}/images/album/zz/640.jpg").status_code == 404


def test_artist_albums_groups(spotify_sim: SpotifySimulator, api: httpx.Client) -> None:
    pharrell = spotify_sim.catalogue.artists["pharrell"].spotify_id
    body = api.get(
        f"/artists/{pharrell}/albums", params={"include_groups": "appears_on", "limit": 10}
    ).json()
    assert body["items"] and all(a["album_group"] == "appears_on" for a in body["items"])
