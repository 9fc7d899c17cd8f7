"""Short links, playlist-file URLs and the lossless rule, over real local HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from soulsync.demo import Demo
from soulsync.domain import JobState, Source
from soulsync.sandbox.server import BackgroundServer
from soulsync.services.container import AppServices, build_services
from soulsync.services.links import LinkError, LinkResolver, follow_redirects

M3U = """#EXTM3U
#PLAYLIST:Linked list
#EXTINF:200,The Weeknd - Blinding Lights
Blinding Lights.mp3
#EXTINF:300,Nobody Anyone - A Song That Does Not Exist
x.mp3
"""


@pytest.fixture()
def web(demo: Demo) -> Iterator[BackgroundServer]:
    """A small web server: a Deezer-style short link hop and a playlist file."""
    playlist = demo.sandbox.catalogue.playlists["rarities"]

    async def short(request: Request) -> Response:
        # Two hops, like share links that go through a tracking page first.
        if request.path_params["code"] == "hop":
            return RedirectResponse("/s/final", status_code=302)
        return RedirectResponse(
            f"https://www.deezer.com/fr/playlist/{playlist.deezer_id}?utm_source=share",
            status_code=301,
        )

    async def m3u(_: Request) -> Response:
        return PlainTextResponse(M3U, media_type="audio/x-mpegurl")

    app = Starlette(routes=[Route("/s/{code}", short), Route("/list.m3u", m3u)])
    with BackgroundServer(app, name="links-web") as server:
        yield server


async def test_follow_redirects_reads_the_location_chain(web: BackgroundServer) -> None:
    async with httpx.AsyncClient() as http:
        target = await follow_redirects(http, f"{web.url}/s/hop")
    assert target.startswith("https://www.deezer.com/fr/playlist/")


async def test_deezer_short_link_resolves_to_the_playlist(
    demo: Demo, services: AppServices, web: BackgroundServer
) -> None:
    # deezer.page.link is reached through a plain HTTP proxy that is our web server.
    proxy = httpx.AsyncHTTPTransport(proxy=web.url)
    http = httpx.AsyncClient(mounts={"http://deezer.page.link": proxy})
    resolver = LinkResolver(
        services.metadata,
        playlists={Source.DEEZER: services.deezer} if services.deezer else {},
        http=http,
    )
    try:
        resolved = await resolver.resolve("http://deezer.page.link/s/hop")
    finally:
        await resolver.aclose()
    playlist = demo.sandbox.catalogue.playlists["rarities"]
    assert resolved.link.kind == "playlist" and resolved.link.id == str(playlist.deezer_id)
    assert resolved.source == "deezer" and resolved.tracks


async def test_m3u_url_lines_are_matched_to_metadata(
    services: AppServices, web: BackgroundServer
) -> None:
    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(f"{web.url}/list.m3u")
    finally:
        await resolver.aclose()
    assert resolved.title == "Linked list"
    first, second = resolved.tracks
    assert first.matched and first.track.album == "After Hours" and first.track.isrc
    assert not second.matched
    assert any("A Song That Does Not Exist" in p for p in resolved.problems)


async def test_lossless_profile_does_not_fall_back_to_youtube(demo: Demo) -> None:
    settings = demo.settings.model_copy(deep=True)
    settings.quality.allowed_formats = ["flac"]
    services = build_services(settings, demo.store)
    await services.start(schedule=False)
    try:
        resolver = services.link_resolver()
        track = demo.sandbox.catalogue.tracks["gruppa-krovi/Кукушка"]
        resolved = await resolver.resolve(f"spotify:track:{track.spotify_id}")
        await resolver.aclose()
        assert services.downloads is not None
        _, [job_id] = await resolver.enqueue(
            services.downloads, resolved, sources=["soulseek", "youtube"]
        )
        job = await services.downloads.wait_job(job_id, within_s=60)
    finally:
        await services.aclose()
    assert job.state is JobState.FAILED and job.result == "no_candidate"
    tried = job.extra["tried_sources"]
    assert [t["source"] for t in tried] == ["soulseek", "youtube"]
    assert "lossless" in tried[1]["outcome"] and tried[1]["outcome"].startswith("skipped")


async def test_not_a_link_is_a_clear_error(services: AppServices) -> None:
    resolver = services.link_resolver()
    with pytest.raises(LinkError, match="not a link"):
        await resolver.resolve("just some words")
    with pytest.raises(LinkError, match="not a Deezer track"):
        await resolver.resolve("https://www.deezer.com/en/podcast/1")
    await resolver.aclose()
