"""Fixtures: a running slskd simulator on 127.0.0.1 and our client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from slskd_helpers import API_KEY

from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd import SlskdSimulator


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """One cache of generated audio for the whole session (slow only on a cold machine)."""
    return AudioCache()


def fast_simulator(downloads: Path, audio_cache: AudioCache) -> SlskdSimulator:
    """A simulator with fast time: searches last 0.1 s, transfers run 20x."""
    return SlskdSimulator(
        build_catalogue(),
        downloads,
        audio_cache,
        API_KEY,
        time_scale=20,
        search_duration_s=0.1,
        finalize_delay_s=0.05,
        create_window_s=0.05,
    )


@pytest.fixture()
def sim(tmp_path: Path, audio_cache: AudioCache) -> Iterator[SlskdSimulator]:
    """A fresh simulator per test (tests may change its knobs and read its counters)."""
    simulator = fast_simulator(tmp_path / "downloads", audio_cache)
    simulator.start()
    yield simulator
    simulator.close()


@pytest.fixture(scope="module")
def shared_sim(
    tmp_path_factory: pytest.TempPathFactory, audio_cache: AudioCache
) -> Iterator[SlskdSimulator]:
    """One simulator for a module's read-only search tests (starting one costs ~0.2 s)."""
    simulator = fast_simulator(tmp_path_factory.mktemp("slskd") / "downloads", audio_cache)
    simulator.start()
    yield simulator
    simulator.close()


@pytest.fixture()
def pacer() -> SearchPacer:
    """A pacer of its own per test (no gap, short backoff) so tests do not wait on each other."""
    return SearchPacer(PacerSettings(min_gap_s=0, backoff_base_s=0.05, backoff_max_s=0.4))


@pytest.fixture()
async def client(sim: SlskdSimulator, pacer: SearchPacer) -> AsyncIterator[SlskdClient]:
    """Our production client, talking to the simulator over a real socket."""
    async with SlskdClient(
        sim.url, API_KEY, downloads_dir=sim.downloads_dir, pacer=pacer, poll_interval_s=0.02
    ) as c:
        yield c


@pytest.fixture()
async def reader(shared_sim: SlskdSimulator) -> AsyncIterator[SlskdClient]:
    """Our client against the shared simulator; for tests that only search."""
    pacer = SearchPacer(PacerSettings(min_gap_s=0))
    async with SlskdClient(shared_sim.url, API_KEY, pacer=pacer, poll_interval_s=0.02) as c:
        yield c
