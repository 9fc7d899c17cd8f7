"""Track similarity with a per-field breakdown that explains itself.

:func:`score_track` compares a wanted :class:`~soulsync.domain.Track` with a
candidate (another ``Track`` from a streaming source, a ``LibraryTrack`` or a
``SoulseekFile``) and returns a :class:`Score` in 0..1.

Evidence is ranked in tiers, as Picard 3 does:

1. **Identifiers.** When both sides carry an ISRC, equal ISRCs decide
   (0.85 + 0.15 x similarity); different ISRCs cap the score (the same
   recording can carry several ISRCs, so this is a cap, not a zero).
2. **Similarity.** A beets-like weighted mean of title, artist, album and
   duration; a field one side does not know is left out, so missing data
   neither helps nor hurts. Duration gets full credit within 3 s and none at
   30 s.
3. **Version.** Descriptors from :mod:`~soulsync.matching.anatomy` are
   compared as sets: a hard mismatch (remix, live, instrumental, cover,
   karaoke, sped up, ...) multiplies the score by 0.25; edit/extended/other
   versions by 0.85; remaster, mono and clean/explicit differences cost a few
   configurable points.

Preferences (format, bitrate, peer) are not part of this score; ``rank``
uses them to order files that match equally well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.anatomy import (
    TitleAnatomy,
    VersionKind,
    VersionTag,
    album_context,
    parse_title,
)
from soulsync.matching.credits import compare_artists, is_various, name_similarity, split_credit
from soulsync.matching.filename import parse_path
from soulsync.matching.normalize import ascii_key, number_tokens, whole_word_in
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = [
    "HARD_KINDS",
    "MEDIUM_KINDS",
    "SOFT_KINDS",
    "FieldScore",
    "Prepared",
    "PreparedTitle",
    "Score",
    "compare",
    "duration_similarity",
    "prepare",
    "prepare_path",
    "score_track",
    "title_similarity",
    "version_mismatch",
]

Candidate = Track | LibraryTrack | SoulseekFile

HARD_KINDS = frozenset(
    {
        VersionKind.REMIX,
        VersionKind.LIVE,
        VersionKind.ACOUSTIC,
        VersionKind.INSTRUMENTAL,
        VersionKind.ACAPPELLA,
        VersionKind.DEMO,
        VersionKind.COVER,
        VersionKind.KARAOKE,
        VersionKind.SPED_UP,
        VersionKind.SLOWED,
        VersionKind.RERECORDED,
        VersionKind.REPRISE,
    }
)
MEDIUM_KINDS = frozenset({VersionKind.EDIT, VersionKind.EXTENDED, VersionKind.ALTERNATE})
SOFT_KINDS = frozenset(
    {
        VersionKind.REMASTER,
        VersionKind.MONO,
        VersionKind.STEREO,
        VersionKind.CLEAN,
        VersionKind.EXPLICIT,
    }
)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """One field of the breakdown. ``similarity`` is None when not compared."""

    name: str
    similarity: float | None
    weight: float
    reason: str

    @property
    def loss(self) -> float:
        """Weighted shortfall from a perfect match (for sorting explanations)."""
        return 0.0 if self.similarity is None else (1.0 - self.similarity) * self.weight


@dataclass(frozen=True, slots=True)
class Score:
    """A match score in 0..1 with the evidence behind it.

    Compares like a float (``score >= 0.8``); ``reasons`` lists what moved
    it, worst first; ``explain()`` says it in one sentence.
    """

    value: float
    fields: tuple[FieldScore, ...]
    tier: str = "similarity"  # "identifier" when ISRCs decided
    version_severity: str | None = None  # "hard", "medium", "soft" or None
    penalties: tuple[str, ...] = ()
    reading: str = ""  # which file-name reading was used (Soulseek only)
    # Soft differences the user has a taste about (a clean edit when explicit
    # is preferred): they cost little here but rank before quality.
    dispreferred: tuple[str, ...] = ()

    def __float__(self) -> float:
        return self.value

    def __lt__(self, other: Score | float) -> bool:
        return self.value < float(other)

    def __le__(self, other: Score | float) -> bool:
        return self.value <= float(other)

    def __gt__(self, other: Score | float) -> bool:
        return self.value > float(other)

    def __ge__(self, other: Score | float) -> bool:
        return self.value >= float(other)

    @property
    def distance(self) -> float:
        """1 - value, as beets reports it."""
        return round(1.0 - self.value, 4)

    @property
    def percent(self) -> int:
        """The score as a whole percentage for display."""
        return round(self.value * 100)

    def field(self, name: str) -> FieldScore | None:
        """The breakdown entry for ``name`` ("title", "artist", ...)."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Penalties first, then compared fields from worst to best."""
        compared = sorted(
            (f for f in self.fields if f.similarity is not None), key=lambda f: -f.loss
        )
        said = set(self.penalties)
        rest = [
            f.reason for f in compared if not any(part in said for part in f.reason.split("; "))
        ]
        return (*self.penalties, *rest)

    def explain(self) -> str:
        """One sentence: the score and its reasons."""
        return f"{self.percent}%: " + "; ".join(self.reasons)


