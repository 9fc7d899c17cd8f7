"""The slskd simulator over real HTTP: the quirks a client has to survive."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from slskd_helpers import API_KEY

from soulsync.sandbox.slskd import SlskdSimulator


@pytest.fixture()
async def http(sim: SlskdSimulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client with the API key: what a naive tool would use."""
    async with httpx.AsyncClient(base_url=sim.api_url, headers={"X-API-Key": API_KEY}) as c:
        yield c


ROUTES = [
    ("GET", "/application/version"),
    ("GET", "/server"),
    ("GET", "/searches"),
    ("POST", "/searches"),
    ("GET", "/transfers/downloads"),
    ("DELETE", "/transfers/downloads/all/completed"),
]


async def test_api_key_required(sim: SlskdSimulator) -> None:
    # One simulator for all cases (cheaper than one per parametrized case).
    for key in (None, "wrong-key-wrong-key"):
        headers = {"X-API-Key": key} if key else {}
        async with httpx.AsyncClient(base_url=sim.api_url, headers=headers) as c:
            for method, path in ROUTES:
                response = await c.request(method, path)
                assert response.status_code == 401, (key, method, path)
    assert sim.counters.unauthorized == 2 * len(ROUTES)
    assert sim.counters.searches_posted == 0


async def test_version_and_server_state(http: httpx.AsyncClient, sim: SlskdSimulator) -> None:
    assert (await http.get("/application/version")).json() == "0.24.1"
    server = (await http.get("/server")).json()
    assert server["state"] == "Connected, LoggedIn"
    assert server["isConnected"] is True and server["isLoggedIn"] is True
    sim.unavailable = True
    assert (await http.get("/server")).status_code == 503


