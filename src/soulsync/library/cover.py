"""Album cover art: normalise to a capped JPEG and write ``cover.jpg`` once per folder.

Blocking (Pillow and file I/O); async callers use a thread. Embedding the
cover into each file is :mod:`soulsync.library.tags`' job; this module
prepares the bytes and writes the folder image.

``cover.jpg`` is written like a library file (temporary name in the same
folder, fsync, hard link without overwriting), so a crash never leaves a
half-written image and :func:`soulsync.library.safe_move.recover_incomplete`
cleans up the same ``.soulsync-tmp-*`` leftovers. An existing ``cover.jpg``
is never replaced: the first cover an album folder gets stays.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from soulsync.library.safe_move import files_identical, link_no_replace, temp_name

__all__ = [
    "DEFAULT_MAX_PX",
    "CoverError",
    "CoverResult",
    "prepare_cover",
    "write_folder_cover",
]

DEFAULT_MAX_PX = 1200
COVER_NAME = "cover.jpg"
# Pillow refuses absurd images anyway; this bounds the memory a hostile file can cost.
_MAX_INPUT_PIXELS = 8000 * 8000


class CoverError(Exception):
    """The bytes are not a usable image, or the folder cannot be written."""


@dataclass(frozen=True, slots=True)
class CoverResult:
    """What :func:`write_folder_cover` did."""

    path: Path
    status: Literal["written", "already_present", "kept_existing"]


def prepare_cover(data: bytes, *, max_px: int = DEFAULT_MAX_PX, quality: int = 90) -> bytes:
    """Return JPEG bytes for ``data`` (JPEG, PNG, WebP...), at most ``max_px`` on a side.

    A JPEG that is already small enough is returned unchanged (no re-encode
    loss, and the same input always gives the same bytes). Transparency is
    flattened onto white.

    Raises:
        CoverError: not an image Pillow can read.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > _MAX_INPUT_PIXELS:
                raise CoverError(f"cover image too large ({img.width}x{img.height})")
            if img.format == "JPEG" and max(img.size) <= max_px and img.mode in ("RGB", "L"):
                return data
            img.load()
            converted = _to_rgb(img)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CoverError(f"not a readable image ({exc})") from exc
    if max(converted.size) > max_px:
        converted.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    converted.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def write_folder_cover(
    folder: Path,
    data: bytes,
    *,
    max_px: int = DEFAULT_MAX_PX,
    name: str = COVER_NAME,
) -> CoverResult:
    """Write ``folder/cover.jpg`` from image ``data`` unless the folder has one.

    Returns ``written``, ``already_present`` (same bytes there already) or
    ``kept_existing`` (a different cover is there; it is left alone).

    Raises:
        CoverError: unreadable image or the folder cannot be written.
    """
    folder = Path(folder)
    target = folder / name
    if target.exists():
        # prepare_cover is deterministic, so equal bytes mean the same cover.
        jpeg = prepare_cover(data, max_px=max_px)
        same = target.stat().st_size == len(jpeg) and target.read_bytes() == jpeg
        return CoverResult(target, "already_present" if same else "kept_existing")
    jpeg = prepare_cover(data, max_px=max_px)
    temp = folder / temp_name(name)
    made_temp = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with temp.open("xb") as fh:
            made_temp = True
            fh.write(jpeg)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            link_no_replace(temp, target)
        except FileExistsError:
            # Another worker wrote it between our check and now.
            same = files_identical(temp, target)
            return CoverResult(target, "already_present" if same else "kept_existing")
        return CoverResult(target, "written")
    except OSError as exc:
        raise CoverError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if made_temp:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
