r"""Soulseek filename anatomy: what a remote path says about the file.

A peer's path such as ``@@user\Music\Daft Punk\2001 - Discovery [FLAC]\03.
Digital Love.flac`` encodes artist, album, year, disc, track number and title
in folder names and file-name patterns that vary from peer to peer:
``NN - Artist - Title``, ``Artist - NN - Title``, ``NN. Title``, ``CD1\``,
scene names with underscores (``03-daft_punk-digital_love-ftd.mp3``), bitrate
tags (``[320]``) and upload noise (``(Official Audio)``).

Because many patterns are ambiguous ("99 Problems" starts with a number,
"Title - Artist" looks like "Artist - Title"), :func:`parse_path` returns
every plausible :class:`Reading` of the file name; the scorer keeps the one
that fits the wanted track best and says which it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from soulsync.matching.normalize import ascii_key

__all__ = [
    "PathAnatomy",
    "Reading",
    "extension_of",
    "folder_facts",
    "is_generic_folder",
    "parse_path",
    "split_extension",
    "split_remote_path",
    "stem_facts",
]

AUDIO_EXTENSIONS = frozenset(
    {
        "flac",
        "mp3",
        "m4a",
        "aac",
        "ogg",
        "opus",
        "wav",
        "aif",
        "aiff",
        "alac",
        "ape",
        "wv",
        "wma",
        "mp4",
        "dsf",
    }
)

# Folders that say nothing about the music.
_GENERIC_FOLDERS = frozenset(
    {
        "music", "musik", "musique", "musica", "mp3", "mp3s", "flac", "audio", "shared", "share",
        "downloads", "download", "complete", "completed", "soulseek", "soulseek downloads",
        "slsk", "my music", "albums", "singles", "lossless", "lossy", "media", "library",
        "itunes", "itunes media", "users", "public", "files", "new", "incoming", "sorted",
        "artists", "various", "collection", "my collection", "data", "home", "mnt", "volume1",
        "hi res", "hires", "24bit", "16bit", "vinyl rips", "cd rips", "rips", "torrents",
    }
)  # fmt: skip
_DISC_RE = re.compile(r"^(?:cd|disc|disk|dvd|side|vinyl)\s*[-_.]?\s*(\d{1,2})\b.*$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_BRACKET_RE = re.compile(r"[\[({]([^\])}]*)[\])}]")
# A bracket is upload noise only when *every* word in it is noise, so
# "(Live at Glastonbury 1997)" or "(Remastered 2011)" survive for anatomy.
_NOISE_WORDS = frozenset(
    {
        "flac", "mp3", "m4a", "aac", "ogg", "opus", "wav", "alac", "kbps", "kbit", "k", "vbr", "cbr",
        "v0", "v2", "320", "256", "192", "160", "128", "bit", "24bit", "16bit", "khz", "hz",
        "web", "cd", "cdq", "cdm", "cds", "vinyl", "lp", "ep", "lossless", "hi", "res", "hires", "rip",
        "webrip", "cdrip", "vinylrip", "official", "music", "audio", "video", "lyric", "lyrics",
        "hq", "hd", "4k", "1080p", "720p", "visualizer", "visualiser", "clip", "officiel",
        "deluxe", "edition", "expanded", "bonus", "track", "full", "album", "scene", "www",
    }
)  # fmt: skip
_NOISE_TOKEN_RE = re.compile(
    r"^(?:\d{2,4}k?|\d{2}(?:bit)?|\d{2,3}(?:\.\d)?khz|(?:19|20)\d{2}|\d{2,3} \d{2,3})$"
)


def _is_noise_bracket(content: str) -> bool:
    words = ascii_key(content).split()
    return bool(words) and all(w in _NOISE_WORDS or _NOISE_TOKEN_RE.match(w) for w in words)


_TRACKNO_PREFIX_RE = re.compile(
    r"^(?:(?P<disc>\d)[-.](?=\d{2}))?(?P<track>\d{1,3})(?:\s*[-._)\]]+\s*|\s+)(?P<rest>.+)$"
)
_SIDE_PREFIX_RE = re.compile(
    r"^(?P<side>[A-Da-d])(?P<track>\d{1,2})(?:\s*[-._)]+\s*|\s+)(?P<rest>.+)$"
)
_SPACED_DASH_RE = re.compile(r"\s+[-–—]\s+")
_PURE_NUMBER_RE = re.compile(r"^\d{1,3}$")
_WORD_DASH_WORD_RE = re.compile(r"\w-\w")
_SPACE_RE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Reading:
    """One interpretation of a file name: an artist (or None) and a title."""

    title: str
    artist: str | None = None
    how: str = ""


@dataclass(frozen=True, slots=True)
class PathAnatomy:
    """Everything recovered from one remote path."""

    path: str
    folders: tuple[str, ...]
    basename: str
    extension: str
    readings: tuple[Reading, ...]
    artist: str | None = None
    album: str | None = None
    year: int | None = None
    disc: int | None = None
    track: int | None = None

    @property
    def title(self) -> str:
        """The most likely title (first reading)."""
        return self.readings[0].title if self.readings else self.basename

    @property
    def path_key(self) -> str:
        """ASCII key of the whole path, for whole-word evidence checks."""
        return ascii_key(" ".join((*self.folders, self.basename)))


def is_generic_folder(folder: str) -> bool:
    """True for folders that say nothing about the music ("Music", "mp3", "Downloads")."""
    return ascii_key(folder) in _GENERIC_FOLDERS


def extension_of(path: str) -> str:
    """Lower-case extension of a remote path's file name ("flac"), or "".

    Not cached: paths are nearly all distinct (each peer's share root
    differs), and a few string searches cost less than hashing the path.
    """
    dot = path.rfind(".")
    if dot <= 0 or path[dot - 1] in "\\/":  # no dot, or a name that starts with one
        return ""
    ext = path[dot + 1 :]
    if len(ext) > 5 or " " in ext or "\\" in ext or "/" in ext:
        return ""  # too long to be one, or the dot was in a folder name
    return ext.lower()


def split_extension(basename: str) -> tuple[str, str]:
    """(stem, extension as written) of a file name; the extension is "" when there is none.

    Five characters at most and no space, so "Mr. Brightside" has no extension.
    """
    stem, dot, ext = basename.rpartition(".")
    if not dot or len(ext) > 5 or " " in ext:
        return basename, ""
    return stem, ext


def split_remote_path(path: str) -> tuple[list[str], str]:
    """Split a remote path on backslashes or slashes into (folders, basename).

    Drops the ``@@share`` root and drive letters, which carry no meaning.
    """
    # Splitting on each separator and dropping empty parts is the same as
    # splitting on runs of separators, without a regex (this runs per file).
    stripped = (p.strip() for p in path.replace("/", "\\").split("\\"))
    parts = [p for p in stripped if p]
    if not parts:
        return [], ""
    folders = parts[:-1]
    while folders and (folders[0].startswith("@@") or _is_drive(folders[0])):
        folders.pop(0)
    return folders, parts[-1]


def _is_drive(folder: str) -> bool:
    """True for a drive letter such as "D:"."""
    return len(folder) == 2 and folder[1] == ":" and folder[0].isascii() and folder[0].isalpha()


def _clean_stem(stem: str) -> str:
    """Remove bitrate/format/upload-noise brackets and scene underscores."""
    if "_" in stem and (" " not in stem or stem.count("_") > stem.count(" ")):
        stem = stem.replace("_", " ")
    stem = _BRACKET_RE.sub(lambda m: " " if _is_noise_bracket(m.group(1)) else m.group(0), stem)
    return " ".join(stem.split()).strip(" -.")


def _folder_meaning(folder: str) -> tuple[str | None, str | None, int | None]:
    """(artist, album, year) from an album folder name like "Artist - 2001 - Album [FLAC]"."""
    text = _clean_stem(folder)
    year_match = _YEAR_RE.search(folder)
    year = int(year_match.group(1)) if year_match else None
    parts = [p.strip() for p in _SPACED_DASH_RE.split(text) if p.strip()]
    if len(parts) == 1 and "_" in folder and "-" in text:
        # Scene release "Artist-Album-(WEB-)2001-GRP": what follows the year
        # is the source and the release group.
        parts = [p.strip() for p in text.split("-") if p.strip()]
        years = [i for i, p in enumerate(parts) if _YEAR_RE.fullmatch(p)]
        if years:
            parts = parts[: years[0]]
        parts = [
            p for p in parts if p.lower() not in {"web", "cd", "cdm", "vinyl", "flac", "mp3", "2cd"}
        ]
    parts = [p for p in parts if not _YEAR_RE.fullmatch(p.strip("()[] "))]
    # "(2001) Discovery" / "2001. Discovery" / "Discovery (2001)"
    parts = [
        re.sub(r"^[(\[]?(?:19|20)\d{2}[)\]]?[.\s-]*|\s*[(\[](?:19|20)\d{2}[)\]]$", "", p).strip()
        for p in parts
    ]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        return parts[0], " - ".join(parts[1:]), year
    if parts:
        return None, parts[0], year
    return None, None, year


def _readings(stem: str, folder_artist: str | None) -> list[Reading]:
    """All plausible (artist, title) readings of a cleaned file stem."""
    readings: list[Reading] = []
    parts = [p.strip() for p in _SPACED_DASH_RE.split(stem) if p.strip()]
    if len(parts) == 1 and " " not in stem and stem.count("-") >= 1:
        # Scene style "03-daft punk-digital love-ftd" after underscores became spaces
        # keeps unspaced dashes; "daft punk-digital love" too.
        parts = [p.strip() for p in stem.split("-") if p.strip()]
    elif (
        len(parts) == 1
        and _WORD_DASH_WORD_RE.search(stem)
        and _SPACE_RE.search(stem)
        and stem.count("-") >= 2
    ):
        parts = [p.strip() for p in stem.split("-") if p.strip()]
    # "Artist - 03 - Title": a bare number is a track number - except in the title's
    # place at the end ("Taylor Swift - 01 - 22", "Catfish and the Bottlemen - 7").
    last = len(parts) - 1
    parts = [p for i, p in enumerate(parts) if i == last or not _PURE_NUMBER_RE.fullmatch(p)]
    if not parts:
        return [Reading(stem, folder_artist, "whole name")]
    if len(parts) == 1:
        readings.append(Reading(parts[0], folder_artist, "title only"))
    else:
        readings.append(Reading(" - ".join(parts[1:]), parts[0], "artist - title"))
        if len(parts) >= 3:
            readings.append(Reading(parts[-1], parts[0], "artist - ... - title"))
            readings.append(Reading(parts[-2], parts[0], "artist - title - tag"))
            readings.append(Reading(" - ".join(parts[1:-1]), parts[0], "artist - title - group"))
        readings.append(Reading(parts[0], parts[-1], "title - artist"))
        # The whole stem as a title keeps "Song - Live" and "Song - 2011 Remaster".
        readings.append(Reading(" - ".join(parts), folder_artist, "whole name"))
    return readings


@lru_cache(maxsize=8192)
def folder_facts(
    folders: tuple[str, ...],
) -> tuple[str | None, str | None, int | None, int | None]:
    """(artist, album, year, disc) from the folder names; shared by a folder's files."""
    meaningful = [f for f in folders if not is_generic_folder(f)]
    disc: int | None = None
    disc_match = _DISC_RE.match(meaningful[-1]) if meaningful else None
    if disc_match:
        disc = int(disc_match.group(1))
        meaningful = meaningful[:-1]
    artist = album = None
    year = None
    if meaningful:
        f_artist, album, year = _folder_meaning(meaningful[-1])
        if f_artist:
            artist = f_artist
        elif len(meaningful) >= 2:
            artist = _clean_stem(meaningful[-2]) or None
    if album is not None and disc is None:
        trailing_disc = re.search(r"\b(?:cd|disc|disk)\s*(\d{1,2})\b", album, re.IGNORECASE)
        if trailing_disc:
            disc = int(trailing_disc.group(1))
    return artist, album, year, disc