# --- prepared sides -----------------------------------------------------------------


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
    path_key: str = ""  # whole remote path (Soulseek) for whole-word evidence
    context: frozenset[VersionKind] = field(default_factory=frozenset)
    folder_artist: str | None = None
    # Soulseek: descriptors found anywhere in the file name, whichever reading
    # is used for the title ("Song - Chromatics Remix" read as title "Song").
    file_versions: TitleAnatomy | None = None
    folder_keys: frozenset[str] = field(default_factory=frozenset)
    # A file's length-specific copy points at its length-free original, whose
    # comparison is cached and shared by every file with that path.
    root: Prepared | None = None


@lru_cache(maxsize=262144)
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
        # The share root ("@@abcd\\") means nothing and differs per peer;
        # dropping it lets the cache serve the same relative path for all.
        path = item.filename
        if path.startswith("@@"):
            path = path.split("\\", 1)[-1] if "\\" in path else path
        return _prepare_file(path, item.length)
    if isinstance(item, LibraryTrack):
        return _prepare_library(item.title, item.artist, item.album, item.duration_ms, item.isrc)
    return _prepare_track(
        item.title, tuple(item.artists), item.album, item.duration_ms, item.isrc, item.explicit
    )


@lru_cache(maxsize=65536)
def _prepare_track(
    title: str,
    artists: tuple[str, ...],
    album: str | None,
    duration_ms: int | None,
    isrc: str | None,
    explicit: bool | None,
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
        context=album_context(album) if album else frozenset(),
    )


@lru_cache(maxsize=65536)
def _prepare_library(
    title: str, artist: str, album: str | None, duration_ms: int | None, isrc: str | None
) -> Prepared:
    pt = _prepared_title(title)
    names = [artist] if artist else []
    names.extend(f for f in pt.anatomy.featured)
    return Prepared(
        titles=(pt,),
        artists=tuple(names),
        album=album,
        album_key=_album_key(album),
        duration_ms=duration_ms,
        isrc=(isrc or "").strip().upper() or None,
        context=album_context(album) if album else frozenset(),
    )


def prepare_path(filename: str) -> Prepared:
    """A Soulseek remote path prepared without a length (cached on the relative path)."""
    if filename.startswith("@@") and "\\" in filename:
        filename = filename.split("\\", 1)[1]
    return _prepare_path(filename)


def _prepare_file(filename: str, length: int | None) -> Prepared:
    base = _prepare_path(filename)
    duration = length * 1000 if length is not None else None
    if duration is None:
        return base
    return _with_duration(base, duration)


@lru_cache(maxsize=131072)
def _with_duration(base: Prepared, duration_ms: int) -> Prepared:
    return replace(base, duration_ms=duration_ms, root=base)


