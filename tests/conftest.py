"""Shared fixtures for every test folder."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from soulsync.sandbox.musicbrainz import (
    DEFAULT_RELEASE_GROUPS,
    MusicBrainzSimulator,
    SimReleaseGroup,
)
from soulsync.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store in a temporary folder."""
    db = Store(tmp_path / "soulsync.db")
    yield db
    db.close()


@pytest.fixture()
def isolated_cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """For CLI tests: no SOULSYNC_* leaks in, private config/data dirs, root logger restored."""
    for name in list(os.environ):
        if name.upper().startswith("SOULSYNC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture()
def live_album_mb_sim() -> Iterator[MusicBrainzSimulator]:
    """A MusicBrainz simulator that knows Fleetwood Mac's "The Dance" is a live album.

    Its name never says so: only release types tell "Go Your Own Way" from
    "The Dance" apart from the studio one on "Rumours".
    """
    groups = (
        *DEFAULT_RELEASE_GROUPS,
        SimReleaseGroup("Rumours", "Fleetwood Mac", "Album", (), "1977-02-04"),
        SimReleaseGroup("The Dance", "Fleetwood Mac", "Album", ("Live",), "1997-08-19"),
    )
    sim = MusicBrainzSimulator(release_groups=groups).start()
    yield sim
    sim.stop()
