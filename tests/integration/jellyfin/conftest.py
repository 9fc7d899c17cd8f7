"""Fixtures: a seeded library folder, the Jellyfin simulator over it, and the adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from soulsync.providers.jellyfin import JellyfinMediaServer
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache

API_KEY = "jellyfin-test-key-7c1d"


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """One audio cache for the whole session."""
    return AudioCache()


@pytest.fixture()
def library_dir(tmp_path: Path, audio_cache: AudioCache) -> Path:
    """The sandbox user's library as tagged FLAC files."""
    root = tmp_path / "Music"
    seed_library(root, cache=audio_cache)
    return root


@pytest.fixture()
def jellyfin_sim(library_dir: Path) -> Iterator[JellyfinSimulator]:
    """A running Jellyfin simulator whose music library is ``library_dir``."""
    sim = JellyfinSimulator([library_dir], API_KEY, scan_start_delay_s=0.05, scan_duration_s=0.2)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
async def adapter(jellyfin_sim: JellyfinSimulator) -> AsyncIterator[JellyfinMediaServer]:
    """The production adapter (API key) pointed at the simulator, with quick scan polling."""
    server = JellyfinMediaServer(
        jellyfin_sim.url,
        api_key=API_KEY,
        username="soulsync",
        timeout_s=5,
        scan_poll_s=0.05,
        scan_start_grace_s=1.0,
    )
    yield server
    await server.aclose()
