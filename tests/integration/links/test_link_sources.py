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

    async def m3u_utf16(_: Request) -> Response:
        # Windows tools save "Unicode" text as UTF-16 with a BOM.
        return Response(M3U.encode("utf-16"), media_type="audio/x-mpegurl")

    async def huge(_: Request) -> Response:
        return Response(M3U.encode() + b"# padding\n" * 120_000, media_type="audio/x-mpegurl")

    app = Starlette(
        routes=[
            Route("/s/{code}", short),
            Route("/list.m3u", m3u),
            Route("/utf16.m3u", m3u_utf16),
            Route("/huge.m3u", huge),
        ]
    )
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


async def test_m3u_url_files_are_read_like_playlist_files(
    services: AppServices, web: BackgroundServer
) -> None:
    """Issue 18 item 11 for files behind links: UTF-16 with a BOM is read, and the
    size cap is ``[sync] max_playlist_file_mb`` (here lowered to 1 MB), named in the error."""
    services.settings.sync.max_playlist_file_mb = 1
    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(f"{web.url}/utf16.m3u")
        with pytest.raises(LinkError, match=r"limited to 1 MB, see \[sync\] max_playlist_file_mb"):
            await resolver.resolve(f"{web.url}/huge.m3u")
    finally:
        await resolver.aclose()
    assert resolved.title == "Linked list"
    assert resolved.tracks[0].matched and resolved.tracks[0].track.album == "After Hours"


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


async def test_youtube_playlist_link_matches_each_upload(demo: Demo, services: AppServices) -> None:
    from soulsync.sandbox.videosite import PLAYLIST_ID

    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(f"https://music.youtube.com/playlist?list={PLAYLIST_ID}")
    finally:
        await resolver.aclose()
    assert resolved.is_batch and resolved.source == "youtube"
    assert [t.track.title for t in resolved.tracks] == [
        "One More Time",
        "Blinding Lights",
        "The Boxer",
    ]
    assert all(t.matched and t.video is not None for t in resolved.tracks)
    # Metadata from the catalogue, not from the uploads: albums and ISRCs.
    assert resolved.tracks[0].track.album == "Discovery"
    assert all(t.track.isrc for t in resolved.tracks)


async def test_artist_and_deezer_track_links(demo: Demo, services: AppServices) -> None:
    catalogue = demo.sandbox.catalogue
    kino = catalogue.artists["kino"]
    resolver = services.link_resolver()
    try:
        artist = await resolver.resolve(f"https://open.spotify.com/artist/{kino.spotify_id}")
        key = "gruppa-krovi/Кукушка"
        one = await resolver.resolve(
            f"https://www.deezer.com/en/track/{catalogue.tracks[key].deezer_id}"
        )
    finally:
        await resolver.aclose()
    assert artist.title == "Кино" and artist.is_batch
    titles = {t.track.title for t in artist.tracks}
    assert {"Группа крови", "Кукушка"} <= titles
    assert all("Кино" in t.track.artists for t in artist.tracks)
    [item] = one.tracks
    assert one.source == "deezer" and item.track.title == "Кукушка"
