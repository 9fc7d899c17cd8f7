"""Classical works: movements shared under bare names, and which performance it is.

Streaming services title a movement with its whole work ("Goldberg
Variations, BWV 988: Aria", "Piano Concerto No. 2 in C Minor, Op. 18: I.
Moderato") and credit composer, performers and conductor. Soulseek shares
name the work, catalogue number, performer and year in the *folder*
("Bach - Goldberg Variations BWV 988 - Glenn Gould (1981)") and the file is
just "01 - Aria.flac". Two rules follow:

* a bare movement name counts as the wanted movement when the path names
  the work (its catalogue number, or most of its title words);
* the same work by another performer, conductor or year is another
  recording, even at a similar length: a folder that names a different year
  than the wanted one is rejected, one that names none of the wanted
  performers but names someone else ("Holst - The Planets - Dutoit OSM",
  "Peer Gynt - Järvi, Gothenburg SO") is rejected too, and one that names
  no performer at all ranks below one that does.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from rapidfuzz import fuzz

from soulsync.matching.normalize import ascii_key, whole_word_in
from soulsync.matching.prepared import Prepared, PreparedTitle

__all__ = ["is_classical", "movement_in_work_folder", "performance_check"]

# Catalogue numbers: BWV 988, K. 626, KV 525, Op. 18, RV 269, Hob. VIIe:1,
# HWV 56, D. 899, WoO 59, Sz. 106.
_CATALOGUE_RE = re.compile(
    r"\b(bwv|hwv|kv|k|opus|op|rv|hob|d|woo|sz|l|s|fs|wq)\s*\.?\s*([0-9]+|[ivx]+[a-z]*)\b"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_RANGE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2}) ((?:19|20)\d{2})(?!\d)")
_MOVEMENT_PREFIX_RE = re.compile(r"^(?:[ivx]{1,4}|\d{1,2}[a-z]?)\s+")
_WORK_STOPWORDS = frozenset(
    {
        "in", "major", "minor", "flat", "sharp", "a", "b", "c", "d", "e", "f", "g", "for",
        "and", "the", "of", "number", "opus", "no", "op", "de", "la", "le", "pt", "part",
    }
)  # fmt: skip
# Words in a performer credit that are not a name of its own.
_ENSEMBLE_WORDS = frozenset(
    {
        "orchestra", "orchestre", "symphony", "philharmonic", "philharmonia", "philharmoniker",
        "ensemble", "choir", "chorus", "quartet", "consort", "concert", "sir", "dame", "the",
        "of", "de", "du", "la", "le", "and", "london", "royal", "national", "new", "chamber",
        "baroque", "soloists", "english", "symphonique", "orchester", "staatskapelle",
    }
)  # fmt: skip


# Words of a folder part that name the music or the release, never a performer.
_FORM_WORDS = frozenset(
    {
        "symphony", "symphonies", "concerto", "concertos", "concerti", "sonata", "sonatas",
        "suite", "suites", "variations", "requiem", "mass", "overture", "overtures", "ballet",
        "opera", "works", "complete", "recordings", "recording", "edition", "remaster",
        "remastered", "collection", "box", "set", "vol", "volume", "disc", "cd", "book", "part",
        "movements", "highlights", "selections", "best", "essential", "greatest", "classical",
        "klassik", "classique", "baroque", "piano", "violin", "cello", "trumpet", "flac", "mp3",
        "hi", "res", "bit", "khz", "deluxe", "original", "version", "stereo", "mono", "music",
        "preludes", "fugues", "nocturnes", "etudes", "waltzes", "quartets", "trios", "cantatas",
        "songs", "lieder", "arias", "choral", "orchestral", "chamber", "sacred", "and", "the",
        "of", "in", "for", "no", "nos", "op", "major", "minor", "flat", "sharp", "live",
    }
)  # fmt: skip
# Words that only ever name a group of performers ("Gothenburg Symphony Orchestra").
_ENSEMBLE_NOUNS = frozenset(
    {
        "orchestra", "orchestre", "orchester", "orchestra's", "philharmonic", "philharmonia",
        "philharmoniker", "ensemble", "choir", "chorus", "quartet", "consort", "soloists",
        "staatskapelle", "symphonique", "sinfonietta", "players", "singers", "kammerorchester",
    }
)  # fmt: skip
# Capitals that are not an orchestra's initials ("LSO", "BPO", "OSM" are).
_NOT_INITIALS = frozenset(
    {"CD", "DVD", "FLAC", "MP", "DG", "EMI", "ECM", "RCA", "CBS", "OST", "HD", "EP", "LP", "SACD",
     "BWV", "HWV", "RV", "KV", "WOO", "HOB", "OP", "NO", "WEB", "VBR", "CBR", "II", "III", "IV"}
)  # fmt: skip
_INITIALS_RE = re.compile(r"\b[A-Z]{2,5}\b")
_BRACKETS_RE = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_DASH_RE = re.compile(r"\s+[-\u2013\u2014]\s+")


def is_classical(want: Prepared) -> bool:
    """A wanted track titled "Work, catalogue: Movement" with performers credited."""
    title = want.titles[0]
    return title.has_colon and len(want.artists) >= 2


@lru_cache(maxsize=4096)
def _work(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Catalogue tokens ("bwv988") and title words of the work before the colon."""
    head = title.split(":", 1)[0]
    key = ascii_key(head)
    catalogue = tuple(f"{m.group(1)}{m.group(2)}" for m in _CATALOGUE_RE.finditer(key))
    catalogue = tuple(c.replace("opus", "op") for c in catalogue)
    words = tuple(w for w in key.split() if w not in _WORK_STOPWORDS and not w.isdigit())
    return catalogue, words


