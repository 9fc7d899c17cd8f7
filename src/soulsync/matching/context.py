"""What the scorer consults besides field similarity: contexts, dates, special readings.

Issue 17's rules, kept out of ``score`` so each stays one job:

* :func:`effective_contexts`: album/folder version context with the guesses
  that do not hold removed (a wanted album only *named* like a live one; a
  band named like a version word);
* :func:`candidate_versions`: a file's descriptors without those that are
  the wanted title itself ("Tenacious D - Tribute");
* :func:`dated_check`: a bare year after a title, decided by the wanted
  release's year (or left to the duration);
* :func:`part_of_album`: "The Köln Concert, Part I" shared as "Part I";
* :func:`with_note`: where release-type context came from.
"""

from __future__ import annotations

import re
from functools import lru_cache

from soulsync.matching.anatomy import TitleAnatomy, VersionKind, VersionTag, album_context
from soulsync.matching.evidence import string_similarity
from soulsync.matching.normalize import ascii_key
from soulsync.matching.prepared import Prepared, PreparedTitle

__all__ = [
    "CAST_ALBUM_RE",
    "LENGTH_KINDS",
    "candidate_versions",
    "dated_check",
    "effective_contexts",
    "part_of_album",
    "with_note",
]


def part_of_album(
    want: Prepared, wt: PreparedTitle, reading: PreparedTitle
) -> tuple[float, str] | None:
    """ "The Köln Concert, Part I" as "Part I" inside the album's own folder."""
    key = wt.base_forms[0] if wt.base_forms else ""
    album = want.album_key
    if not album or not key.startswith(album + " ") or not reading.base_forms:
        return None
    rest = key[len(album) :].strip()
    sim = string_similarity(rest, reading.base_forms[0])
    if sim < 0.9:
        return None
    return 0.92, f"title is the album's {reading.anatomy.base!r}"


def candidate_versions(wt: PreparedTitle, cand: Prepared, reading: PreparedTitle) -> TitleAnatomy:
    """The candidate's version descriptors, without those that are the wanted title.

    "Tenacious D - Tribute.mp3" read as a whole name is "Tenacious D" with a
    "Tribute" (cover) suffix; when "Tribute" is the wanted title, that
    reading's descriptor is the title itself, not a version.
    """
    fv = cand.file_versions
    if fv is None:
        return reading.anatomy
    if not fv.versions or len(cand.titles) < 2 or not wt.base_forms:
        return fv
    want_key = wt.base_forms[0]
    spurious: set[VersionTag] = set()
    kept: set[VersionTag] = set()
    for pt in cand.titles:
        original = ascii_key(pt.anatomy.original)
        if (
            pt.anatomy.versions
            and original.endswith(want_key)
            and not any(want_key in f for f in pt.base_forms)
        ):
            spurious.update(pt.anatomy.versions)
        else:
            kept.update(pt.anatomy.versions)
    drop = spurious - kept
    if not drop:
        return fv
    return TitleAnatomy(
        original=fv.original,
        base=fv.base,
        versions=tuple(t for t in fv.versions if t not in drop),
        featured=fv.featured,
        extras=fv.extras,
    )


def with_note(reason: str, want: Prepared, cand: Prepared) -> str:
    """Say where release-type context came from: "... is live (MusicBrainz: Live)"."""
    if cand.release_note and reason.startswith("candidate folder is"):
        return f"{reason} ({cand.release_note})"
    if want.release_note and reason.startswith("wanted album is"):
        return f"{reason} ({want.release_note})"
    return reason


def dated_check(
    want: Prepared, wt: PreparedTitle, cand: TitleAnatomy
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """A bare year on the candidate ("Song (2012)"): (undecided year, level, reasons).

    Decided by the wanted release's year when known: the same year (or the
    next, for late-December releases) is the release; a later one dates a
    re-recording. Unknown: the year is returned for the duration to decide.
    """
    if VersionKind.DATED not in cand.kinds or VersionKind.DATED in wt.anatomy.kinds:
        return None, None, ()
    year = cand.detail_of(VersionKind.DATED)
    if want.year is None or not year.isdigit():
        return year, None, ()
    if int(year) > want.year + 1:
        return (
            None,
            "hard",
            (f"candidate dated {year}, the wanted release is from {want.year}: a re-recording",),
        )
    return None, None, (f"candidate dated {year}, the wanted release's year",)


CAST_ALBUM_RE = re.compile(r"\b(?:soundtrack|ost|cast|musical|motion picture|the movie|film)\b")

# Markers that explain a length far from the wanted one.
LENGTH_KINDS = frozenset(
    {VersionKind.EDIT, VersionKind.EXTENDED, VersionKind.ALTERNATE, VersionKind.REMASTER}
)


def effective_contexts(
    want: Prepared, cand: Prepared, album_sim: float | None
) -> tuple[frozenset[VersionKind], frozenset[VersionKind]]:
    """Album/folder version context with the guesses that do not hold here removed.

    A wanted album only *named* like a live one ("Live Through This") says
    nothing about a candidate outside that album: the candidate's own
    "(Live)" marker and its "Live at Reading" folder still count against it.
    A band named like a version word ("Live", "Acoustic Alchemy") does not
    make its own folders live or acoustic: its name is read out of the
    folder names before they are read for versions.
    """
    want_context = want.context
    if want.weak_context and (album_sim is None or album_sim < 0.9):
        want_context = want_context - want.weak_context
    cand_context = cand.context
    if cand_context and cand.context_folders:
        names = [a for a in want.artists if named_like_version(a)]
        if names:
            cand_context = context_without_names(cand.context_folders, tuple(names))
    return want_context, cand_context


@lru_cache(maxsize=4096)
def named_like_version(artist: str) -> bool:
    """True for an artist whose name alone reads as a version ("Live", "Acoustic Alchemy")."""
    return bool(album_context(artist))


@lru_cache(maxsize=4096)
def context_without_names(
    folders: tuple[str, ...], names: tuple[str, ...]
) -> frozenset[VersionKind]:
    kinds: set[VersionKind] = set()
    for folder in folders:
        text = folder
        for name in names:
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.IGNORECASE)
        text = " ".join(text.split()).strip(" -")
        if text:
            kinds |= album_context(text)
    return frozenset(kinds)
