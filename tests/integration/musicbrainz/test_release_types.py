"""MusicBrainz client and release-type service against the ws/2 simulator, over sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from soulsync.domain import SoulseekFile, Track
from soulsync.matching.rank import rank_soulseek_files, releases_to_check
from soulsync.matching.releases import ReleaseQuery
from soulsync.providers.base import RateLimited, ServiceUnavailable
from soulsync.providers.metadata import MetadataService
from soulsync.providers.musicbrainz import MusicBrainzClient, lucene_phrase
from soulsync.sandbox.musicbrainz import MusicBrainzSimulator
from soulsync.services.release_types import ReleaseTypeService
from soulsync.store import Store, schema

UA = "SoulSyncTests/1.0 ( https://example.org/soulsync-tests )"


@pytest.fixture()
def mb_sim() -> Iterator[MusicBrainzSimulator]:
    sim = MusicBrainzSimulator().start()
    yield sim
    sim.stop()


def _client(store: Store, sim: MusicBrainzSimulator, **kwargs: object) -> MusicBrainzClient:
    return MusicBrainzClient(store, api_base=sim.url, user_agent=UA, timeout_s=2.0, **kwargs)  # type: ignore[arg-type]


async def test_release_group_types_and_cache(store: Store, mb_sim: MusicBrainzSimulator) -> None:
    async with _client(store, mb_sim) as client:
        groups = await client.search_release_groups("Johnny Cash", "At Folsom Prison")
        assert groups[0].title == "At Folsom Prison"
        assert groups[0].types == ("Album", "Live")
        assert groups[0].artist == "Johnny Cash"
        sent = mb_sim.requests
        again = await client.search_release_groups("Johnny Cash", "At Folsom Prison")
        assert again == groups
        assert mb_sim.requests == sent  # answered from the store's cache


def test_user_agent_must_be_descriptive(store: Store) -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        MusicBrainzClient(store, user_agent="python-httpx/0.27")


async def test_simulator_refuses_generic_agents_and_bursts(
    store: Store, mb_sim: MusicBrainzSimulator
) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        params = {"query": 'releasegroup:"Made in Japan"', "fmt": "json"}
        blocked = await http.get(f"{mb_sim.url}/release-group", params=params)
        assert blocked.status_code == 403
        headers = {"User-Agent": UA}
        first = await http.get(f"{mb_sim.url}/release-group", params=params, headers=headers)
        burst = await http.get(f"{mb_sim.url}/release-group", params=params, headers=headers)
        assert first.status_code == 200
        assert first.json()["release-groups"][0]["secondary-types"] == ["Live"]
        assert burst.status_code == 503
        assert "rate limit" in burst.json()["error"]


async def test_client_paces_itself_under_one_per_second(
    store: Store, mb_sim: MusicBrainzSimulator
) -> None:
    async with _client(store, mb_sim) as client:
        for album in ("Made in Japan", "Machine Head", "In Color"):
            await client.search_release_groups("", album)
    assert mb_sim.rejected == 0
    assert mb_sim.requests == 3


async def test_rate_limited_after_retries(store: Store, mb_sim: MusicBrainzSimulator) -> None:
    mb_sim.fail_next(5)
    async with _client(store, mb_sim, tries=2, min_gap_s=0.0) as client:
        with pytest.raises(RateLimited):
            await client.search_release_groups("KISS", "Alive!")


def test_lucene_phrase_escapes() -> None:
    assert lucene_phrase("Get Yer Ya-Ya's Out!") == '"Get Yer Ya\\-Ya\'s Out\\!"'


def _file(path: str, length: int) -> SoulseekFile:
    return SoulseekFile(username="peer", filename=path, size=length * 40000, length=length)


async def test_service_turns_a_live_folder_away_and_caches(
    store: Store, mb_sim: MusicBrainzSimulator
) -> None:
    want = Track("Surrender", ("Cheap Trick",), "Heaven Tonight", duration_ms=255000)
    files = [_file("@@p\\Cheap Trick - At Budokan (1978)\\09 - Surrender.mp3", 262)]
    plain = rank_soulseek_files(want, files)
    assert plain.best is not None  # nothing in the name says live
    async with _client(store, mb_sim) as client:
        service = ReleaseTypeService(store, MetadataService(musicbrainz=client))
        facts = await service.facts_for(releases_to_check(want, plain))
    ranked = rank_soulseek_files(want, files, releases=facts)
    assert ranked.best is None
    assert any("(MusicBrainz: Album, Live)" in r for r in ranked.rejected[0].reasons)
    with store.read() as conn:
        rows = conn.execute(sa.select(schema.release_types)).fetchall()
    assert {(r.album_key, r.source) for r in rows} >= {("at budokan", "musicbrainz")}
    # Offline later: the cache still answers, and nothing is asked.
    mb_sim.stop()
    async with _client(store, mb_sim, tries=1) as offline:
        cached = ReleaseTypeService(store, MetadataService(musicbrainz=offline))
        again = await cached.facts_for([ReleaseQuery("Cheap Trick", "At Budokan")])
        assert again.lookup("Cheap Trick", "At Budokan") is not None
        assert cached.lookups == 0


async def test_offline_service_degrades_to_no_facts(store: Store) -> None:
    sim = MusicBrainzSimulator().start()
    url = sim.url
    sim.stop()
    client = MusicBrainzClient(store, api_base=url, user_agent=UA, tries=1, timeout_s=1.0)
    with pytest.raises(ServiceUnavailable):
        await client.search_release_groups("Deep Purple", "Made in Japan")
    service = ReleaseTypeService(store, MetadataService(musicbrainz=client))
    facts = await service.facts_for([ReleaseQuery("Deep Purple", "Made in Japan")])
    assert not facts
    with store.read() as conn:
        assert conn.execute(sa.select(schema.release_types)).fetchall() == []
    await client.aclose()
