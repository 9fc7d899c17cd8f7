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
from mutagen.apev2 import APEv2
from mutagen.asf import ASFTags
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

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

# Where each field lives in each tag flavour (first key found wins). Vorbis and
# APE keys are matched case-insensitively by mutagen.
_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "id3": {
        "title": ("TIT2",),
        "artist": ("TPE1",),
        "album": ("TALB",),
        "albumartist": ("TPE2", "TXXX:ALBUMARTIST", "TXXX:ALBUM ARTIST"),
        "tracknumber": ("TRCK",),
        "discnumber": ("TPOS",),
        "date": ("TDRC", "TYER", "TDOR"),
        "isrc": ("TSRC", "TXXX:ISRC"),
    },
    "mp4": {
        "title": ("\xa9nam",),
        "artist": ("\xa9ART",),
        "album": ("\xa9alb",),
        "albumartist": ("aART",),
        "tracknumber": ("trkn",),
        "discnumber": ("disk",),
        "date": ("\xa9day",),
        "isrc": ("----:com.apple.iTunes:ISRC",),
    },
    "vorbis": {
        "title": ("title",),
        "artist": ("artist",),
        "album": ("album",),
        "albumartist": ("albumartist", "album_artist", "album artist"),
        "tracknumber": ("tracknumber",),
        "discnumber": ("discnumber",),
        "date": ("date", "originaldate", "year"),
        "isrc": ("isrc",),
    },
    "ape": {
        "title": ("Title",),
        "artist": ("Artist",),
        "album": ("Album",),
        "albumartist": ("Album Artist", "AlbumArtist"),
        "tracknumber": ("Track",),
        "discnumber": ("Disc",),
        "date": ("Year", "Date"),
        "isrc": ("ISRC",),
    },
    "asf": {
        "title": ("Title",),
        "artist": ("Author",),
        "album": ("WM/AlbumTitle",),
        "albumartist": ("WM/AlbumArtist",),
        "tracknumber": ("WM/TrackNumber",),
        "discnumber": ("WM/PartOfSet",),
        "date": ("WM/Year",),
        "isrc": ("WM/ISRC",),
    },
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
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, struct.error, ValueError, EOFError, IndexError) as exc:
        raise UnreadableFile(path, _reason(exc)) from exc
    if audio is None:
        raise UnreadableFile(path, "not a recognised audio file")
    info = getattr(audio, "info", None)
    length = getattr(info, "length", None)
    duration_ms = round(float(length) * 1000) if length else None
    bitrate = getattr(info, "bitrate", None)
    tags = _Tags(audio.tags)
    track, _ = _number_pair(tags.first("tracknumber"))
    disc, _ = _number_pair(tags.first("discnumber"))
    return FileTags(
        title=tags.first("title"),
        artist=_joined(tags.all("artist")),
        album=tags.first("album"),
        album_artist=tags.first("albumartist"),
        track_number=track,
        disc_number=disc,
        year=_year(tags.first("date")),
        isrc=tags.first("isrc"),
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


class _Tags:
    """Uniform access to ID3, MP4, Vorbis, APE and ASF tags (values as strings)."""

    def __init__(self, tags: Any) -> None:
        self.tags = tags
        if tags is None:
            self.flavour = "none"
        elif isinstance(tags, ID3):
            self.flavour = "id3"
        elif isinstance(tags, MP4Tags):
            self.flavour = "mp4"
        elif isinstance(tags, APEv2):
            self.flavour = "ape"
        elif isinstance(tags, ASFTags):
            self.flavour = "asf"
        else:
            self.flavour = "vorbis"

    def all(self, field: str) -> list[str]:
        """Every non-empty value of ``field`` from the first key that has one."""
        for key in _FIELDS.get(self.flavour, {}).get(field, ()):
            values = [v for v in self._values(key) if v]
            if values:
                return values
        return []

    def first(self, field: str) -> str | None:
        """The first value of ``field``, stripped, or None."""
        values = self.all(field)
        return values[0] if values else None

    def _values(self, key: str) -> list[str]:
        try:
            raw = self.tags.get(key)
        except (KeyError, ValueError, TypeError):
            return []
        if raw is None:
            return []
        if self.flavour == "id3":
            raw = getattr(raw, "text", [])
        elif self.flavour == "ape":
            raw = list(raw) if hasattr(raw, "__iter__") and not isinstance(raw, str) else [raw]
        if isinstance(raw, (str, bytes)) or not isinstance(raw, list):
            raw = [raw]
        return [_as_text(v).strip() for v in raw]


def _as_text(value: Any) -> str:
    if isinstance(value, tuple):  # MP4 track/disc pairs: (3, 10)
        padded = [*value, 0, 0]
        number, total = padded[0], padded[1]
        return f"{number}/{total}" if total else str(number)
    if isinstance(value, bytes):  # MP4 freeform atoms
        return value.decode("utf-8", "replace")
    if hasattr(value, "value"):  # ASF attributes
        return str(value.value)
    return str(value)


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