@lru_cache(maxsize=65536)
def _prepare_path(filename: str) -> Prepared:
    anatomy = parse_path(filename)
    titles = tuple(_prepared_title(r.title, r.artist, r.how) for r in anatomy.readings)
    context: set[VersionKind] = set()
    for folder in anatomy.folders[-3:]:
        context |= album_context(folder)
    tags: list[VersionTag] = []
    for pt in titles:
        for tag in pt.anatomy.versions:
            if all(t.kind is not tag.kind for t in tags):
                tags.append(tag)
    featured: list[str] = []
    for pt in titles:
        featured.extend(f for f in pt.anatomy.featured if f not in featured)
    file_versions = TitleAnatomy(
        original=anatomy.basename,
        base=anatomy.title,
        versions=tuple(tags),
        featured=tuple(featured),
    )
    return Prepared(
        titles=titles,
        artists=(anatomy.artist,) if anatomy.artist else (),
        album=anatomy.album,
        album_key=_album_key(anatomy.album),
        path_key=anatomy.path_key,
        context=frozenset(context),
        folder_artist=anatomy.artist,
        file_versions=file_versions,
        folder_keys=frozenset(ascii_key(f) for f in anatomy.folders),
    )


# --- field similarities ---------------------------------------------------------------


@lru_cache(maxsize=262144)
def _string_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return max(fuzz.ratio(a, b), 0.95 * fuzz.token_sort_ratio(a, b)) / 100.0


def _best(forms_a: Sequence[str], forms_b: Sequence[str]) -> float:
    return max((_string_sim(a, b) for a in forms_a for b in forms_b if a and b), default=0.0)


@lru_cache(maxsize=262144)
def title_similarity(want: PreparedTitle, cand: PreparedTitle) -> tuple[float, str]:
    """Similarity of two base titles (descriptors removed) and its wording.

    Unknown bracket contents are compared both ways (kept and dropped), so
    "Satisfaction" matches "(I Can't Get No) Satisfaction". Different numbers
    ("Part 1"/"Part 2", "Symphony No. 5"/"No. 9") cap the similarity at 0.5.
    """
    sim = _best(want.base_forms, cand.base_forms)
    if want.anatomy.extras or cand.anatomy.extras:
        if bool(want.anatomy.extras) != bool(cand.anatomy.extras):
            sim *= 0.96
        sim = max(sim, _best(want.full_forms, cand.full_forms))
    # Classical and soundtrack titles: "Requiem ...: III. Sequentia: Lacrimosa"
    # is often shared as just "Lacrimosa"; the movement name alone counts.
    movement = ""
    for long, short in ((want, cand), (cand, want)):
        if not (long.has_colon and not short.has_colon and len(long.last_segment) >= 6):
            continue
        short_keys = {*short.base_forms, short.last_segment}
        if sim < 0.9 and any(fuzz.ratio(long.last_segment, k) >= 92 for k in short_keys if k):
            sim, movement = 0.9, f"movement title matches ({long.last_segment!r})"
    if want.numbers != cand.numbers and want.numbers and cand.numbers:
        if set(want.numbers) - set(cand.numbers) and set(cand.numbers) - set(want.numbers):
            return min(
                sim, 0.5
            ), f"title numbers differ ({' '.join(want.numbers)} vs {' '.join(cand.numbers)})"
        sim *= 0.92
    if movement:
        return sim, movement
    if sim >= 0.97:
        return sim, "title matches"
    if sim >= 0.85:
        return sim, f"title close ({want.anatomy.base!r} ~ {cand.anatomy.base!r})"
    return sim, f"title differs ({want.anatomy.base!r} vs {cand.anatomy.base!r})"


