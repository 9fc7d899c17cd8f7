"""A Deezer playlist syncs like a Spotify one, and the two share the same memory (ISRC)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from soulsync.domain import Source
from soulsync.providers.deezer import DeezerClient
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.services.sync.models import RunState
from soulsync.store import Store


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    """The Deezer public API simulator."""
    sim = DeezerSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture()
async def deezer(deezer_sim: DeezerSimulator, store: Store) -> AsyncIterator[DeezerClient]:
    """Our Deezer client against it."""
    client = DeezerClient(store, api_base=deezer_sim.url, timeout_s=5)
    yield client
    await client.aclose()


async def test_deezer_playlist_then_same_playlist_from_spotify(
    sandbox, deezer: DeezerClient
) -> None:  # type: ignore[no-untyped-def]
    sync = sandbox.new_sync(
        sandbox.queue, sources={Source.DEEZER: deezer, Source.SPOTIFY: sandbox.spotify}
    )
    deezer_ref = f"deezer:{build_catalogue().playlists['road-trip'].deezer_id}"
    first = await sandbox.run(deezer_ref, download_missing=True, service=sync)
    assert first.state is RunState.COMPLETED, first.error
    assert first.source == "deezer" and first.total == 30
    assert first.owned == 10 and first.downloaded + first.wishlisted == 20
    assert first.playlist_synced

    # The same songs arriving from Spotify are recognised: nothing is fetched again.
    searches = sandbox.slskd_sim.counters.searches_posted
    jobs = len(sandbox.queue.history(limit=1000))
    second = await sandbox.run(sandbox.ref("road-trip"), download_missing=True, service=sync)
    assert second.state is RunState.COMPLETED
    assert second.downloaded == 0 and second.owned == first.owned + first.downloaded
    assert second.wishlisted == first.wishlisted  # in cool-down under its ISRC, not searched
    assert sandbox.slskd_sim.counters.searches_posted == searches
    assert len(sandbox.queue.history(limit=1000)) == jobs
    # Two sources, two media-server playlists (each found again by its own stored id).
    assert second.server_playlist_id != first.server_playlist_id
