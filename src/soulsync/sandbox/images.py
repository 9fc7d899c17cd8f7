"""Deterministic JPEG pictures for the sandbox: album covers and artist photos.

Both the Spotify and the Deezer simulators point their image URLs here, so a
client that downloads cover art (tagging, the web UI) gets a real JPEG whose
pixels depend only on the entity key: the same album always has the same cover
on both services, and two albums never look alike.
"""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

KINDS = ("album", "artist", "playlist")
SIZES = (56, 160, 250, 300, 500, 640, 1000)
DEFAULT_SIZE = 640


def _palette(key: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(key.encode()).digest()
    return (digest[0], digest[1], digest[2]), (digest[3], digest[4], digest[5])


@functools.lru_cache(maxsize=256)
def render_image(kind: str, key: str, size: int = DEFAULT_SIZE) -> bytes:
    """A square JPEG for ``kind``/``key`` at ``size`` pixels (same input, same bytes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown image kind {kind!r}")
    if size not in SIZES:
        raise ValueError(f"unsupported image size {size}")
    background, accent = _palette(f"{kind}/{key}")
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    if kind == "artist":
        # A "portrait": a disc for the head over a wide shoulder arc.
        r = size // 5
        cx, cy = size // 2, size * 2 // 5
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=accent)
        draw.pieslice(
            (size // 6, size * 3 // 5, size * 5 // 6, size * 3 // 2), 180, 360, fill=accent
        )
    else:
        # Stripes whose count and angle vary with the key.
        stripes = 3 + hashlib.sha256(key.encode()).digest()[6] % 5
        step = size // (stripes * 2)
        for i in range(stripes):
            x0 = i * 2 * step
            draw.rectangle((x0, 0, x0 + step, size), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def image_url(base_url: str, kind: str, key: str, size: int = DEFAULT_SIZE) -> str:
    """The absolute URL of a sandbox picture served by :func:`image_route`."""
    return f"{base_url}/images/{kind}/{key_token(key)}/{size}.jpg"


def key_token(key: str) -> str:
    """A URL-safe stand-in for a catalogue key (keys contain '/' and non-ASCII)."""
    return key.encode().hex()


async def _serve(request: Request) -> Response:
    kind = request.path_params["kind"]
    token = request.path_params["token"]
    try:
        size = int(request.path_params["size"])
        key = bytes.fromhex(token).decode()
        body = render_image(kind, key, size)
    except ValueError:
        return Response("no such image", status_code=404, media_type="text/plain")
    return Response(
        body, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=31536000"}
    )


def image_route() -> Route:
    """A Starlette route serving ``/images/{kind}/{token}/{size}.jpg``."""
    return Route("/images/{kind}/{token}/{size}.jpg", _serve, methods=["GET"])
