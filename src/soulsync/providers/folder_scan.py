"""Reading one audio file's tags and duration with mutagen, and finding audio files.

This is the low-level half of the folder library: :func:`read_audio_file`
turns a path into :class:`FileTags` or raises :class:`UnreadableFile` with a
one-line reason; :func:`iter_audio_files` walks a folder. Blocking I/O; async
callers run these in a worker thread. The Plex simulator's scanner uses the
same reader, as a real Plex reads the same tags.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import ID3

# What the folder library (and the Plex simulator) treats as music.
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".flac",
        ".mp3",
        ".m4a",
        ".mp4",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".wav",
        ".aif",
        ".aiff",
        ".wma",
        ".wv",
        ".ape",
    }
)

# Raw ID3 frames for containers that mutagen opens without an "easy" mapping (WAV, AIFF).
_ID3_FRAMES: dict[str, str] = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "albumartist": "TPE2",
    "tracknumber": "TRCK",
    "discnumber": "TPOS",
    "date": "TDRC",
    "isrc": "TSRC",
}


class UnreadableFile(Exception):
    """A file that looks like audio could not be read; ``reason`` says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FileTags:
    """What the library needs to know about one audio file."""

    title: str | None
    artist: str | None  # the ARTIST tag as a display string
    album: str | None
    album_artist: str | None
    track_number: int | None
    disc_number: int | None
    year: int | None
    isrc: str | None
    duration_ms: int | None
    container: str  # lower-case extension without the dot ("flac")
    bitrate_kbps: int | None = None


def is_audio_path(path: Path) -> bool:
    """True if the file name has an audio extension (case-insensitive)."""
    return path.suffix.lower() in AUDIO_EXTENSIONS


def iter_audio_files(root: Path, *, skip_dirs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Every audio file under ``root``, depth first, in a stable (sorted) order.

    Hidden files and folders (leading dot) are skipped, as are ``skip_dirs``.
    Symlinked folders are not followed, so a scan never leaves ``root``.
    """
    skipped = {p.resolve() for p in skip_dirs}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in skipped
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if is_audio_path(path):
                yield path


def read_audio_file(path: Path) -> FileTags:
    """Tags and duration of ``path``.

    Raises:
        UnreadableFile: the file cannot be opened, is not a recognised audio
            format, or its header is broken.
    """
    try:
        audio = mutagen.File(path, easy=True)
    except (mutagen.MutagenError, OSError, struct.error, ValueError, EOFError, IndexError) as exc:
        raise UnreadableFile(path, _reason(exc)) from exc
    if audio is None:
        raise UnreadableFile(path, "not a recognised audio file")
    info = getattr(audio, "info", None)
    length = getattr(info, "length", None)
    duration_ms = round(float(length) * 1000) if length else None
    bitrate = getattr(info, "bitrate", None)
    tags = audio.tags
    track, _ = _number_pair(_first(tags, "tracknumber"))
    disc, _ = _number_pair(_first(tags, "discnumber"))
    return FileTags(
        title=_first(tags, "title"),
        artist=_joined(_all(tags, "artist")),
        album=_first(tags, "album"),
        album_artist=_first(tags, "albumartist"),
        track_number=track,
        disc_number=disc,
        year=_year(_first(tags, "date") or _first(tags, "originaldate")),
        isrc=(_first(tags, "isrc") or None),
        duration_ms=duration_ms,
        container=path.suffix.lower().lstrip("."),
        bitrate_kbps=round(bitrate / 1000) if bitrate else None,
    )


# -- helpers -----------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file vanished during the scan"
    text = str(exc).strip() or type(exc).__name__
    return f"broken or unsupported file ({text})"


def _all(tags: Any, key: str) -> list[str]:
    """Every value of a tag, whatever flavour of mutagen tag object ``tags`` is."""
    if tags is None:
        return []
    if isinstance(tags, ID3):
        frame = tags.get(_ID3_FRAMES.get(key, ""))
        return [str(v) for v in frame.text] if frame is not None else []
    try:
        values = tags.get(key)
    except (KeyError, ValueError):
        return []
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values if str(v).strip()]


def _first(tags: Any, key: str) -> str | None:
    values = _all(tags, key)
    return values[0].strip() if values and values[0].strip() else None


def _joined(values: list[str]) -> str | None:
    """Several ARTIST values as one display string, "A, B & C" (the domain's convention)."""
    names = [v.strip() for v in values if v.strip()]
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " & " + names[-1]


def _number_pair(value: str | None) -> tuple[int | None, int | None]:
    """ "3/12" → (3, 12); "3" → (3, None); junk → (None, None)."""
    if not value:
        return None, None
    head, _, tail = value.partition("/")
    return _int(head), _int(tail)


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def _year(value: str | None) -> int | None:
    if value and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None