def duration_similarity(
    want_ms: int | None, cand_ms: int | None, settings: MatchSettings = DEFAULT_SETTINGS
) -> tuple[float | None, str]:
    """Full credit within the grace (3 s), falling linearly to 0 at 30 s; None if unknown."""
    if not want_ms or not cand_ms:
        return None, "duration unknown"
    delta = abs(want_ms - cand_ms) / 1000.0
    span = max(settings.duration_zero_s - settings.duration_grace_s, 0.001)
    sim = 1.0 - min(1.0, max(0.0, delta - settings.duration_grace_s) / span)
    if delta <= settings.duration_grace_s:
        return sim, f"duration matches ({delta:.0f} s off)"
    return sim, f"duration {delta:.0f} s off"


def version_mismatch(
    want: TitleAnatomy,
    cand: TitleAnatomy,
    want_context: frozenset[VersionKind] = frozenset(),
    cand_context: frozenset[VersionKind] = frozenset(),
    *,
    want_explicit: bool | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> tuple[float, str | None, tuple[str, ...]]:
    """Compare version descriptors: (factor, severity, reasons).

    ``factor`` multiplies the similarity score. Context kinds come from album
    or folder names ("Live at Leeds"); they only count when the other side has
    no evidence of that kind at all.
    """
    if not (want.versions or cand.versions or want_context or cand_context):
        return 1.0, None, ()
    # Cached on the few settings it reads (hashing the whole settings object,
    # quality profile included, would cost more than the work).
    return _version_mismatch(
        want,
        cand,
        want_context,
        cand_context,
        want_explicit,
        (
            settings.hard_version_factor,
            settings.medium_version_factor,
            settings.alternate_version_factor,
            settings.remaster_penalty,
            settings.explicit_penalty,
            settings.prefer_explicit,
        ),
    )


@lru_cache(maxsize=65536)
def _version_mismatch(
    want: TitleAnatomy,
    cand: TitleAnatomy,
    want_context: frozenset[VersionKind],
    cand_context: frozenset[VersionKind],
    want_explicit: bool | None,
    knobs: tuple[float, float, float, float, float, bool],
) -> tuple[float, str | None, tuple[str, ...]]:
    (
        hard_factor,
        medium_factor,
        alternate_factor,
        remaster_penalty,
        explicit_penalty,
        prefer_explicit,
    ) = knobs
    wk, ck = want.kinds, cand.kinds
    factor = 1.0
    severity: str | None = None
    reasons: list[str] = []

    def hit(level: str, f: float, reason: str) -> None:
        nonlocal factor, severity
        factor *= f
        reasons.append(reason)
        order = {"soft": 1, "medium": 2, "hard": 3}
        if severity is None or order[level] > order[severity]:
            severity = level

    for kind in sorted(wk ^ ck, key=str):
        wanted = kind in wk
        other_ctx = cand_context if wanted else want_context
        if kind in other_ctx:
            continue  # "Song" on "Live at Leeds" wanted as "Song (Live)": same thing
        where = "wanted" if wanted else "candidate"
        if kind in HARD_KINDS:
            hit("hard", hard_factor, f"version mismatch: {where} is {kind.value}")
        elif kind is VersionKind.ALTERNATE:
            # A named other version ("Piano Version", "2019 Mix") is another
            # recording more often than not; an edit mostly is not.
            hit("medium", alternate_factor, f"version differs: {where} is {kind.value}")
        elif kind in MEDIUM_KINDS:
            hit("medium", medium_factor, f"version differs: {where} is {kind.value}")
        elif kind is VersionKind.REMASTER:
            hit("soft", 1.0 - remaster_penalty, f"{where} is remastered")
        elif (
            kind is VersionKind.CLEAN
            and not wanted
            and want_explicit is not False
            and prefer_explicit
        ):
            hit("soft", 1.0 - explicit_penalty, "candidate is the clean version")
        elif kind is VersionKind.CLEAN and wanted:
            hit("soft", 1.0 - explicit_penalty, "wanted the clean version")
        elif kind in (VersionKind.MONO, VersionKind.STEREO):
            hit("soft", 1.0 - remaster_penalty, f"{where} is {kind.value}")
    for kind in sorted(
        (wk & ck) & {VersionKind.REMIX, VersionKind.LIVE, VersionKind.ALTERNATE}, key=str
    ):
        wd, cd = want.detail_of(kind), cand.detail_of(kind)
        if wd and cd and name_similarity(wd, cd) < 0.7 and not (wd in cd or cd in wd):
            level = "hard" if kind is VersionKind.REMIX else "medium"
            f = hard_factor if level == "hard" else medium_factor
            hit(level, f, f"different {kind.value}: {wd!r} vs {cd!r}")
    # Album/folder context the other side lacks entirely (a studio track
    # wanted, the file sits in a "Live at Wembley" or "Karaoke Hits" folder).
    for kind in sorted((cand_context - wk - want_context - ck) & HARD_KINDS, key=str):
        hit("hard", hard_factor, f"candidate folder is {kind.value}")
    for kind in sorted((want_context - ck - cand_context - wk) & {VersionKind.LIVE}, key=str):
        hit(
            "medium",
            medium_factor,
            f"wanted album is {kind.value}, candidate not marked",
        )
    return factor, severity, tuple(reasons)


# --- the comparison ------------------------------------------------------------------------


_NOT_SURNAMES = frozenset(
    {
        "orchestra", "band", "quartet", "quintet", "trio", "ensemble", "choir", "chorus", "boys",
        "girls", "brothers", "sisters", "crew", "gang", "group", "project", "family", "symphony",
        "philharmonic", "philharmoniker", "collective", "experience", "singers", "players",
        "machine", "company", "club", "cast", "music", "sound", "sounds", "records", "school",
    }
)  # fmt: skip


def _path_mention(name: str, cand: Prepared, reading: PreparedTitle) -> tuple[float, str] | None:
    """Evidence that ``name`` appears in the candidate's path, as whole words.

    Full name: strong (weaker for names under 4 letters, which could be any
    word). Initials ("ELO", "RHCP"; two letters only as a whole folder name,
    "MJ") and a distinctive surname ("Beethoven", "Bowie"): fairly strong.
    """
    key = ascii_key(name, drop_the=True)
    if not key or key in reading.base_forms:
        return None
    if whole_word_in(key, cand.path_key):
        return (1.0 if len(key) >= 4 or " " in key else 0.85), f"artist {name!r} named in path"
    words = key.split()
    if len(words) >= 2:
        initials = "".join(w[0] for w in words if w not in {"and", "of", "the"})
        if (
            len(initials) >= 3 and whole_word_in(initials, cand.path_key)
        ) or initials in cand.folder_keys:
            return 0.9, f"artist initials {initials.upper()!r} in path"
        surname = words[-1]
        if (
            len(surname) >= 5
            and surname not in _NOT_SURNAMES
            and whole_word_in(surname, cand.path_key)
        ):
            return 0.88, f"artist surname {surname!r} in path"
    return None


def _album_evidence(want: Prepared, cand: Prepared, reading: PreparedTitle) -> float:
    """How strongly the candidate's folder names the wanted album (0..1)."""
    if not want.album_key or is_various(want.album or ""):
        return 0.0
    best = 0.0
    if cand.album_key:
        best = fuzz.token_set_ratio(want.album_key, cand.album_key) / 100.0
        if min(len(want.album_key), len(cand.album_key)) < 4:
            best = 1.0 if want.album_key == cand.album_key else 0.0
    # The album named anywhere in the path, unless that is just the title
    # again (a single named after its song).
    if (
        len(want.album_key) >= 6
        and want.album_key not in reading.base_forms
        and want.album_key not in want.titles[0].base_forms
        and whole_word_in(want.album_key, cand.path_key)
    ):
        best = max(best, 0.95)
    return best


def _artist_evidence(
    want: Prepared, cand: Prepared, reading: PreparedTitle
) -> tuple[float, str] | None:
    """Artist evidence: the reading's artist, the folder artist and words in the path.

    None when the comparison cannot be made (the wanted track has no artist).
    """
    if not want.artists:
        return None
    best: tuple[float, str] | None = None
    if not cand.path_key:
        # A library track or a streaming result: its credit is all there is.
        if not cand.artists:
            return None
        if all(is_various(a) for a in cand.artists):
            # "Various Artists" is a real compilation tag; "Unknown Artist"
            # means the metadata is missing and nothing confirms the match.
            various = any(
                ascii_key(a) in {"various artists", "various", "va"} for a in cand.artists
            )
            return (
                (0.6, "candidate credited to Various Artists")
                if various
                else (
                    0.3,
                    "candidate artist unknown",
                )
            )
        match = compare_artists(want.artists, ", ".join(cand.artists))
        return match.similarity, match.reason
    sources: list[str] = []
    if reading.artist:
        sources.append(reading.artist)
    reversed_reading = reading.how == "title - artist"
    if cand.folder_artist and cand.folder_artist not in sources and not reversed_reading:
        sources.append(cand.folder_artist)
    for source in sources:
        if is_various(source):
            continue
        match = compare_artists(want.artists, source)
        if best is None or match.similarity > best[0]:
            best = (match.similarity, match.reason)
    # A file name that names another artist ("Chris Hadfield - Space Oddity"
    # in a "Bowie" folder) outweighs the folder: that file is someone else's.
    names_other = (
        reading.artist is not None
        and reading.artist != cand.folder_artist
        and best is not None
        and best[0] < 0.5
        and (not cand.album or name_similarity(reading.artist, cand.album) < 0.8)
        and (not want.album or name_similarity(reading.artist, want.album) < 0.8)
    )
    if not reversed_reading and not names_other:
        # Soulseek searches match the full path, so the artist named anywhere
        # in it is evidence; a secondary wanted artist counts a little less.
        for i, name in enumerate(want.artists):
            mention = _path_mention(name, cand, reading)
            if mention is not None:
                strength = mention[0] * (1.0 if i == 0 else 0.95)
                if best is None or strength > best[0]:
                    best = (strength, mention[1])
    if (best is None or best[0] < 0.6) and not reversed_reading and not names_other:
        album = _album_evidence(want, cand, reading)
        if album >= 0.9:
            return 0.8, "artist not named, but the album folder matches"
    if best is None:
        # Nothing in the path names the wanted artist: weak evidence against.
        return 0.4, f"artist {want.artists[0]!r} not found in path"
    return best


def _feature_check(
    want: Prepared, cand: Prepared, reading: PreparedTitle, settings: MatchSettings
) -> tuple[float, list[str]]:
    """Featured artists named in titles: an extra one on the candidate marks another version.

    "bad guy (with Justin Bieber)" is not the album's "bad guy" (medium);
    a wanted feature the candidate never names costs a little.
    """
    featured = cand.file_versions.featured if cand.file_versions else reading.anatomy.featured
    want_featured = want.titles[0].anatomy.featured
    if not featured and not want_featured:
        return 1.0, []
    cand_feats = [n for f in featured for n in split_credit(f)]
    reasons: list[str] = []
    factor = 1.0
    extra = [f for f in cand_feats if all(name_similarity(f, w) < 0.8 for w in want.artists)]
    if extra and want.artists:
        # Services credit every featured artist; an extra one on the
        # candidate is usually the "feat." re-release, not the album cut.
        factor *= settings.alternate_version_factor
        reasons.append(f"candidate features {', '.join(extra)} (not wanted)")
    want_feats = [n for f in want_featured for n in split_credit(f)]
    named = [
        *cand_feats,
        *(n for a in (*cand.artists, reading.artist or "") for n in split_credit(a)),
    ]
    for name in want_feats:
        key = ascii_key(name, drop_the=True)
        in_path = bool(cand.path_key) and whole_word_in(key, cand.path_key)
        if not in_path and all(name_similarity(name, n) < 0.8 for n in named):
            factor *= 0.95
            reasons.append(f"candidate does not name featured {name}")
    return factor, reasons


class _Unset:
    """Marker type: no duration override given."""


_UNSET = _Unset()


def compare(
    want: Prepared,
    cand: Prepared,
    settings: MatchSettings = DEFAULT_SETTINGS,
    *,
    duration_ms: int | _Unset | None = _UNSET,
) -> Score:
    """Score prepared sides; tries every reading of the candidate and keeps the best.

    Everything but the duration depends only on the wanted track and the
    candidate's path or text, so that part is computed once per pair
    (:func:`_statics`, cached) and each file only adds its own length
    (``duration_ms`` overrides the candidate's, for path-only preparations).
    """
    root = cand.root or cand
    order = _reading_order(want, root)
    if not order:
        return Score(0.0, (), penalties=("candidate has no title",))
    cand_ms = cand.duration_ms if isinstance(duration_ms, _Unset) else duration_ms
    d_sim, d_reason = duration_similarity(want.duration_ms, cand_ms, settings)
    # With matching ISRCs the title does not bound the score.
    bounded = not (want.isrc and root.isrc)
    others = settings.artist_weight + settings.album_weight + settings.duration_weight
    total = settings.title_weight + others
    best: Score | None = None
    for t_sim, index in order:
        if (
            bounded
            and best is not None
            and (settings.title_weight * t_sim + others) / total <= best.value
        ):
            break  # best title first: no later reading can win
        static = _static_for(want, root, index, settings)
        if best is not None and static.upper_bound(d_sim, settings) <= best.value:
            continue
        score = _finish(static, want, d_sim, d_reason, settings)
        if best is None or score.value > best.value:
            best = score
    assert best is not None
    return best


@lru_cache(maxsize=262144)
def _finish(
    static: _Static, want: Prepared, d_sim: float | None, d_reason: str, settings: MatchSettings
) -> Score:
    # Lengths are whole seconds, so few distinct duration scores exist per
    # reading: the finished Score (immutable) is shared between files.
    return static.finish(want, d_sim, d_reason, settings)


@lru_cache(maxsize=131072)
def _reading_order(want: Prepared, cand: Prepared) -> tuple[tuple[float, int], ...]:
    """The candidate's readings by title similarity to the wanted title, best first."""
    wt = want.titles[0]
    scored = [(title_similarity(wt, r)[0], i) for i, r in enumerate(cand.titles)]
    return tuple(sorted(scored, key=lambda x: (-x[0], x[1])))


@lru_cache(maxsize=131072)
def _static_for(want: Prepared, cand: Prepared, index: int, settings: MatchSettings) -> _Static:
    return _static(want, cand, cand.titles[index], settings)


@dataclass(frozen=True, slots=True, eq=False)
class _Static:
    """The duration-independent part of one reading's comparison."""

    reading: PreparedTitle
    fields: tuple[FieldScore, ...]
    t_sim: float
    artist_sim: float | None
    factor: float
    severity: str | None
    v_reasons: tuple[str, ...]
    isrc_same: bool | None  # None when either side lacks an ISRC
    cand_isrc: str | None

    def upper_bound(self, d_sim: float | None, settings: MatchSettings) -> float:
        """The best value this reading could reach with the given duration score."""
        weighted = sum((f.similarity or 0.0) * f.weight for f in self.fields)
        weight = sum(f.weight for f in self.fields)
        if d_sim is not None:
            weighted += d_sim * settings.duration_weight
            weight += settings.duration_weight
        if self.isrc_same:
            return 1.0
        return (weighted / weight if weight else 0.0) * self.factor

    def finish(
        self, want: Prepared, d_sim: float | None, d_reason: str, settings: MatchSettings
    ) -> Score:
        """Add the duration and combine the tiers into a Score."""
        fields = list(self.fields)
        if d_sim is not None:
            fields.append(FieldScore("duration", d_sim, settings.duration_weight, d_reason))
        total_w = sum(f.weight for f in fields)
        similarity = (
            sum((f.similarity or 0.0) * f.weight for f in fields) / total_w if total_w else 0.0
        )
        # A wrong title or artist is not rescued by the other fields: the mean
        # of a perfect artist and duration would otherwise carry a wrong song
        # to 0.6. Two-thirds of a title is another song ("Ladies" / "Single
        # Ladies"); the artist gate is lower because 0.6 is the neutral
        # "Various Artists".
        if self.t_sim < 0.7:
            similarity = min(similarity, self.t_sim)
        if self.artist_sim is not None and self.artist_sim < 0.6:
            similarity = min(similarity, self.artist_sim)
        severity = self.severity
        penalties = tuple(r for r in self.v_reasons if severity in ("hard", "medium"))
        version_field = FieldScore(
            "version", self.factor, 0.0, "; ".join(self.v_reasons) or "same version"
        )
        tier = "similarity"
        value = similarity * self.factor
        id_field = None
        if self.isrc_same is True:
            value = 0.85 + 0.15 * similarity
            tier = "identifier"
            penalties = ()
            id_field = FieldScore("isrc", 1.0, 0.0, f"same ISRC {want.isrc}")
        elif self.isrc_same is False:
            value = min(value, settings.isrc_mismatch_cap)
            id_field = FieldScore(
                "isrc", 0.0, 0.0, f"different ISRC ({want.isrc} vs {self.cand_isrc})"
            )
            penalties = (*penalties, id_field.reason)
        return Score(
            value=round(max(0.0, min(1.0, value)), 4),
            fields=(*fields, version_field, *((id_field,) if id_field else ())),
            tier=tier,
            version_severity=severity if tier == "similarity" else None,
            penalties=penalties,
            reading=self.reading.how,
            dispreferred=tuple(r for r in self.v_reasons if "clean version" in r or "featur" in r),
        )


def _static(
    want: Prepared, cand: Prepared, reading: PreparedTitle, settings: MatchSettings
) -> _Static:
    wt = want.titles[0]
    fields: list[FieldScore] = []
    t_sim, t_reason = title_similarity(wt, reading)
    fields.append(FieldScore("title", t_sim, settings.title_weight, t_reason))
    artist = _artist_evidence(want, cand, reading)
    if artist is not None:
        fields.append(FieldScore("artist", artist[0], settings.artist_weight, artist[1]))
    if want.album_key and cand.album_key and not is_various(want.album or ""):
        a_sim = _string_sim(want.album_key, cand.album_key)
        reason = (
            "album matches" if a_sim >= 0.9 else f"album differs ({want.album!r} vs {cand.album!r})"
        )
        fields.append(FieldScore("album", a_sim, settings.album_weight, reason))
    factor, severity, v_reasons = version_mismatch(
        wt.anatomy,
        cand.file_versions or reading.anatomy,
        want.context,
        cand.context,
        want_explicit=want.explicit,
        settings=settings,
    )
    f_factor, f_reasons = _feature_check(want, cand, reading, settings)
    if f_reasons:
        factor *= f_factor
        v_reasons = (*v_reasons, *f_reasons)
        if f_factor < 0.9 and severity in (None, "soft"):
            severity = "medium"
    isrc_same = (want.isrc == cand.isrc) if want.isrc and cand.isrc else None
    return _Static(
        reading=reading,
        fields=tuple(fields),
        t_sim=t_sim,
        artist_sim=artist[0] if artist is not None else None,
        factor=factor,
        severity=severity,
        v_reasons=tuple(v_reasons),
        isrc_same=isrc_same,
        cand_isrc=cand.isrc,
    )


def score_track(
    want: Track, candidate: Candidate, settings: MatchSettings = DEFAULT_SETTINGS
) -> Score:
    """Score how well ``candidate`` is the recording ``want`` names.

    >>> from soulsync.domain import Track
    >>> s = score_track(Track("Blinding Lights", ("The Weeknd",)), Track("Blinding Lights (Live)", ("The Weeknd",)))
    >>> s.value < 0.5, s.version_severity
    (True, 'hard')
    """
    return compare(prepare(want), prepare(candidate), settings)
