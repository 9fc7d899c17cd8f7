"""Fixtures: the demo sandbox with SoulSync CLI processes (real kills, real sockets)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_world import CliWorld

from soulsync.demo import prepare_demo
from soulsync.sandbox.media import AudioCache


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """Generated sandbox audio, shared by the whole session."""
    return AudioCache()


@pytest.fixture()
def world_config() -> dict[str, dict[str, object]]:
    """Extra configuration for the demo (a test overrides this fixture to change it)."""
    return {}


@pytest.fixture()
def world(
    tmp_path: Path, audio_cache: AudioCache, world_config: dict[str, dict[str, object]]
) -> Iterator[CliWorld]:
    """The demo sandbox (fast transfers) and an environment for CLI processes."""
    demo = prepare_demo(
        tmp_path / "demo", time_scale=20, audio_cache=audio_cache, extra_config=world_config
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SOULSYNC_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        PLEXAPI_CONFIG_PATH=os.path.join(os.devnull, "plexapi.ini"),
        COLUMNS="200",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    try:
        yield CliWorld(demo, env)
    finally:
        demo.close()
