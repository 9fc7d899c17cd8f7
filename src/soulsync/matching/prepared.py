"""Prepared sides: a track, library track or Soulseek file reduced to comparison keys.

Preparing parses titles and paths once (title anatomy, file-name readings,
album keys, version context from folder names) so that comparing one wanted
track with thousands of candidates only compares keys. Preparations are
cached: a Soulseek path is cached without its share root and length, so
the same relative path shared by many peers is parsed once.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.anatomy import (
    TitleAnatomy,
    VersionKind,
    VersionTag,
    album_context,
    parse_title,
    versions_in_text,
    weak_album_context,
)
from soulsync.matching.credits import is_various, split_credit
from soulsync.matching.filename import (
    folder_facts,
    is_generic_folder,
    split_extension,
    split_remote_path,
    stem_facts,
)
from soulsync.matching.normalize import ascii_key, number_tokens

__all__ = [
    "Candidate",
    "Prepared",
    "PreparedTitle",
    "canonical_path",
    "collector_paused",
    "prepare",
    "prepare_path",
    "with_release_kinds",
]

Candidate = Track | LibraryTrack | SoulseekFile


@dataclass(frozen=True, slots=True, eq=False)
class PreparedTitle:
    """One reading of a title with its comparison keys precomputed."""

    anatomy: TitleAnatomy
    base_forms: tuple[str, ...]
    full_forms: tuple[str, ...]
    numbers: tuple[str, ...]
    artist: str | None = None  # artist named by this reading (file names)
    how: str = ""
    last_segment: str = ""  # "Lacrimosa" of "Requiem in D Minor, K. 626: ...: Lacrimosa"
    has_colon: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Prepared:
    """A wanted track or a candidate reduced to what comparison needs.

    Compared and hashed by identity: instances come from caches and are
    used as cache keys, where hashing every field would cost more than
    the comparison itself.
    """

    titles: tuple[PreparedTitle, ...]
    artists: tuple[str, ...]
    album: str | None = None
    album_key: str = ""
    duration_ms: int | None = None
    isrc: str | None = None
    explicit: bool | None = None
    year: int | None = None  # the wanted release's year, when the source says
    path_key: str = ""  # whole remote path (Soulseek) for whole-word evidence
    context: frozenset[VersionKind] = field(default_factory=frozenset)
    # The part of ``context`` that is only a guess from a name starting with
    # "Live" (see anatomy.weak_album_context).
    weak_context: frozenset[VersionKind] = field(default_factory=frozenset)
    context_folders: tuple[str, ...] = ()  # the folder names ``context`` was read from
    release_note: str = ""  # where release-type context came from ("MusicBrainz: Live")
    folder_artist: str | None = None
    # Soulseek: descriptors found anywhere in the file name, whichever reading
    # is used for the title ("Song - Chromatics Remix" read as title "Song").
    file_versions: TitleAnatomy | None = None
    folder_keys: frozenset[str] = field(default_factory=frozenset)
    # A file's length-specific copy points at its length-free original, whose
    # comparison is cached and shared by every file with that path.
    root: Prepared | None = None


@lru_cache(maxsize=32768)
def _prepared_title(title: str, artist: str | None = None, how: str = "") -> PreparedTitle:
    anatomy = parse_title(title)
    base_forms = anatomy.base_forms
    numbers = number_tokens(base_forms[0]) if base_forms else ()
    # Movement numerals ("II. Andante") count as numbers too, so the first
    # and second movement of one symphony do not match each other.
    movements = tuple(f"m{_ROMAN[m]}" for m in _MOVEMENT_RE.findall(anatomy.base) if m in _ROMAN)
    segments = [s for s in _SEGMENT_RE.split(anatomy.base) if s.strip()]
    last = ascii_key(_MOVEMENT_PREFIX_RE.sub("", segments[-1])) if len(segments) > 1 else ""
    return PreparedTitle(
        anatomy=anatomy,
        base_forms=base_forms,
        full_forms=anatomy.full_forms,
        numbers=tuple(sorted((*numbers, *movements))),
        artist=artist,
        how=how,
        last_segment=last,
        has_colon=":" in anatomy.base,
    )


_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
}
_MOVEMENT_RE = re.compile(r"(?:^|[\s:])([IVX]{1,4})\.\s+(?=[A-Z])")
_MOVEMENT_PREFIX_RE = re.compile(r"^\s*[IVX]{1,4}\.\s+")
_SEGMENT_RE = re.compile(r":\s+|\s+[-–]\s+")


_DATED_STEM_RE = re.compile(r"[(\[]((?:19|20)\d{2})[)\]][^\\]*$")
# Cheap test before the full descriptor scan of a whole file name.
_PROCESSED_HINT_RE = re.compile(
    r"nightcore|daycore|8 ?d|boost|\d{3} ?hz|slowed|sped|speed|reverb|faster|chopped|screwed",
    re.IGNORECASE,
)
_PROCESSED_HINT_WORDS = (
    "nightcore", "daycore", "8", "boost", "hz", "slowed", "sped", "speed", "reverb", "faster",
    "chopped", "screwed",
)  # fmt: skip


def _may_be_processed(basename: str) -> bool:
    """:data:`_PROCESSED_HINT_RE` with a substring test first (most names have none of its words).

    Only for ASCII names: case-insensitive regex matching also folds a few
    non-ASCII letters ("ſ" matches "s") that ``str.lower`` keeps.
    """
    if basename.isascii():
        lowered = basename.lower()
        if not any(word in lowered for word in _PROCESSED_HINT_WORDS):
            return False
    return _PROCESSED_HINT_RE.search(basename) is not None


_PROCESSED_KINDS = frozenset({VersionKind.SPED_UP, VersionKind.SLOWED, VersionKind.PROCESSED})

_ALBUM_NOISE_RE = re.compile(
    r"\b(?:original )?(?:motion picture |broadway |cast )?(?:soundtrack|ost|score|cast recording)\b"
    r"|\b(?:super )?(?:deluxe|expanded|remastered|special|collectors|legacy|anniversary|bonus track)"
    r"(?: edition| version)?\b|\b\d+(?:th)? anniversary\b"
)


def _album_key(album: str | None) -> str:
    """Album comparison key without edition and soundtrack words."""
    if not album:
        return ""
    key = ascii_key(parse_title(album).base)
    stripped = " ".join(_ALBUM_NOISE_RE.sub(" ", key).split())
    return stripped or key


def prepare(item: Candidate) -> Prepared:
    """Reduce a Track, LibraryTrack or SoulseekFile to comparison keys."""
    if isinstance(item, SoulseekFile):
        return _prepare_file(item.filename, item.length)
    if isinstance(item, LibraryTrack):
        return _prepare_library(item.title, item.artist, item.album, item.duration_ms, item.isrc)
    year = _year_of(item.release_date)
    return _prepare_track(
        item.title,
        tuple(item.artists),
        item.album,
        item.duration_ms,
        item.isrc,
        item.explicit,
        year,
    )


def _year_of(release_date: str | None) -> int | None:
    """The year of a "YYYY", "YYYY-MM" or "YYYY-MM-DD" release date."""
    if release_date and len(release_date) >= 4 and release_date[:4].isdigit():
        return int(release_date[:4])
    return None


@lru_cache(maxsize=16384)
def _prepare_track(
    title: str,
    artists: tuple[str, ...],
    album: str | None,
    duration_ms: int | None,
    isrc: str | None,
    explicit: bool | None,
    year: int | None = None,
) -> Prepared:
    pt = _prepared_title(title)
    names = list(artists)
    names.extend(n for f in pt.anatomy.featured for n in split_credit(f) if n not in names)
    return Prepared(
        titles=(pt,),
        artists=tuple(names),
        album=album,
        album_key=_album_key(album),
        duration_ms=duration_ms,
        isrc=(isrc or "").strip().upper() or None,
        explicit=explicit,
        year=year,
        context=album_context(album) if album else frozenset(),
        weak_context=weak_album_context(album) if album else frozenset(),
    )


@lru_cache(maxsize=16384)
def _prepare_library(
    title: str, artist: str, album: str | None, duration_ms: int | None, isrc: str | None
) -> Prepared:
    pt = _prepared_title(title)
    names = [artist] if artist else []
    names.extend(f for f in pt.anatomy.featured)
    titles = [pt]
    if artist and is_various(artist):
        # Compilations ripped with "Various Artists" as the track artist
        # often carry the real credit in the title: "Kenny Loggins - Footloose".
        left, sep, right = title.partition(" - ")
        if sep and left.strip() and right.strip():
            titles.append(_prepared_title(right.strip(), left.strip(), "artist - title"))
    return Prepared(
        titles=tuple(titles),
        artists=tuple(names),
        album=album,
        album_key=_album_key(album),
        duration_ms=duration_ms,
        isrc=(isrc or "").strip().upper() or None,
        context=album_context(album) if album else frozenset(),
        weak_context=weak_album_context(album) if album else frozenset(),
    )


def canonical_path(filename: str) -> str:
    r"""The parts of a remote path that mean something, backslash-joined.

    The share root, drive letters and generic folders ("Music", "mp3",
    "Downloads\complete") differ from peer to peer and say nothing about the
    file, so ``@@a\Music\Daft Punk\Discovery\03.flac`` and
    ``@@b\mp3\Daft Punk\Discovery\03.flac`` prepare (and cache) as one.
    """
    folders, stem, ext = _path_parts(filename)
    return "\\".join((*folders, f"{stem}.{ext}" if ext else stem))


def _path_parts(filename: str) -> tuple[tuple[str, ...], str, str]:
    """(meaningful folders, file stem, extension) of a remote path.

    Split at the last separator so the folder part, shared by a folder's
    files and by peers with the same layout, is parsed once.
    """
    if filename.startswith("@@"):
        # The share root ("@@user") differs per peer and is always dropped:
        # cache on what follows, which many peers share.
        cut = filename.find("\\")
        if cut > 0:
            filename = filename[cut + 1 :]
    cut = max(filename.rfind("\\"), filename.rfind("/"))
    basename = filename[cut + 1 :].strip()
    if not basename:  # a trailing separator: the name is an earlier part
        folders, basename = split_remote_path(filename)
        stem, ext = split_extension(basename)
        return _meaningful(tuple(folders)), stem, ext
    stem, ext = split_extension(basename)
    return (_folders_of(filename[:cut]) if cut > 0 else ()), stem, ext


@lru_cache(maxsize=16384)
def _folders_of(directory: str) -> tuple[str, ...]:
    """The meaningful folders of a remote directory (share root, drive and generic ones dropped)."""
    # A file name appended so the split treats every part as a folder.
    folders, _name = split_remote_path(directory + "\\x")
    return _meaningful(tuple(folders))


def _meaningful(folders: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in folders if not is_generic_folder(f))


def prepare_path(filename: str) -> Prepared:
    """A Soulseek remote path prepared without a length.

    Cached on the meaningful folders and the file stem: the same song shared
    by many peers as FLAC, MP3 and M4A, under different share roots, is
    prepared (and scored) once. The format is a preference, not evidence.
    """
    folders, stem, _ext = _path_parts(filename)
    return _prepare_path(folders, stem)


def _prepare_file(filename: str, length: int | None) -> Prepared:
    base = prepare_path(filename)
    duration = length * 1000 if length is not None else None
    if duration is None:
        return base
    return _with_duration(base, duration)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one ranking or playlist check.

    Ranking a search (or checking a playlist) allocates tens of thousands of short-lived objects;
    in an app that also holds a large library index, each automatic full
    collection rescans that whole index (about a quarter of a first search's
    time with 200k tracks in memory). Nothing ranked here forms reference
    cycles that need collecting before the call returns, and the collector
    is switched back on (if it was on) even when ranking fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def with_release_kinds(base: Prepared, kinds: frozenset[VersionKind], note: str) -> Prepared:
    """``base`` with version kinds a metadata source knows its release has."""
    if not kinds or kinds <= base.context:
        return base
    return replace(base, context=base.context | kinds, release_note=note)


def _with_duration(base: Prepared, duration_ms: int) -> Prepared:
    return replace(base, duration_ms=duration_ms, root=base)


@dataclass(frozen=True, slots=True, eq=False)
class _FolderPart:
    """What a path's folders say; shared by every file of the folder."""

    artist: str | None
    album: str | None
    album_key: str
    key: str  # ASCII key of the folder names, for whole-word evidence
    context: frozenset[VersionKind]
    weak_context: frozenset[VersionKind]
    context_folders: tuple[str, ...]
    folder_keys: frozenset[str]


