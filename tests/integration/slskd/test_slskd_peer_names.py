"""Peer names that would change slskd API paths are refused per peer (issue 14, item 13).

A recording HTTP server on 127.0.0.1 stands in for slskd: the point is which
paths reach it, so it answers with empty lists.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from soulsync.providers.slskd import PeerUnavailable, SlskdClient, UnusablePeerName, peer_segment
from soulsync.web.server import ThreadedServer

seen: list[str] = []


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    app = FastAPI()

    @app.api_route("/{rest:path}", methods=["GET", "POST", "DELETE"])
    async def anything(request: Request, rest: str) -> JSONResponse:
        seen.append(request.url.path)
        if rest.startswith("api/v0/transfers/downloads/"):
            return JSONResponse({"username": rest.rsplit("/", 1)[-1], "directories": []})
        return JSONResponse([])

    with ThreadedServer(app) as server:
        yield server.url


@pytest.mark.parametrize(
    ("name", "segment"),
    [
        ("alice", "alice"),
        ("dj spin", "dj%20spin"),
        ("50%", "50%25"),
        ("...", "..."),  # three dots are not a dot segment
        (".hidden", ".hidden"),
        ("Кино", "%D0%9A%D0%B8%D0%BD%D0%BE"),
    ],
)
def test_ordinary_names_are_encoded(name: str, segment: str) -> None:
    assert peer_segment(name) == segment


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../admin", "a\\b"])
def test_path_changing_names_are_refused(name: str) -> None:
    with pytest.raises(UnusablePeerName, match="cannot be used"):
        peer_segment(name)
    assert issubclass(UnusablePeerName, PeerUnavailable)  # handled like an offline peer


@pytest.mark.parametrize("name", ["..", ".", "x/../../options"])
async def test_no_request_leaves_for_such_a_peer(recorder: str, name: str) -> None:
    seen.clear()
    client = SlskdClient(recorder, "k" * 20)
    try:
        with pytest.raises(UnusablePeerName):
            await client.directory(name, "Music")
        with pytest.raises(UnusablePeerName):
            await client.transfers(name)
        with pytest.raises(UnusablePeerName):
            await client.cancel(name, "abc")
    finally:
        await client.aclose()
    assert seen == []


async def test_a_normal_peer_reaches_its_own_path(recorder: str) -> None:
    seen.clear()
    client = SlskdClient(recorder, "k" * 20)
    try:
        await client.transfers("dot.user")
    finally:
        await client.aclose()
    assert seen == ["/api/v0/transfers/downloads/dot.user"]