async def test_search_post_returns_at_once_with_empty_responses(http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await http.post("/searches", json={"searchText": "daft punk one more time"})
    assert time.monotonic() - started < 0.2 + 0.15  # the create window, not the search
    body = response.json()
    assert response.status_code == 200
    assert body["state"] in ("Requested", "InProgress")
    assert body["responses"] == [] and body["isComplete"] is False
    assert "endedAt" not in body  # null properties are omitted


async def test_second_concurrent_search_post_gets_429(
    http: httpx.AsyncClient, sim: SlskdSimulator
) -> None:
    first, second = await asyncio.gather(
        http.post("/searches", json={"searchText": "hello"}),
        http.post("/searches", json={"searchText": "halo"}),
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 429]
    refused = first if first.status_code == 429 else second
    assert "Only one concurrent operation is permitted" in refused.text
    assert sim.counters.searches_posted == 1
    assert sim.counters.searches_rejected_429 == 1
    # Once the search is created, the next POST is accepted again.
    assert (await http.post("/searches", json={"searchText": "halo"})).status_code == 200


async def test_search_states_and_the_empty_responses_race(
    http: httpx.AsyncClient, sim: SlskdSimulator
) -> None:
    sim.finalize_delay_s = 0.3
    search = (await http.post("/searches", json={"searchText": "come together"})).json()
    seen: list[dict[str, Any]] = []
    naive: list[Any] | None = None
    while True:
        state = (await http.get(f"/searches/{search['id']}")).json()
        seen.append(state)
        if state["isComplete"] and naive is None:
            # What a naive client does: read the responses as soon as isComplete is true.
            naive = (await http.get(f"/searches/{search['id']}/responses")).json()
        if "endedAt" in state:
            break
        await asyncio.sleep(0.01)
    states = [s["state"] for s in seen]
    assert "InProgress" in states
    assert states[-1] == "Completed, TimedOut"
    assert naive == []  # the race: complete, but nothing stored yet
    assert any(s["isComplete"] and "endedAt" not in s for s in seen)
    # While in progress slskd already counts responses but does not list them.
    assert any(s["state"] == "InProgress" and s["responseCount"] > 0 for s in seen)
    final = (await http.get(f"/searches/{search['id']}/responses")).json()
    assert len(final) == seen[-1]["responseCount"] > 0
    with_responses = (
        await http.get(f"/searches/{search['id']}", params={"includeResponses": "true"})
    ).json()
    assert len(with_responses["responses"]) == len(final)


async def test_search_lifecycle_list_stop_delete(
    http: httpx.AsyncClient, sim: SlskdSimulator
) -> None:
    sim.search_duration_s = 30
    search = (await http.post("/searches", json={"searchText": "umbrella"})).json()
    listed = (await http.get("/searches")).json()
    assert [s["id"] for s in listed] == [search["id"]]
    assert (await http.put(f"/searches/{search['id']}")).status_code == 200
    for _ in range(100):
        state = (await http.get(f"/searches/{search['id']}")).json()
        if "endedAt" in state:
            break
        await asyncio.sleep(0.01)
    assert state["state"] == "Completed, Cancelled"
    assert (await http.delete(f"/searches/{search['id']}")).status_code == 204
    assert (await http.get(f"/searches/{search['id']}")).status_code == 404
    assert (await http.get("/searches")).json() == []


async def test_only_two_searches_run_at_once(http: httpx.AsyncClient, sim: SlskdSimulator) -> None:
    sim.search_duration_s = 30
    ids = []
    for text in ("hello", "halo", "umbrella"):
        ids.append((await http.post("/searches", json={"searchText": text})).json()["id"])
    await asyncio.sleep(0.1)
    states = [(await http.get(f"/searches/{i}")).json()["state"] for i in ids]
    assert states == ["InProgress", "InProgress", "Requested"]


async def test_response_payload_shape(http: httpx.AsyncClient, sim: SlskdSimulator) -> None:
    search = (await http.post("/searches", json={"searchText": "rumours dreams"})).json()
    for _ in range(500):
        if "endedAt" in (await http.get(f"/searches/{search['id']}")).json():
            break
        await asyncio.sleep(0.01)
    responses = (await http.get(f"/searches/{search['id']}/responses")).json()
    by_user = {r["username"]: r for r in responses}
    hires = by_user["hires_hoarder"]
    assert hires["fileCount"] == 0 and hires["lockedFileCount"] == 1
    # slskd's File.FromSoulseekFile never sets IsLocked (Search/Types/File.cs): the
    # list a file is in ("lockedFiles") is what says it is locked.
    assert hires["lockedFiles"][0]["isLocked"] is False
    assert hires["lockedFiles"][0]["sampleRate"] == 96000
    slow = by_user["slowpoke"]
    f = slow["files"][0]
    assert set(f) >= {"filename", "size", "code", "extension", "isLocked"}
    assert "bitRate" not in f  # the peer reported none: omitted, not null
    assert all(v is not None for r in responses for v in r.values())
    assert isinstance(slow["uploadSpeed"], int) and "queueLength" in slow


async def test_transfer_endpoints_validate_input(
    http: httpx.AsyncClient, sim: SlskdSimulator
) -> None:
    share = next(s for s in sim.shares if s.username == "flacfan")
    item = {"filename": share.filename, "size": 1}
    url = "/transfers/downloads/flacfan"
    assert (await http.post(url, json=[])).status_code == 400
    assert (await http.post(url, json=[item, item])).status_code == 400
    traversal = {"filename": "@@flacfan\\..\\..\\x.flac", "size": 1}
    assert (await http.post(url, json=[traversal])).status_code == 400
    assert (await http.post("/transfers/downloads/ghost", json=[item])).status_code == 500
    assert (await http.post("/transfers/downloads/nobody-at-all", json=[item])).status_code == 500
    first = await http.post(url, json=[item])
    assert first.status_code == 201
    body = first.json()
    assert len(body["enqueued"]) == 1 and body["failed"] == []
    assert body["enqueued"][0]["size"] == sim.size_of(share)  # the real size, not ours
    again = (await http.post(url, json=[item])).json()
    assert again["enqueued"] == [] and again["failed"][0]["filename"] == share.filename


async def test_download_listing_and_404s(http: httpx.AsyncClient, sim: SlskdSimulator) -> None:
    assert (await http.get("/transfers/downloads")).json() == []
    assert (await http.get("/transfers/downloads/")).json() == []  # slskd-api's trailing slash
    assert (await http.get("/transfers/downloads/flacfan")).status_code == 404
    shares = [s for s in sim.shares if s.username == "flacfan"][:3]
    body = [{"filename": s.filename, "size": 0} for s in shares]
    enqueued = (await http.post("/transfers/downloads/flacfan", json=body)).json()["enqueued"]
    groups = (await http.get("/transfers/downloads/")).json()
    assert [g["username"] for g in groups] == ["flacfan"]
    dirs = groups[0]["directories"]
    assert sum(d["fileCount"] for d in dirs) == 3
    assert all(f["filename"].startswith(d["directory"] + "\\") for d in dirs for f in d["files"])
    one = (await http.get("/transfers/downloads/flacfan")).json()
    assert one["username"] == "flacfan"
    tid = enqueued[0]["id"]
    assert (await http.get(f"/transfers/downloads/flacfan/{tid}")).json()["id"] == tid
    assert (await http.get("/transfers/downloads/flacfan/not-a-guid")).status_code == 400
    unknown = "00000000-0000-0000-0000-000000000000"
    assert (await http.get(f"/transfers/downloads/flacfan/{unknown}")).status_code == 404
    # TryCancel of an unknown id is no error (204); Remove of one is 404 in 0.24
    # (DownloadService.Remove throws NotFoundException) and a silent no-op in 0.26.
    assert (await http.delete(f"/transfers/downloads/flacfan/{unknown}")).status_code == 204
    gone = await http.delete(f"/transfers/downloads/flacfan/{unknown}?remove=true")
    assert gone.status_code == 404


async def test_directory_listing(http: httpx.AsyncClient, sim: SlskdSimulator) -> None:
    folder = "@@flacfan\\Music\\Daft Punk\\2001 - Discovery [FLAC]"
    listing = (await http.post("/users/flacfan/directory", json={"directory": folder})).json()
    assert isinstance(listing, list) and listing[0]["name"] == folder
    names = [f["filename"] for f in listing[0]["files"]]
    assert names and all("\\" not in n for n in names)
    assert listing[0]["fileCount"] == len(names)
    offline = await http.post("/users/ghost/directory", json={"directory": folder})
    assert offline.status_code == 404
