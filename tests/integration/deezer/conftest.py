"""Fixtures: a live Deezer simulator and a client talking to it over sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from soulsync.providers.deezer import DeezerClient
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.store import Store


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    """A fresh Deezer simulator per test."""
    sim = DeezerSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture()
async def deezer(deezer_sim: DeezerSimulator, store: Store) -> AsyncIterator[DeezerClient]:
    """A Deezer client pointed at the simulator."""
    client = DeezerClient(store, api_base=deezer_sim.url, timeout_s=2.0)
    yield client
    await client.aclose()
