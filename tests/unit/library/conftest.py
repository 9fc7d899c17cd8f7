"""Fixtures for the library tests: real images and real audio made with PyAV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from library_media import FORMATS

from soulsync.library.audio import TONE_FORMATS, generate_tone


@pytest.fixture(scope="session")
def audio_masters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """2-second tones in every supported format (session-wide, read-only)."""
    folder = tmp_path_factory.mktemp("masters")
    return {
        fmt: generate_tone(folder / f"tone_{fmt}.{TONE_FORMATS[fmt].ext}", fmt, 2.0)
        for fmt in FORMATS
    }


@pytest.fixture()
def audio_copy(audio_masters: dict[str, Path], tmp_path: Path) -> Callable[[str], Path]:
    """Return a fresh writable copy of the master file for a format."""

    def make(fmt: str) -> Path:
        src = audio_masters[fmt]
        dst = tmp_path / src.name
        dst.write_bytes(src.read_bytes())
        return dst

    return make
