"""Our slskd client against the simulator: connection, paced searches, results."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from slskd_helpers import API_KEY

from soulsync.domain import SearchResponse
from soulsync.providers.base import AuthError, RateLimited, ServiceUnavailable
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer
from soulsync.sandbox.slskd import SlskdSimulator


def files_by_user(responses: list[SearchResponse]) -> dict[str, list[str]]:
    return {r.username: [f.filename for f in r.files] for r in responses}


async def test_connection_ok(client: SlskdClient) -> None:
    status = await client.test_connection()
    assert status.ok
    assert status.detail == "slskd 0.24.1, Connected, LoggedIn"


async def test_connection_not_logged_in(client: SlskdClient, sim: SlskdSimulator) -> None:
    sim.server_state = "Disconnected"
    status = await client.test_connection()
    assert not status.ok
    assert "not logged in" in status.detail and "Disconnected" in status.detail


async def test_wrong_key_is_an_auth_error(sim: SlskdSimulator, pacer: SearchPacer) -> None:
    async with SlskdClient(sim.url, "not-the-key-at-all", pacer=pacer) as bad:
        status = await bad.test_connection()
        assert not status.ok and "API key" in status.detail
        with pytest.raises(AuthError):
            await bad.search("hello")
    assert sim.counters.searches_posted == 0


async def test_server_down_and_503(client: SlskdClient, sim: SlskdSimulator) -> None:
    sim.unavailable = True
    with pytest.raises(ServiceUnavailable, match="503"):
        await client.version()
    sim.unavailable = False
    url = sim.url
    sim.stop()
    status = await client.test_connection()
    assert not status.ok
    assert status.detail == f"slskd is not reachable at {url}"
    with pytest.raises(ServiceUnavailable, match="not reachable"):
        await client.search("hello")


def test_api_key_is_never_logged(
    sim: SlskdSimulator, pacer: SearchPacer, caplog: pytest.LogCaptureFixture
) -> None:
    async def run() -> None:
        async with SlskdClient(sim.url, API_KEY, pacer=pacer, poll_interval_s=0.02) as c:
            await c.search("come together")

    with caplog.at_level("DEBUG"):
        asyncio.run(run())
    assert caplog.records  # our debug lines and httpx's request lines were captured
    assert API_KEY not in caplog.text


async def test_search_returns_catalogue_files_with_real_sizes(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    responses = await client.search("daft punk one more time")
    users = files_by_user(responses)
    assert (
        "@@flacfan\\Music\\Daft Punk\\2001 - Discovery [FLAC]\\01. One More Time.flac"
        in users["flacfan"]
    )
    assert (
        "@@scene\\incoming\\Daft_Punk-Discovery-2001-FTD\\01-daft_punk-one_more_time.mp3"
        in users["scene_ripper"]
    )
    assert "ghost" not in users  # ghost shares Igor only
    for response in responses:
        for f in response.files:
            share = sim.find_share(f.username, f.filename)
            assert share is not None
            assert f.size == sim.audio_cache.ensure(share.audio).stat().st_size
            assert f.has_free_upload_slot == sim.peers[f.username].has_free_upload_slot
            assert f.upload_speed == sim.peers[f.username].upload_speed
    # The search was read after endedAt and then deleted from slskd.
    assert sim.searches == {}
    assert sim.counters.searches_posted == 1 and sim.counters.searches_deleted == 1


@pytest.mark.parametrize(
    ("query", "user", "expected"),
    [
        (
            "in the flesh",
            "flacfan",
            "@@flacfan\\Music\\Pink Floyd\\1979 - The Wall [FLAC]\\CD1\\01. In the Flesh?.flac",
        ),
        (
            "группа крови",
            "flacfan",
            "@@flacfan\\Music\\Кино\\1988 - Группа крови [FLAC]\\01. Группа крови.flac",
        ),
        ("glósóli", "slowpoke", "@@slow\\music\\Sigur Rós\\Takk...\\01 Glósóli.flac"),
        (
            "goldberg aria",
            "slowpoke",
            "@@slow\\music\\Johann Sebastian Bach\\Bach: Goldberg Variations, BWV 988 (1981 Recording)\\01 Goldberg Variations, BWV 988: Aria.flac",
        ),
        (
            "宇多田ヒカル first love",
            "mp3hoarder",
            "@@mp3h\\mp3\\宇多田ヒカル - First Love (1999) [320]\\宇多田ヒカル - 02 - First Love.mp3",
        ),
    ],
)
async def test_odd_names_come_back_verbatim(
    reader: SlskdClient, query: str, user: str, expected: str
) -> None:
    users = files_by_user(await reader.search(query))
    assert expected in users[user]


async def test_locked_files_are_kept_apart(reader: SlskdClient) -> None:
    responses = {r.username: r for r in await reader.search("rumours dreams")}
    hires = responses["hires_hoarder"]
    assert hires.files == ()
    assert [f.is_locked for f in hires.locked_files] == [True]
    assert all(not f.is_locked for f in responses["slowpoke"].files)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("beatles come together", False),
        ("rihanna umbrella", False),
        ("*eatles come together", True),
        ("*ihanna umbrella", True),
        ("come together", True),
    ],
)
async def test_server_filtered_phrases_and_wildcards(
    reader: SlskdClient, query: str, found: bool
) -> None:
    responses = await reader.search(query)
    assert bool(responses) is found


async def test_exclusion_term(reader: SlskdClient) -> None:
    everything = [f.filename for r in await reader.search("bohemian rhapsody") for f in r.files]
    no_live = [f.filename for r in await reader.search("bohemian rhapsody -live") for f in r.files]
    assert any("Live" in n for n in everything)
    assert no_live and not any("live" in n.lower() for n in no_live)


async def test_concurrent_searches_never_trip_429(
    client: SlskdClient, sim: SlskdSimulator, pacer: SearchPacer
) -> None:
    queries = ["hello", "halo", "umbrella", "come together", "one more time"]
    results = await asyncio.gather(*(client.search(q) for q in queries))
    assert all(results)
    assert sim.counters.searches_posted == len(queries)
    assert sim.counters.searches_rejected_429 == 0
    assert pacer.posted == len(queries)


async def test_429_from_another_tool_is_waited_out(
    client: SlskdClient, sim: SlskdSimulator, pacer: SearchPacer
) -> None:
    # Another tool's search is running and this slskd refuses new ones meanwhile.
    sim.reject_while_running = True
    sim.search_duration_s = 0.3
    async with httpx.AsyncClient(base_url=sim.api_url, headers={"X-API-Key": API_KEY}) as other:
        assert (await other.post("/searches", json={"searchText": "halo"})).status_code == 200
    sim.search_duration_s = 0.1
    responses = await client.search("come together")
    assert responses
    assert pacer.rejected >= 1 and sim.counters.searches_rejected_429 == pacer.rejected
    assert pacer.posted == 1


async def test_endless_429_becomes_rate_limited(sim: SlskdSimulator) -> None:
    sim.reject_while_running = True
    sim.search_duration_s = 60
    async with httpx.AsyncClient(base_url=sim.api_url, headers={"X-API-Key": API_KEY}) as other:
        await other.post("/searches", json={"searchText": "halo"})
    pacer = SearchPacer(PacerSettings(min_gap_s=0, max_retries=2, backoff_base_s=0.01))
    async with SlskdClient(sim.url, API_KEY, pacer=pacer) as c:
        with pytest.raises(RateLimited, match="429"):
            await c.search("come together")
    assert sim.counters.searches_rejected_429 == 3


async def test_min_gap_between_real_posts(sim: SlskdSimulator, tmp_path: Path) -> None:
    pacer = SearchPacer(PacerSettings(min_gap_s=0.3))
    async with SlskdClient(sim.url, API_KEY, pacer=pacer, poll_interval_s=0.02) as c:
        started = time.monotonic()
        await asyncio.gather(c.search("hello"), c.search("halo"), c.search("umbrella"))
    assert time.monotonic() - started >= 0.6
    assert sim.counters.searches_posted == 3


async def test_stuck_search_is_stopped_after_max_wait(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    sim.search_duration_s = 60
    responses = await client.search("come together", max_wait_s=0.2)
    # Stopped early: whatever had arrived is returned and the search is deleted.
    assert isinstance(responses, list)
    assert sim.searches == {}


async def test_client_waits_for_ended_at_not_is_complete(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    # A long gap between "Completed" and the stored responses: reading on
    # isComplete would return nothing here (see test_slskd_sim_api).
    sim.finalize_delay_s = 0.4
    responses = await client.search("come together")
    assert {"flacfan", "slowpoke", "scene_ripper"} <= {r.username for r in responses}


async def test_server_comes_back_on_the_same_url(client: SlskdClient, sim: SlskdSimulator) -> None:
    sim.stop()
    assert not (await client.test_connection()).ok
    sim.start()
    status = await client.test_connection()
    assert status.ok, status.detail
    assert await client.search("come together")
