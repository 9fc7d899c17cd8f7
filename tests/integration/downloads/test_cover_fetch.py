"""The cover fetcher: allowed hosts only, no private addresses after any redirect, capped body
(issue 14, item 10). Real HTTP servers on 127.0.0.1, reached over sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from soulsync.services.cover_fetch import CoverFetcher
from soulsync.web.server import ThreadedServer

IMAGE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/img")
    async def img() -> Response:
        return Response(IMAGE, media_type="image/png")

    @app.get("/go")
    async def go(to: str) -> Response:
        return RedirectResponse(to, status_code=302)

    @app.get("/huge")
    async def huge() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(400):  # 40 MB if read to the end
                yield b"x" * 100_000

        return StreamingResponse(body(), media_type="image/jpeg")

    return app


@pytest.fixture(scope="module")
def cdn() -> Iterator[str]:
    with ThreadedServer(_app()) as server:
        yield server.url


async def _public(host: str, port: int) -> list[str]:
    # "cdn.example" stands for a public CDN; anything else resolves as it really does.
    return ["93.184.216.34"] if host == "cdn.example" else ["127.0.0.1"]


async def test_a_trusted_service_host_is_fetched(cdn: str) -> None:
    fetcher = CoverFetcher(trusted_hosts=["127.0.0.1"])
    try:
        assert await fetcher.get(cdn + "/img") == IMAGE
    finally:
        await fetcher.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:{port}/img",  # loopback, not allowed
        "http://169.254.169.254/latest/meta-data",  # cloud metadata address
        "file:///etc/passwd",
        "http://evil.example/cover.jpg",  # not an allowed host
    ],
)
async def test_other_hosts_and_schemes_are_refused(cdn: str, url: str) -> None:
    port = cdn.rsplit(":", 1)[1]
    fetcher = CoverFetcher(allowed_hosts=["*.scdn.co"], trusted_hosts=["127.0.0.1"])
    try:
        assert await fetcher.get(url.format(port=port)) is None
    finally:
        await fetcher.close()


async def test_an_allowed_host_resolving_to_a_private_address_is_refused(cdn: str) -> None:
    fetcher = CoverFetcher(allowed_hosts=["*.example"], resolve=_public)
    try:
        assert await fetcher.get("http://internal.example/x.jpg") is None  # -> 127.0.0.1
        assert fetcher.fetches == 1
    finally:
        await fetcher.close()


async def test_a_redirect_to_loopback_is_refused(cdn: str) -> None:
    port = cdn.rsplit(":", 1)[1]
    # The first hop is trusted; the redirect goes to another name for this machine.
    fetcher = CoverFetcher(allowed_hosts=["*.scdn.co"], trusted_hosts=["127.0.0.1"])
    try:
        target = f"http://localhost:{port}/img"
        assert await fetcher.get(f"{cdn}/go?to={target}") is None
        # ...while a redirect to the trusted host itself is followed.
        assert await fetcher.get(f"{cdn}/go?to={cdn}/img") == IMAGE
    finally:
        await fetcher.close()


class _Counted(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, seen: list[int]) -> None:
        self.inner = inner
        self.seen = seen

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.seen.append(len(chunk))
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CountingTransport(httpx.AsyncHTTPTransport):
    """Counts the body bytes the client actually pulled off the socket."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, self.seen)
        return response


async def test_the_body_is_streamed_and_abandoned_past_the_cap(cdn: str) -> None:
    transport = _CountingTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        fetcher = CoverFetcher(client, max_bytes=1_000_000, trusted_hosts=["127.0.0.1"])
        assert await fetcher.get(cdn + "/huge") is None
    # Read up to the cap and stopped: nowhere near the 40 MB the server offered.
    assert sum(transport.seen) < 2_000_000


async def test_the_cache_is_bounded(cdn: str) -> None:
    fetcher = CoverFetcher(trusted_hosts=["127.0.0.1"], max_cached=5)
    try:
        for i in range(12):
            assert await fetcher.get(f"{cdn}/img?n={i}") == IMAGE
        assert len(fetcher._cache) == 5
        assert await fetcher.get(f"{cdn}/img?n=11") == IMAGE
        assert fetcher.fetches == 12  # the newest was still cached
    finally:
        await fetcher.close()