@lru_cache(maxsize=16384)
def stem_facts(stem: str, artist: str | None) -> tuple[int | None, int | None, tuple[Reading, ...]]:
    """(track, disc, readings) from a file name stem; the same name recurs across peers."""
    cleaned = _clean_stem(stem)
    track: int | None = None
    disc: int | None = None
    body = cleaned
    readings: list[Reading] = []
    numbered = _TRACKNO_PREFIX_RE.match(cleaned)
    side = _SIDE_PREFIX_RE.match(cleaned) if not numbered else None
    if numbered:
        track = int(numbered.group("track"))
        if numbered.group("disc"):
            disc = int(numbered.group("disc"))
        body = numbered.group("rest").strip(" -.")
    elif side:
        track = int(side.group("track"))
        body = side.group("rest").strip(" -.")
    readings.extend(_readings(body, artist))
    if numbered:
        # "99 Problems", "1979", "7 Rings": the number may be part of the title.
        readings.extend(r for r in _readings(cleaned, artist) if r not in readings)
    return track, disc, tuple(readings)


@lru_cache(maxsize=8192)
def parse_path(path: str) -> PathAnatomy:
    r"""Parse a Soulseek remote path.

    >>> a = parse_path("@@u\\Music\\Daft Punk\\2001 - Discovery [FLAC]\\03. Digital Love.flac")
    >>> (a.artist, a.album, a.year, a.track, a.title)
    ('Daft Punk', 'Discovery', 2001, 3, 'Digital Love')
    """
    folders, basename = split_remote_path(path)
    stem, ext = split_extension(basename)
    ext = ext.lower()

    artist, album, year, disc = folder_facts(tuple(folders))
    track, stem_disc, readings = stem_facts(stem, artist)
    if disc is None:
        disc = stem_disc
    return PathAnatomy(
        path=path,
        folders=tuple(folders),
        basename=basename,
        extension=ext,
        readings=readings,
        artist=artist,
        album=album,
        year=year,
        disc=disc,
        track=track,
    )
