"""Artist credits: splitting "A feat. B & C" and comparing credits as sets.

A credit string joins several artists with "feat.", "&", ",", "x", "vs.",
"with", ";" or "/". Some artists carry those separators in their own name
("Simon & Garfunkel", "Earth, Wind & Fire", "Tyler, the Creator",
"Lil Nas X", "AC/DC"). :func:`split_credit` keeps a name whole when the other
side of the comparison knows it as one artist (pass its names as ``known``),
when it is in a short built-in list of such bands, or when the separator is
followed by "the" ("Florence + the Machine", "Tyler, the Creator").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from soulsync.matching.normalize import ascii_key, forms

__all__ = [
    "VARIOUS_ARTISTS",
    "ArtistMatch",
    "compare_artists",
    "is_various",
    "name_similarity",
    "split_credit",
]

# Bands whose names contain a credit separator. Only a safety net: the usual
# protection is the other side's own spelling (``known``).
_BUILTIN_GROUPS = frozenset(
    ascii_key(n, drop_the=True)
    for n in (
        "Simon & Garfunkel",
        "Earth, Wind & Fire",
        "Crosby, Stills, Nash & Young",
        "Crosby, Stills & Nash",
        "Emerson, Lake & Palmer",
        "Blood, Sweat & Tears",
        "Peter, Bjorn and John",
        "Tyler, the Creator",
        "Mumford & Sons",
        "Belle & Sebastian",
        "Chase & Status",
        "Above & Beyond",
        "Kool & the Gang",
        "Sam & Dave",
        "Ike & Tina Turner",
        "Hall & Oates",
        "Daryl Hall & John Oates",
        "Brooks & Dunn",
        "Big & Rich",
        "Florence + the Machine",
        "Marina and the Diamonds",
        "Echo & the Bunnymen",
        "Siouxsie and the Banshees",
        "Hootie & the Blowfish",
        "Derek and the Dominos",
        "Bob Marley & The Wailers",
        "Tom Petty and the Heartbreakers",
        "Prince & The Revolution",
        "Nick Cave & The Bad Seeds",
        "The Mamas & the Papas",
        "Lil Nas X",
        "AC/DC",
        "Sly & the Family Stone",
        "Salt-N-Pepa",
        "Years & Years",
        "Disclosure & Sam Smith",
        "Matt & Kim",
        "She & Him",
        "Iron & Wine",
        "Mike + the Mechanics",
        "Huey Lewis & the News",
        "Sonny & Cher",
        "Ashford & Simpson",
        "Jan & Dean",
        "Dan + Shay",
        "Hamilton, Leithauser + Rostam",
        "Lily & Madeleine",
        "Run the Jewels",
        "Me First and the Gimme Gimmes",
        "Bell X1",
        "X Ambassadors",
        "Malcolm X",
    )
)

VARIOUS_ARTISTS = frozenset(
    {
        "various artists",
        "various",
        "va",
        "v a",
        "unknown artist",
        "unknown",
        "verschiedene interpreten",
        "artistes divers",
    }
)

_FEAT_SPLIT_RE = re.compile(r"\s*[(\[]?\s*\b(?:feat\.?|ft\.|ft|featuring)\s+", re.IGNORECASE)
_SEP_RE = re.compile(
    r"(\s*,\s*|\s*;\s*|\s+&\s+|\s*&\s*|\s+\+\s+|\s+x\s+|\s+×\s+|\s+vs\.?\s+|\s+versus\s+|\s+with\s+|\s+/\s+|(?<=\w{4})/(?=\w{4}))",
    re.IGNORECASE,
)
_THE_AFTER_RE = re.compile(r"^the\b", re.IGNORECASE)


def is_various(name: str) -> bool:
    """True for "Various Artists", "VA", "Unknown Artist" and the like."""
    return ascii_key(name) in VARIOUS_ARTISTS


def split_credit(credit: str, known: Iterable[str] = ()) -> tuple[str, ...]:
    """Split an artist credit into ordered, de-duplicated names.

    >>> split_credit("Calvin Harris feat. Dua Lipa & Young Thug")
    ('Calvin Harris', 'Dua Lipa', 'Young Thug')
    >>> split_credit("Simon & Garfunkel", known=["Simon & Garfunkel"])
    ('Simon & Garfunkel',)
    """
    if not known:
        return _split(credit.strip(), _BUILTIN_GROUPS)
    return _split(credit.strip(), _known_keys(tuple(known)))


@lru_cache(maxsize=16384)
def _known_keys(known: tuple[str, ...]) -> frozenset[str]:
    return _BUILTIN_GROUPS | {ascii_key(k, drop_the=True) for k in known if k}


@lru_cache(maxsize=32768)
def _split(credit: str, known_keys: frozenset[str]) -> tuple[str, ...]:
    if not credit:
        return ()
    if ascii_key(credit, drop_the=True) in known_keys:
        return (credit,)
    chunks = _FEAT_SPLIT_RE.split(credit)
    names: list[str] = []
    for chunk in chunks:
        chunk = chunk.strip().strip("()[]").strip()
        if chunk:
            names.extend(_split_chunk(chunk, known_keys))
    unique: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = ascii_key(name, drop_the=True)
        if key and key not in seen:
            seen.add(key)
            unique.append(name)
    return tuple(unique)


def _split_chunk(chunk: str, known_keys: frozenset[str]) -> list[str]:
    """Split one feat.-free chunk on separators, re-joining protected names."""
    pieces = _SEP_RE.split(chunk)
    # pieces alternates: name, separator, name, separator, ...
    segments = pieces[0::2]
    seps = pieces[1::2]
    out: list[str] = []
    i = 0
    while i < len(segments):
        current = segments[i]
        j = i
        # Greedily extend while a longer run of segments forms a known name,
        # or the next segment starts with "the" (a "X & the Y" band name), or
        # a segment is empty ("Lil Nas X" ends in the separator " X").
        best_end = i
        joined = current
        for k in range(i + 1, len(segments)):
            joined = joined + seps[k - 1] + segments[k]
            if ascii_key(joined, drop_the=True) in known_keys:
                best_end = k
        if best_end == i:
            while j + 1 < len(segments) and (
                not segments[j + 1].strip()
                or _THE_AFTER_RE.match(segments[j + 1].strip())
                or not segments[j].strip()
            ):
                j += 1
            best_end = j
        text = segments[i]
        for k in range(i + 1, best_end + 1):
            text += seps[k - 1] + segments[k]
        text = text.strip()
        if text:
            out.append(text)
        i = best_end + 1
    return out


@lru_cache(maxsize=32768)
def name_similarity(a: str, b: str) -> float:
    """Similarity of two single artist names in 0..1.

    Compares every form (ASCII and native script) with "The" dropped, with
    and without spaces, so "The Beatles" = "Beatles, The", "Beyoncé" =
    "Beyonce", "AC/DC" = "ACDC", "A$AP Rocky" = "ASAP Rocky".
    """
    if a == b and ascii_key(a, drop_the=True):
        # The loop below would return 1.0 at its first pair (the ASCII
        # forms); an owned track's artist is compared with itself often, and
        # this spares building every form (a romanisation for Japanese names).
        return 1.0
    best = 0.0
    for fa in forms(a, drop_the=True):
        for fb in forms(b, drop_the=True):
            if not fa or not fb:
                continue
            if fa == fb:
                return 1.0
            score = max(
                fuzz.ratio(fa, fb),
                fuzz.ratio(fa.replace(" ", ""), fb.replace(" ", "")),
                # "Utada Hikaru" / "Hikaru Utada": Japanese names are
                # written family name first in Japan, given name first abroad.
                0.95 * fuzz.token_sort_ratio(fa, fb) if " " in fa and " " in fb else 0.0,
            )
            best = max(best, score / 100.0)
            # A surname alone ("Orff", "Bowie") for the full name.
            short, long = sorted((fa, fb), key=len)
            if " " not in short and len(short) >= 4 and long.split()[-1] == short:
                best = max(best, 0.85)
            # Initials for the full name ("ELO", "RHCP"): the way fans and
            # folder names abbreviate bands.
            words = [w for w in long.split() if w not in {"and", "of", "the", "in"}]
            if (
                " " not in short
                and 2 <= len(short) <= 5
                and len(words) == len(short)
                and "".join(w[0] for w in words) == short
            ):
                best = max(best, 0.9)
    return best


@dataclass(frozen=True, slots=True)
class ArtistMatch:
    """How well a candidate's credit covers the wanted artists."""

    similarity: float
    matched: tuple[tuple[str, str, float], ...]  # (wanted, candidate, similarity)
    reason: str


