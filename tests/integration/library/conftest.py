"""Fixtures for the mover tests: real audio, a downloads root and a library root."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from soulsync.library.audio import TONE_FORMATS, generate_tone


@pytest.fixture(scope="session")
def masters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Session-wide source audio: 3 s tones per format plus a 20 s noise FLAC (~3.5 MB)."""
    folder = tmp_path_factory.mktemp("mover-masters")
    files = {
        fmt: generate_tone(folder / f"tone_{fmt}.{TONE_FORMATS[fmt].ext}", fmt, 3.0)
        for fmt in ("flac", "mp3", "aac", "alac", "ogg", "opus")
    }
    files["noise"] = generate_tone(folder / "noise.flac", "flac", 20.0, noise=True)
    return files


@pytest.fixture()
def roots(tmp_path: Path) -> tuple[Path, Path]:
    """(downloads root, library root), both existing and empty."""
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    downloads.mkdir()
    library.mkdir()
    return downloads, library


@pytest.fixture()
def place(masters: dict[str, Path], roots: tuple[Path, Path]) -> Callable[[str, str], Path]:
    """Copy a master into the downloads root at a relative path, as slskd would."""

    def make(kind: str, rel: str) -> Path:
        dst = roots[0] / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(masters[kind], dst)
        return dst

    return make


@pytest.fixture(scope="session")
def cover_jpeg() -> bytes:
    """A real JPEG front cover."""
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (30, 60, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture()
def tiny_tmpfs(tmp_path: Path, mount_tmpfs: Callable[[Path, str], bool]) -> Path | None:
    """A real 1 MiB tmpfs (needs root), or None when mounting is not permitted."""
    target = tmp_path / "tiny"
    return target if mount_tmpfs(target, "size=1m") else None