def _work_named(title: str, path_key: str) -> str | None:
    """How the path names the wanted work ("BWV 988"), or None."""
    catalogue, words = _work(title)
    compact = path_key.replace(" ", "").replace("opus", "op")
    for token in catalogue:
        if re.search(rf"{re.escape(token)}(?![0-9])", compact):
            return token.upper()
    if words:
        found = [w for w in words if whole_word_in(w, path_key)]
        # Half the work's words, at least two when it has two: "Four
        # Seasons ... Winter" names "The Four Seasons, Violin Concerto in F
        # Minor, Op. 8 No. 4, RV 297 "Winter"".
        needed = max(min(2, len(words)), math.ceil(len(words) / 2))
        if len(found) >= needed:
            return " ".join(found)
    return None


def movement_in_work_folder(
    want: PreparedTitle, reading: PreparedTitle, path_key: str
) -> str | None:
    """The reason a bare movement name ("Aria") is the wanted movement, or None.

    The reading must be the wanted movement's own name (its numeral may be
    there or not) and the path must name the work.
    """
    if not (want.has_colon and want.last_segment and path_key) or reading.has_colon:
        return None
    shorts = [reading.base_forms[0] if reading.base_forms else "", reading.last_segment]
    # "Winter - II. Largo": the part after the last dash is the movement.
    shorts = [_MOVEMENT_PREFIX_RE.sub("", x) for x in shorts if x]
    short = next(
        (
            x
            for x in shorts
            if fuzz.ratio(want.last_segment, x) >= 90
            or (len(x) >= 6 and want.last_segment.startswith(x))
        ),
        None,
    )
    if short is None:
        return None
    named = _work_named(want.anatomy.original, path_key)
    if named is None:
        return None
    return f"movement {short!r} in a folder naming the work ({named})"


# Orchestras known abroad by initials of their English name.
_ENGLISH_INITIALS = {
    "berliner philharmoniker": "bpo",
    "wiener philharmoniker": "vpo",
    "wiener symphoniker": "vso",
    "royal concertgebouw orchestra": "rco",
    "koninklijk concertgebouworkest": "rco",
}
_INITIAL_STOPWORDS = frozenset({"of", "the", "in", "de", "du", "la", "le", "and", "des"})


