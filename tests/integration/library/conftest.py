"""Fixtures for the mover tests: real audio, a downloads root and a library root."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
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


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture()
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path | None]:
    """A real 1 MiB tmpfs (needs root), or None when mounting is not permitted."""
    target = tmp_path / "tiny"
    if not _mount(target, "size=1m"):
        yield None
        return
    try:
        yield target
    finally:
        _umount(target)


@pytest.fixture()
def make_readonly() -> Iterator[Callable[[Path], str]]:
    """Make a folder read-only for real: a read-only bind mount when we may
    mount (root), else ``chmod 555`` (which binds non-root users). Returns how."""
    undo: list[Callable[[], None]] = []

    def apply(folder: Path) -> str:
        bind = subprocess.run(
            ["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False
        )
        if bind.returncode == 0:
            undo.append(lambda: _umount(folder))
            subprocess.run(
                ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, check=True
            )
            return "read-only bind mount"
        if os.geteuid() == 0:
            pytest.fail(
                "running as root without permission to mount: cannot make a folder read-only"
            )
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        undo.append(lambda: folder.chmod(mode))
        return "chmod 555"

    yield apply
    for step in reversed(undo):
        step()


@pytest.fixture()
def mount_tmpfs() -> Iterator[Callable[[Path, str], bool]]:
    """Mount tmpfs filesystems with given options (False if not permitted); unmounted after."""
    mounted: list[Path] = []

    def mount(target: Path, options: str) -> bool:
        ok = _mount(target, options)
        if ok:
            mounted.append(target)
        return ok

    yield mount
    for target in reversed(mounted):
        _umount(target)
