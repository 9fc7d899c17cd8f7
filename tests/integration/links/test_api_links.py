"""``POST /api/v1/links`` with API keys: a full key queues, a read key is refused."""

from __future__ import annotations

import httpx

from soulsync.demo import Demo, build_demo_app
from soulsync.domain import JobState
from soulsync.web.apikeys import create_api_key


async def test_api_link_dry_run_then_queue_with_a_full_key(demo: Demo) -> None:
    app, services = build_demo_app(demo)
    _, full = create_api_key(demo.store, "links-full", scope="full")
    _, read = create_api_key(demo.store, "links-read")
    album = demo.sandbox.catalogue.albums["abbey-road"]
    url = f"https://open.spotify.com/album/{album.spotify_id}"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://soulsync.test") as http:
        dry = await http.post(
            "/api/v1/links",
            json={"url": url, "dry_run": True},
            headers={"Authorization": f"Bearer {full}"},
        )
        assert dry.status_code == 200, dry.text
        body = dry.json()
        assert body["title"] == "The Beatles - Abbey Road" and body["kind"] == "album"
        assert [t["badge"] for t in body["tracks"]].count("owned") == 2
        assert body["batch_id"] is None and body["job_ids"] == []
        refused = await http.post(
            "/api/v1/links", json={"url": url}, headers={"Authorization": f"Bearer {read}"}
        )
        assert refused.status_code == 403
        bad = await http.post(
            "/api/v1/links",
            json={"url": "https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC"},
            headers={"Authorization": f"Bearer {full}"},
        )
        assert bad.status_code == 422 and "episode" in bad.text
        queued = await http.post(
            "/api/v1/links", json={"url": url}, headers={"Authorization": f"Bearer {full}"}
        )
        assert queued.status_code == 200, queued.text
        ids = queued.json()["job_ids"]
    assert len(ids) == 1
    assert services.downloads is not None
    job = services.downloads.get(ids[0])
    assert job.state is JobState.QUEUED and job.extra["link"] == url
    await services.aclose()