def _initials(key: str) -> str | None:
    """ "london symphony orchestra" -> "lso": how folders abbreviate ensembles."""
    if key in _ENGLISH_INITIALS:
        return _ENGLISH_INITIALS[key]
    words = [w for w in key.split() if w not in _INITIAL_STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 3 else None


def _name_in_path(name: str, path_key: str) -> bool:
    key = ascii_key(name, drop_the=True)
    if not key:
        return False
    if whole_word_in(key, path_key):
        return True
    initials = _initials(key)
    if initials and whole_word_in(initials, path_key):
        return True
    words = [w for w in key.split() if w not in _ENSEMBLE_WORDS and len(w) >= 4]
    # A conductor or soloist is filed by surname ("Gould", "Dutoit").
    return bool(words) and whole_word_in(words[-1], path_key)


def _performer_part(part: str, known: frozenset[str]) -> bool:
    """True when a folder part reads as a performer's name rather than the work.

    ``known`` holds the words of the wanted work, album and composer. A part
    is a name when it carries an ensemble word or an orchestra's initials
    ("Gothenburg SO", "Dutoit OSM"), or when all of its words are unknown
    (neither the work, the release nor the composer: "Alison Balsom").
    """
    key = ascii_key(part)
    words = key.split()
    if not words or any(w.isdigit() for w in words):
        return False
    if any(m not in _NOT_INITIALS for m in _INITIALS_RE.findall(part)):
        return True
    if any(w in _ENSEMBLE_NOUNS for w in words):
        return True
    if len(words) > 4:
        return False
    return all(w not in known and w not in _FORM_WORDS and len(w) >= 2 for w in words)


def _other_performer(want: Prepared, cand: Prepared) -> str | None:
    """A performer the candidate's folder names that the wanted track does not credit.

    "Fricsay, BPO" for Kubelík conducting the Berliner Philharmoniker: the
    orchestra is the wanted one, the conductor is not, so it is another
    performance.

    Only folders that name the work or the composer are read ("Dvorak -
    Symphony No. 9 - Fricsay, BPO"), split at " - " and commas; the first
    part is the composer or the work and bracketed labels and years are
    ignored.
    """
    catalogue, work_words = _work(want.titles[0].anatomy.original)
    known = frozenset(
        (*work_words, *catalogue, *ascii_key(want.album or "").split(),
         *ascii_key(want.artists[0]).split())
    )  # fmt: skip
    composer = ascii_key(want.artists[0]).split()
    for folder in cand.context_folders:
        segments = _DASH_RE.split(_BRACKETS_RE.sub(" ", folder))
        folder_key = ascii_key(folder)
        if len(segments) < 2 or not (
            (composer and whole_word_in(composer[-1], folder_key))
            or _work_named(want.titles[0].anatomy.original, folder_key)
        ):
            continue
        for segment in segments[1:]:
            for part in segment.split(","):
                part = part.strip()
                if _performer_part(part, known) and not _credited(part, want.artists[1:]):
                    return part
    return None


def _credited(part: str, performers: tuple[str, ...]) -> bool:
    """True when a folder part names one of the wanted performers ("Karajan BPO")."""
    key = ascii_key(part)
    words = key.split()
    return any(
        _name_in_path(p, key) or any(_name_in_path(w, ascii_key(p)) for w in words if len(w) >= 4)
        for p in performers
    )


def performance_check(want: Prepared, cand: Prepared) -> tuple[str | None, tuple[str, ...]]:
    """("hard" | "medium" | None, reasons) for which performance the candidate is.

    Only for classical wants and Soulseek paths. A folder year differing from
    the wanted album's year is another recording (hard), and so is a folder
    naming another performer and none of the wanted ones; a folder naming
    no performer at all is probably another one (medium).
    """
    if not cand.path_key or not is_classical(want):
        return None, ()
    want_years = set(
        _YEAR_RE.findall(" ".join((want.album or "", want.titles[0].anatomy.original)))
    )
    folders = " ".join(cand.folder_keys)
    cand_years = set(_YEAR_RE.findall(folders))
    for first, last in _YEAR_RANGE_RE.findall(folders):
        # "Pablo Casals (1936-1939)": recorded over several years.
        cand_years.update(
            str(y) for y in range(int(first), int(last) + 1) if int(last) - int(first) < 15
        )
    performers = want.artists[1:]
    named = [p for p in performers if _name_in_path(p, cand.path_key)]
    if want_years and cand_years and not want_years & cand_years:
        return "hard", (
            f"different performance: wanted the {'/'.join(sorted(want_years))} recording, "
            f"folder says {'/'.join(sorted(cand_years))}",
        )
    other = _other_performer(want, cand) if performers else None
    if other is not None:
        return "hard", (
            f"different performance: folder names {other!r}, "
            f"not one of the wanted performers ({', '.join(performers)})",
        )
    if performers and not named:
        return "medium", (f"folder names none of the performers ({', '.join(performers)})",)
    return None, ()
