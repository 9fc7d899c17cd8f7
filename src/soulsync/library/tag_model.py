"""The tag data model: :class:`TagSet`, :class:`Picture`, :class:`TagError` and helpers.

Shared by :mod:`soulsync.library.tags` (the public API) and
:mod:`soulsync.library.tag_formats` (per-container mapping). No I/O here
except reading an image header with Pillow.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "FRONT_COVER",
    "ID3V23_SEPARATOR",
    "ID_KEY",
    "Picture",
    "TagError",
    "TagSet",
    "effective",
    "image_size",
    "join_display",
    "pair",
    "split_pair",
    "to_int",
]

ID3V23_SEPARATOR = "; "
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
ID_KEY = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_ID$")
ITUNES = "----:com.apple.iTunes:"
# FLAC metadata blocks carry a 24-bit length, so bigger pictures cannot be stored.
FLAC_BLOCK_LIMIT = (1 << 24) - 1
FRONT_COVER = 3


class TagError(Exception):
    """The file could not be tagged or read: not audio, broken, or unsupported."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True, slots=True)
class Picture:
    """An embedded front cover. ``mime`` is image/jpeg or image/png."""

    data: bytes = field(repr=False)
    mime: str = "image/jpeg"

    @staticmethod
    def from_bytes(data: bytes) -> Picture:
        """Wrap image bytes, detecting JPEG or PNG from their magic bytes.

        Raises:
            TagError: the bytes are neither JPEG nor PNG (the only formats all
                four containers accept).
        """
        mime = image_mime(data)
        if mime is None:
            raise TagError("cover image is neither JPEG nor PNG")
        return Picture(data=data, mime=mime)


@dataclass(frozen=True, slots=True)
class TagSet:
    """Every tag SoulSync writes. Empty/None fields are simply not written.

    ``artist`` is the display string (e.g. "A feat. B"); ``artists`` the
    individual names for the multi-value ARTISTS tag. For remixes the caller
    applies its policy (remixer as artist, original artist as a contributing
    member of ``artists``) and may also fill ``remixers``/``original_artist``;
    they are written as given.
    """

    title: str | None = None
    artist: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    date: str | None = None
    isrc: str | None = None
    genres: tuple[str, ...] = ()
    compilation: bool = False
    remixers: tuple[str, ...] = ()
    original_artist: str | None = None
    ids: dict[str, str] = field(default_factory=dict, hash=False)
    source_url: str | None = None
    cover: Picture | None = None


def effective(tags: TagSet, *, id3v23: bool = False) -> TagSet:
    """The tag set as it will be stored (display artist filled in, empties dropped).

    Numbers <= 0 count as unknown, a total without its number is dropped (no
    container can store "?/12"), and a date that is not ISO ``YYYY[-MM[-DD]]``
    is cut to its year (ID3 would mangle it otherwise). ID3v2.3 stores a
    year and a day-month pair (TYER/TDAT), so a year-month date keeps its year.
    """
    artist = tags.artist or join_display(tags.artists) or None
    track = tags.track_number if tags.track_number and tags.track_number > 0 else None
    disc = tags.disc_number if tags.disc_number and tags.disc_number > 0 else None
    return replace(
        tags,
        track_number=track,
        track_total=(tags.track_total or None) if track and (tags.track_total or 0) > 0 else None,
        disc_number=disc,
        disc_total=(tags.disc_total or None) if disc and (tags.disc_total or 0) > 0 else None,
        date=_clean_date(tags.date, id3v23=id3v23),
        artist=artist,
        artists=tuple(a for a in tags.artists if a),
        genres=tuple(g for g in tags.genres if g),
        remixers=tuple(r for r in tags.remixers if r),
        title=tags.title or None,
        album=tags.album or None,
        album_artist=tags.album_artist or None,
        isrc=tags.isrc or None,
        original_artist=tags.original_artist or None,
        source_url=tags.source_url or None,
        ids={k: v for k, v in tags.ids.items() if v},
    )


def _clean_date(date: str | None, *, id3v23: bool = False) -> str | None:
    text = (date or "").strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        return text[:4] if id3v23 and len(text) == 7 else text
    return text[:4] if text[:4].isdigit() else None


def join_display(names: Iterable[str]) -> str:
    items = [n for n in names if n]
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + " & " + items[-1]


def image_mime(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    # Pillow reads just the header here; dimensions are informative only.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(img.width), int(img.height)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise TagError(f"cover image is unreadable ({exc})") from exc


def pair(number: int | None, total: int | None) -> str | None:
    if not number:
        return None
    return f"{number}/{total}" if total else str(number)


def split_pair(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    head, _, tail = str(value).partition("/")
    return to_int(head), to_int(tail)


def to_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number or None
