"""One demo world (all simulators and the video site) per module of link tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from soulsync.demo import Demo, build_demo_services, prepare_demo
from soulsync.services.container import AppServices


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root: Path = tmp_path_factory.mktemp("links-world")
    # Real backoff (1 s, 2 s, 4 s) so a test can watch it; a quicker sandbox slskd.
    world = prepare_demo(root, extra_config={"youtube": {"backoff_s": 1.0}})
    try:
        yield world
    finally:
        world.close()


@pytest.fixture()
async def services(demo: Demo) -> AsyncIterator[AppServices]:
    built = build_demo_services(demo)
    await built.start(schedule=False)
    try:
        yield built
    finally:
        await built.aclose()
