"""cover: JPEG normalisation and the once-per-folder cover.jpg."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from library_media import jpeg_bytes, png_bytes
from PIL import Image

from soulsync.library.cover import CoverError, prepare_cover, write_folder_cover
from soulsync.library.safe_move import TEMP_PREFIX


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_small_jpeg_is_kept_byte_for_byte() -> None:
    data = jpeg_bytes((300, 300))
    assert prepare_cover(data) == data


@pytest.mark.parametrize(
    ("source", "size", "expected"),
    [
        ("png", (640, 480), (640, 480)),
        ("png", (3000, 1500), (1200, 600)),
        ("jpeg", (2400, 2400), (1200, 1200)),
        ("webp", (100, 50), (100, 50)),
    ],
)
def test_converted_to_capped_jpeg(
    source: str, size: tuple[int, int], expected: tuple[int, int]
) -> None:
    buf = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buf, source.upper())
    img = _open(prepare_cover(buf.getvalue()))
    assert img.format == "JPEG"
    assert img.size == expected


def test_transparency_is_flattened_on_white() -> None:
    out = _open(prepare_cover(png_bytes((20, 20), mode="RGBA")))
    assert out.mode == "RGB"
    r, g, b = out.getpixel((10, 10))  # type: ignore[misc]
    # Half-transparent blue over white: lighter than the blue itself.
    assert r > 100 and g > 150 and b > 200


def test_custom_cap() -> None:
    out = _open(prepare_cover(png_bytes((1000, 500)), max_px=300))
    assert out.size == (300, 150)


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff" + b"\x00" * 20])
def test_garbage_raises(data: bytes) -> None:
    with pytest.raises(CoverError):
        prepare_cover(data)


def test_written_once_then_recognised(tmp_path: Path) -> None:
    folder = tmp_path / "Artist" / "Artist - Album"
    data = png_bytes((500, 500))
    first = write_folder_cover(folder, data)
    assert first.status == "written"
    assert first.path == folder / "cover.jpg"
    assert _open(first.path.read_bytes()).format == "JPEG"
    before = first.path.stat()
    again = write_folder_cover(folder, data)
    assert again.status == "already_present"
    assert first.path.stat().st_mtime_ns == before.st_mtime_ns
    assert [p.name for p in folder.iterdir()] == ["cover.jpg"]


def test_existing_different_cover_is_kept(tmp_path: Path) -> None:
    existing = jpeg_bytes((50, 50), (0, 255, 0))
    (tmp_path / "cover.jpg").write_bytes(existing)
    result = write_folder_cover(tmp_path, jpeg_bytes((50, 50), (255, 0, 0)))
    assert result.status == "kept_existing"
    assert (tmp_path / "cover.jpg").read_bytes() == existing


def test_unwritable_folder_raises_and_leaves_no_temp(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    with pytest.raises(CoverError, match="cannot write"):
        write_folder_cover(blocker / "sub", jpeg_bytes())
    assert not any(n.startswith(TEMP_PREFIX) for n in os.listdir(tmp_path))
