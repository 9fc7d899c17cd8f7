"""Fixtures: a seeded library folder (real tagged FLAC files) and a folder library over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.providers.folder import FolderLibrary
from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache
from soulsync.store import Store


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """One audio cache for the whole session (generated once, then reused)."""
    return AudioCache()


@pytest.fixture()
def library_dir(tmp_path: Path, audio_cache: AudioCache) -> Path:
    """The sandbox library: the catalogue's library tracks as tagged FLAC files."""
    root = tmp_path / "Music"
    seed_library(root, cache=audio_cache)
    return root


@pytest.fixture()
def folder(library_dir: Path, store: Store) -> FolderLibrary:
    """A folder library over ``library_dir`` with playlists in ``Playlists/``."""
    return FolderLibrary(library_dir, store)
