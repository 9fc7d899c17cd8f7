"""file_copy: whole and partial copies, appending ranges, finding a FLAC's audio frames."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.flac import FLAC

from soulsync.library.file_copy import append_range, copy_file, flac_audio_offset


def _blob(n: int) -> bytes:
    return bytes((i * 31 + 7) % 256 for i in range(n))


def test_copy_whole_and_prefix(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(_blob(100_000))
    copy_file(src, tmp_path / "all")
    copy_file(src, tmp_path / "head", length=1234)
    copy_file(src, tmp_path / "more", length=10**9)
    assert (tmp_path / "all").read_bytes() == src.read_bytes()
    assert (tmp_path / "head").read_bytes() == src.read_bytes()[:1234]
    assert (tmp_path / "more").read_bytes() == src.read_bytes()
    with pytest.raises(FileExistsError):
        copy_file(src, tmp_path / "all")


def test_copy_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e").write_bytes(b"")
    copy_file(tmp_path / "e", tmp_path / "e2")
    assert (tmp_path / "e2").read_bytes() == b""


def test_append_range(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(_blob(50_000))
    dst.write_bytes(b"HEAD")
    assert append_range(src, dst, 10_000) == 40_000
    assert dst.read_bytes() == b"HEAD" + _blob(50_000)[10_000:]
    assert append_range(src, dst, 60_000) == 0  # past the end: nothing


def test_flac_audio_offset_points_at_the_first_frame(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("flac")
    offset = flac_audio_offset(path)
    assert offset is not None
    data = path.read_bytes()
    assert data[offset] == 0xFF and data[offset + 1] & 0xFE == 0xF8
    # mutagen agrees on where the metadata ends: the sum of its block sizes.
    blocks = FLAC(path).metadata_blocks
    assert offset == 4 + sum(4 + len(b.write()) for b in blocks)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"fLaC",
        b"fLaC\x80\x00\x00\x22" + b"\x00" * 10,  # last block claims more bytes than exist
        b"fLaC\x80\x00\x00\x02\x00\x00" + b"\x00\x00" * 50,  # no frame sync after it
        b"ID3\x04\x00\x00\x00\x00\x00\x00fLaC",
        b"OggS" + b"\x00" * 100,
    ],
)
def test_flac_audio_offset_refuses_odd_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.flac"
    path.write_bytes(content)
    assert flac_audio_offset(path) is None


def test_flac_audio_offset_of_other_formats(audio_copy: Callable[[str], Path]) -> None:
    for fmt in ("mp3", "aac", "ogg", "opus"):
        assert flac_audio_offset(audio_copy(fmt)) is None