def compare_artists(wanted: Sequence[str], candidate: Sequence[str] | str) -> ArtistMatch:
    """Compare wanted artist names with a candidate credit, as sets.

    See :func:`_compare_artists`; results are cached because one folder
    artist is compared for every file a peer shares.
    """
    return _compare_artists(
        tuple(wanted), candidate if isinstance(candidate, str) else tuple(candidate)
    )


@lru_cache(maxsize=16384)
def _compare_artists(wanted: tuple[str, ...], candidate: tuple[str, ...] | str) -> ArtistMatch:
    """Compare wanted artist names with a candidate credit, as sets.

    The wanted primary artist must be present (any position on the other
    side, since credits get reordered); other wanted artists add a little
    when present and cost little when missing, because files and libraries
    often drop featured artists.
    """
    cand_credit = candidate if isinstance(candidate, str) else ", ".join(candidate)
    want_names = [n for w in wanted for n in split_credit(w, known=[cand_credit])]
    if not want_names:
        return ArtistMatch(0.5, (), "wanted track has no artist")
    known = [*wanted, ", ".join(wanted)]
    cand_names = (
        list(split_credit(candidate, known=known))
        if isinstance(candidate, str)
        else [n for c in candidate for n in split_credit(c, known=known)]
    )
    if not cand_names or all(is_various(c) for c in cand_names):
        return ArtistMatch(0.5, (), "candidate artist unknown")
    pairs: list[tuple[str, str, float]] = []
    for w in want_names:
        best_c, best_s = "", 0.0
        for c in cand_names:
            s = name_similarity(w, c)
            if s > best_s:
                best_c, best_s = c, s
        pairs.append((w, best_c, best_s))
    # The whole credit against the whole credit catches "Simon and Garfunkel"
    # against "Simon & Garfunkel" split differently on each side.
    whole = name_similarity(", ".join(wanted), cand_credit)
    primary = pairs[0][2]
    # Any wanted artist appearing as the candidate's primary counts too
    # ("Dua Lipa & Calvin Harris" for a track credited to Calvin Harris first).
    lead = max(name_similarity(w, cand_names[0]) for w in want_names)
    core = max(primary, 0.9 * lead, whole)
    others = [p[2] for p in pairs[1:]]
    if others:
        coverage = sum(others) / len(others)
        score = 0.9 * core + 0.1 * max(coverage, core if coverage > 0.8 else coverage)
    else:
        score = core
    score = min(1.0, score if core < 0.999 else max(score, 0.97))
    if core >= 0.95:
        reason = f"artist matches ({pairs[0][1] or cand_credit})"
    elif core >= 0.8:
        reason = f"artist close ({want_names[0]!r} ~ {pairs[0][1]!r}, {core:.2f})"
    else:
        reason = f"artist differs ({want_names[0]!r} vs {cand_credit!r})"
    return ArtistMatch(round(score, 4), tuple(pairs), reason)