@lru_cache(maxsize=4096)
def _folder_part(folders: tuple[str, ...]) -> _FolderPart:
    artist, album, _year, _disc = folder_facts(folders)
    context: set[VersionKind] = set()
    strong: set[VersionKind] = set()
    for folder in folders[-3:]:
        kinds = album_context(folder)
        context |= kinds
        strong |= kinds - weak_album_context(folder)
    return _FolderPart(
        artist=artist,
        album=album,
        album_key=_album_key(album),
        key=ascii_key(" ".join(folders)),
        context=frozenset(context),
        weak_context=frozenset(context - strong),
        context_folders=folders[-3:],
        folder_keys=frozenset(ascii_key(f) for f in folders),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _StemPart:
    """What a file name (without extension) says, read with its folder's artist."""

    titles: tuple[PreparedTitle, ...]
    file_versions: TitleAnatomy
    key: str  # ASCII key of the stem, for whole-word evidence


@lru_cache(maxsize=16384)
def _stem_part(stem: str, folder_artist: str | None) -> _StemPart:
    _track, _disc, readings = stem_facts(stem, folder_artist)
    titles = tuple(_prepared_title(r.title, r.artist, r.how) for r in readings)
    tags: list[VersionTag] = []
    for pt in titles:
        for tag in pt.anatomy.versions:
            if all(t.kind is not tag.kind for t in tags):
                tags.append(tag)
    # A bare year in brackets is upload noise to the file-name parser, but
    # it may date a re-recording ("Pour Some Sugar On Me (2012)").
    dated = _DATED_STEM_RE.search(stem) if "(" in stem or "[" in stem else None
    if dated and all(t.kind is not VersionKind.DATED for t in tags):
        tags.append(VersionTag(VersionKind.DATED, dated.group(1)))
    # Processed uploads are often named by the uploader's channel rather
    # than in brackets ("Nightcore - Song.mp3", "Song 8D Audio.mp3"): these
    # phrases are never part of a real title, so the whole name counts.
    if _may_be_processed(stem):
        for tag in versions_in_text(ascii_key(stem)):
            if tag.kind in _PROCESSED_KINDS and all(t.kind is not tag.kind for t in tags):
                tags.append(tag)
    featured: list[str] = []
    for pt in titles:
        featured.extend(f for f in pt.anatomy.featured if f not in featured)
    file_versions = TitleAnatomy(
        original=stem,
        base=readings[0].title if readings else stem,
        versions=tuple(tags),
        featured=tuple(featured),
    )
    return _StemPart(titles=titles, file_versions=file_versions, key=ascii_key(stem))


@lru_cache(maxsize=8192)
def _prepare_path(folders: tuple[str, ...], stem: str) -> Prepared:
    folder = _folder_part(folders)
    name = _stem_part(stem, folder.artist)
    return Prepared(
        titles=name.titles,
        artists=(folder.artist,) if folder.artist else (),
        album=folder.album,
        album_key=folder.album_key,
        path_key=f"{folder.key} {name.key}" if folder.key and name.key else folder.key or name.key,
        context=folder.context,
        weak_context=folder.weak_context,
        context_folders=folder.context_folders,
        folder_artist=folder.artist,
        file_versions=name.file_versions,
        folder_keys=folder.folder_keys,
    )
