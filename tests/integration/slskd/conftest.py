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


@pytest.fixture(scope="session")
def running_sim(
    tmp_path_factory: pytest.TempPathFactory, audio_cache: AudioCache
) -> Iterator[SlskdSimulator]:
    """One simulator for the session; starting one costs a few hundred milliseconds."""
    simulator = fast_simulator(tmp_path_factory.mktemp("slskd") / "downloads", audio_cache)
    simulator.start()
    yield simulator
    simulator.close()


@pytest.fixture()
def sim(running_sim: SlskdSimulator, tmp_path: Path) -> SlskdSimulator:
    """The simulator, reset to a fresh state with its own downloads folder for this test.

    Tests may change its knobs, stop it, and read its counters.
    """
    if not running_sim.running:
        running_sim.start()  # a previous test stopped it; same port as before
    running_sim.reset(downloads_dir=tmp_path / "downloads")
    return running_sim


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
async def reader(sim: SlskdSimulator) -> AsyncIterator[SlskdClient]:
    """Our client for tests that only search (own pacer without a gap)."""
    pacer = SearchPacer(PacerSettings(min_gap_s=0))
    async with SlskdClient(sim.url, API_KEY, pacer=pacer, poll_interval_s=0.02) as c:
        yield c


@pytest.fixture(params=["0.24.1", "0.26.0"], ids=["slskd-0.24", "slskd-0.26"])
def vsim(sim: SlskdSimulator, request: pytest.FixtureRequest) -> SlskdSimulator:
    """The simulator behaving as slskd 0.24 or 0.26 (issue 13: every item in both modes)."""
    sim.version = str(request.param)
    return sim
