"""Real test media for the library unit tests (imported by conftest and tests)."""

from __future__ import annotations

import io

from PIL import Image

# One audio file per format, made once per session and copied per test.
FORMATS = ("flac", "mp3", "aac", "alac", "ogg", "opus")


def jpeg_bytes(
    size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A real JPEG image."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    """A real PNG image (RGBA when asked, half transparent)."""
    out = io.BytesIO()
    colour = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()
