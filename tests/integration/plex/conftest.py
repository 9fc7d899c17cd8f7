"""Fixtures: a seeded library folder, the Plex simulator over it, plexapi and the adapter."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# plexapi reads its config file at import: never the developer's own one.
os.environ.setdefault("PLEXAPI_CONFIG_PATH", os.path.join(os.devnull, "plexapi.ini"))

import pytest
from plexapi.server import PlexServer

from soulsync.providers.plex import PlexMediaServer
from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator

TOKEN = "plex-test-token-5f2a9c"


@pytest.fixture()
def plex_token() -> str:
    """The token the simulator accepts."""
    return TOKEN


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """One audio cache for the whole session (generated once, then reused)."""
    return AudioCache()


@pytest.fixture()
def library_dir(tmp_path: Path, audio_cache: AudioCache) -> Path:
    """The sandbox user's library: the catalogue's library tracks as tagged FLAC files."""
    root = tmp_path / "Music"
    seed_library(root, cache=audio_cache)
    return root


@pytest.fixture()
def plex_sim(library_dir: Path) -> Iterator[PlexSimulator]:
    """A running Plex simulator whose music section is ``library_dir``."""
    sim = PlexSimulator([library_dir], TOKEN, scan_start_delay_s=0.05, scan_duration_s=0.2)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
def plex(plex_sim: PlexSimulator) -> PlexServer:
    """A plexapi client connected to the simulator."""
    return PlexServer(plex_sim.url, TOKEN, timeout=10)


@pytest.fixture()
def adapter(plex_sim: PlexSimulator) -> PlexMediaServer:
    """The production adapter pointed at the simulator, with quick scan polling."""
    return PlexMediaServer(
        plex_sim.url, TOKEN, timeout_s=5, scan_poll_s=0.05, scan_start_grace_s=1.0
    )
