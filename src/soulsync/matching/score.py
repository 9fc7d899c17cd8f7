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
   karaoke, sped up, ...) multiplies the score by 0.25; edit/extended by
   0.85; a named alternate version or an extra featured artist by 0.7;
   remaster, mono and clean/explicit differences cost a few configurable
   points (see :mod:`~soulsync.matching.versions`).

Preferences (format, bitrate, peer) are not part of this score; ``rank``
uses them to order files that match equally well.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from soulsync.domain import Track
from soulsync.matching.classical import movement_in_work_folder, performance_check
from soulsync.matching.collective import collective_rerecording
from soulsync.matching.context import (
    CAST_ALBUM_RE,
    LENGTH_KINDS,
    candidate_versions,
    dated_check,
    effective_contexts,
    part_of_album,
    with_note,
)
from soulsync.matching.credits import is_various
from soulsync.matching.evidence import (
    artist_evidence,
    duration_similarity,
    string_similarity,
    title_similarity,
)
from soulsync.matching.normalize import ascii_key
from soulsync.matching.prepared import Candidate, Prepared, PreparedTitle, prepare, prepare_path
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.matching.versions import (
    HARD_KINDS,
    MEDIUM_KINDS,
    SOFT_KINDS,
    feature_check,
    version_mismatch,
)

__all__ = [
    "HARD_KINDS",
    "MEDIUM_KINDS",
    "SOFT_KINDS",
    "CompareMemo",
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


class _Unset:
    """Marker type: no duration override given."""


_UNSET = _Unset()


class CompareMemo:
    """Per-call memo for :func:`compare` over many candidates of one wanted track.

    Ranking 5,000 files shares three things: the reading order and the
    duration-free part of each reading per prepared path; that part again
    between paths where it comes out the same (one song in a dozen folder
    spellings); and the finished score per duration. Scoped to one call
    (not a global cache) so memory does not grow with every search; one
    memo serves one wanted track and one set of settings. Keys
    are the objects themselves, hashed by identity and kept alive by the
    dicts, so an identity is never reused while the memo lives.
    """

    __slots__ = ("files", "finished", "interned", "orders", "statics")

    def __init__(self) -> None:
        # Keyed on the readings, shared by a file name's paths in every folder.
        self.orders: dict[tuple[PreparedTitle, ...], tuple[tuple[float, int], ...]] = {}
        self.statics: dict[tuple[Prepared, int], _Static] = {}
        self.interned: dict[tuple[object, ...], _Static] = {}
        self.finished: dict[tuple[_Static, float | None, str], Score] = {}
        # For callers scoring files: (prepared path, length in s) -> Score.
        self.files: dict[tuple[Prepared, int | None], Score] = {}


def compare(
    want: Prepared,
    cand: Prepared,
    settings: MatchSettings = DEFAULT_SETTINGS,
    *,
    duration_ms: int | _Unset | None = _UNSET,
    memo: CompareMemo | None = None,
) -> Score:
    """Score prepared sides; tries every reading of the candidate and keeps the best.

    Everything but the duration depends only on the wanted track and the
    candidate's path or text. With a ``memo`` (one per ranking call) that
    part is computed once per distinct path and each file only adds its own
    length; ``duration_ms`` overrides the candidate's, for path-only
    preparations.
    """
    memo = memo if memo is not None else CompareMemo()
    root = cand.root or cand
    order = memo.orders.get(root.titles)
    if order is None:
        order = memo.orders[root.titles] = _reading_order(want, root)
    if not order:
        return Score(0.0, (), penalties=("candidate has no title",))
    cand_ms = cand.duration_ms if isinstance(duration_ms, _Unset) else duration_ms
    d_sim, d_reason = _duration_evidence(want.duration_ms, cand_ms, settings)
    # With matching ISRCs the title does not bound the score.
    bounded = not (want.isrc and root.isrc)
    others = settings.artist_weight + settings.album_weight + settings.duration_weight
    total = settings.title_weight + others
    # A title under the gate caps the value at its similarity, unless it
    # can be rescued: a tighter bound for the many unrelated names.
    capped = bounded and not _title_can_be_rescued(want)
    best: Score | None = None
    statics, finished = memo.statics, memo.finished
    for t_sim, index in order:
        if best is not None and (
            (bounded and (settings.title_weight * t_sim + others) / total <= best.value)
            or (capped and t_sim < _TITLE_GATE and round(t_sim, 4) <= best.value)
        ):
            break  # best title first: no later reading can win
        static = statics.get((root, index))
        if static is None:
            static = statics[root, index] = _static(
                want, root, root.titles[index], settings, memo.interned
            )
        if best is not None and static.upper_bound(d_sim, settings) <= best.value:
            continue
        # Lengths are whole seconds: few distinct duration scores per reading.
        # The reason is part of the key: 1 s and 2 s off both score 1.0 but
        # are worded differently.
        score = finished.get((static, d_sim, d_reason))
        if score is None:
            score = finished[static, d_sim, d_reason] = static.finish(
                want, d_sim, d_reason, settings
            )
        if best is None or score.value > best.value:
            best = score
    assert best is not None
    return best


# Under this title similarity the title caps the score (see _Static.finish).
_TITLE_GATE = 0.7


def _title_can_be_rescued(want: Prepared) -> bool:
    """True when a candidate's title similarity may be raised after the fact.

    Only for a wanted movement title ("...: Aria", found from a folder that
    names the work) or a title that starts with its album's name ("The Köln
    Concert, Part I" as "Part I"); see ``_static``.
    """
    wt = want.titles[0]
    if wt.has_colon and wt.last_segment:
        return True
    key = wt.base_forms[0] if wt.base_forms else ""
    return bool(want.album_key) and key.startswith(want.album_key + " ")


# Per file of a ranking but only a few dozen distinct (whole-second) lengths.
@lru_cache(maxsize=4096)
def _duration_evidence(
    want_ms: int | None, cand_ms: int | None, settings: MatchSettings
) -> tuple[float | None, str]:
    """:func:`duration_similarity` with "unexplained" added beyond the settings' length."""
    d_sim, d_reason = duration_similarity(want_ms, cand_ms, settings)
    if want_ms and cand_ms and abs(want_ms - cand_ms) > settings.unexplained_length_s * 1000:
        d_reason = f"{d_reason}, unexplained"
    return d_sim, d_reason


def _reading_order(want: Prepared, cand: Prepared) -> tuple[tuple[float, int], ...]:
    """The candidate's readings by title similarity to the wanted title, best first."""
    wt = want.titles[0]
    scored = [(title_similarity(wt, r)[0], i) for i, r in enumerate(cand.titles)]
    return tuple(sorted(scored, key=lambda x: (-x[0], x[1])))


@dataclass(slots=True, eq=False)
class _Static:
    """The duration-independent part of one reading's comparison.

    Everything a file of this path shares is computed here once; finishing
    a file's score only adds its duration. A private memo record, not a
    domain object: not frozen because a frozen dataclass's ``__init__`` sets
    each of these fields through ``object.__setattr__``, a tenth of a
    ranking's scoring time. Nothing assigns to it after construction.
    """

    reading: PreparedTitle
    fields: tuple[FieldScore, ...]
    t_sim: float
    artist_sim: float | None
    factor: float
    severity: str | None
    v_reasons: tuple[str, ...]
    isrc_same: bool | None  # None when either side lacks an ISRC
    want_isrc: str | None
    cand_isrc: str | None
    explains_length: bool = False  # an edit/extended/version marker on either side
    various_credit: bool = False  # the candidate names only "Various Artists"
    # A bare year on the candidate that the wanted release's year could not
    # settle: decided by the duration in finish().
    dated: str | None = None
    # Derived in __post_init__.
    weighted: float = 0.0
    weight: float = 0.0
    penalties: tuple[str, ...] = ()
    tail: tuple[FieldScore, ...] = ()  # version (and ISRC) entries of the breakdown
    dispreferred: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "weighted", sum([(f.similarity or 0.0) * f.weight for f in self.fields]))
        setter(self, "weight", sum([f.weight for f in self.fields]))
        severe = self.severity in ("hard", "medium")
        penalties = tuple(r for r in self.v_reasons if severe)
        tail = [
            FieldScore("version", self.factor, 0.0, "; ".join(self.v_reasons) or "same version")
        ]
        if self.isrc_same is True:
            penalties = ()
            tail.append(FieldScore("isrc", 1.0, 0.0, f"same ISRC {self.want_isrc}"))
        elif self.isrc_same is False:
            reason = f"different ISRC ({self.want_isrc} vs {self.cand_isrc})"
            penalties = (*penalties, reason)
            tail.append(FieldScore("isrc", 0.0, 0.0, reason))
        setter(self, "penalties", penalties)
        setter(self, "tail", tuple(tail))
        setter(
            self,
            "dispreferred",
            tuple(r for r in self.v_reasons if "clean version" in r or "featur" in r),
        )

    def upper_bound(self, d_sim: float | None, settings: MatchSettings) -> float:
        """The best value this reading could reach with the given duration score."""
        if self.isrc_same:
            return 1.0
        weighted, weight = self.weighted, self.weight
        if d_sim is not None:
            weighted += d_sim * settings.duration_weight
            weight += settings.duration_weight
        return (weighted / weight if weight else 0.0) * self.factor

    def finish(
        self, want: Prepared, d_sim: float | None, d_reason: str, settings: MatchSettings
    ) -> Score:
        """Add the duration and combine the tiers into a Score."""
        weighted, weight = self.weighted, self.weight
        fields = self.fields
        if d_sim is not None:
            fields = (*fields, FieldScore("duration", d_sim, settings.duration_weight, d_reason))
            weighted += d_sim * settings.duration_weight
            weight += settings.duration_weight
        similarity = weighted / weight if weight else 0.0
        factor = self.factor
        if d_reason.endswith("unexplained") and not self.explains_length:
            factor *= settings.unexplained_length_factor
        penalties = self.penalties
        if self.dated and d_sim is not None and d_sim < 1.0:
            # "Song (2012)" a few seconds off the wanted length: the year
            # more likely dates a re-recording than the original release.
            factor *= settings.medium_version_factor
            penalties = (*penalties, f"dated {self.dated} and {d_reason}: possibly a re-recording")
        # A wrong title or artist is not rescued by the other fields: the mean
        # of a perfect artist and duration would otherwise carry a wrong song
        # to 0.6. Two-thirds of a title is another song ("Ladies" / "Single
        # Ladies"); the artist gate is lower because 0.6 is the neutral
        # "Various Artists".
        if self.t_sim < _TITLE_GATE:
            similarity = min(similarity, self.t_sim)
        if self.artist_sim is not None and self.artist_sim < 0.6:
            similarity = min(similarity, self.artist_sim)
        if self.various_credit:
            # A soundtrack or cast album track credited only to "Various
            # Artists" is as often the cast's cover as the original.
            similarity = min(similarity, settings.various_artists_cap)
        if self.isrc_same is True:
            value, tier = 0.85 + 0.15 * similarity, "identifier"
        else:
            value, tier = similarity * factor, "similarity"
            if self.isrc_same is False:
                value = min(value, settings.isrc_mismatch_cap)
        return Score(
            value=round(max(0.0, min(1.0, value)), 4),
            fields=(*fields, *self.tail),
            tier=tier,
            version_severity=self.severity if tier == "similarity" else None,
            penalties=penalties,
            reading=self.reading.how,
            dispreferred=self.dispreferred,
        )


def _static(
    want: Prepared,
    cand: Prepared,
    reading: PreparedTitle,
    settings: MatchSettings,
    interned: dict[tuple[object, ...], _Static] | None = None,
) -> _Static:
    """The duration-free part of comparing ``reading`` of ``cand`` with ``want``.

    With ``interned``, a part equal to one made before (the same file name
    in another folder spelling) is that earlier object, so its finished
    scores are shared too.
    """
    wt = want.titles[0]
    t_sim, t_reason = title_similarity(wt, reading)
    if t_sim < 0.9 and cand.path_key:
        movement = movement_in_work_folder(wt, reading, cand.path_key)
        if movement is not None:
            t_sim, t_reason = 0.92, movement
    artist = artist_evidence(want, cand, reading)
    a_sim: float | None = None
    a_reason = ""
    if want.album_key and cand.album_key and not is_various(want.album or ""):
        a_sim = string_similarity(want.album_key, cand.album_key)
        a_reason = (
            "album matches" if a_sim >= 0.9 else f"album differs ({want.album!r} vs {cand.album!r})"
        )
    if t_sim < 0.9 and a_sim is not None and a_sim >= 0.9:
        part = part_of_album(want, wt, reading)
        if part is not None:
            t_sim, t_reason = part
    want_context, cand_context = effective_contexts(want, cand, a_sim)
    cand_versions = candidate_versions(wt, cand, reading)
    factor, severity, v_reasons = version_mismatch(
        wt.anatomy,
        cand_versions,
        want_context,
        cand_context,
        want_explicit=want.explicit,
        settings=settings,
    )
    if cand.release_note or want.release_note:
        v_reasons = tuple(with_note(r, want, cand) for r in v_reasons)
    dated, d_level, d_reasons = dated_check(want, wt, cand_versions)
    if d_level is not None:
        factor *= settings.hard_version_factor
        severity = "hard"
    v_reasons = (*v_reasons, *d_reasons)
    p_level, p_reasons = performance_check(want, cand)
    if p_level is not None:
        factor *= (
            settings.hard_version_factor if p_level == "hard" else settings.medium_version_factor
        )
        v_reasons = (*v_reasons, *p_reasons)
        if severity != "hard":
            severity = p_level
    collective = collective_rerecording(want, cand, reading)
    if collective is not None:
        factor *= settings.hard_version_factor
        v_reasons = (*v_reasons, collective)
        severity = "hard"
    f_factor, f_reasons = feature_check(want, cand, reading, settings)
    if f_reasons:
        factor *= f_factor
        v_reasons = (*v_reasons, *f_reasons)
        if f_factor < 0.9 and severity in (None, "soft"):
            severity = "medium"
    isrc_same = (want.isrc == cand.isrc) if want.isrc and cand.isrc else None
    various_credit = (
        artist is not None
        and artist[1] == "candidate credited to Various Artists"
        and CAST_ALBUM_RE.search(ascii_key(cand.album or "")) is not None
    )
    explains_length = bool((wt.anatomy.kinds | cand_versions.kinds) & LENGTH_KINDS)
    v_reasons_t = tuple(v_reasons)
    # Everything the part is made of (the weights come from the settings,
    # which are the same for the whole memo).
    key = (
        reading.how,
        t_sim,
        t_reason,
        artist,
        a_sim,
        a_reason,
        factor,
        severity,
        v_reasons_t,
        isrc_same,
        cand.isrc,
        dated,
        various_credit,
        explains_length,
    )
    if interned is not None:
        known = interned.get(key)
        if known is not None:
            return known
    fields = [FieldScore("title", t_sim, settings.title_weight, t_reason)]
    if artist is not None:
        fields.append(FieldScore("artist", artist[0], settings.artist_weight, artist[1]))
    if a_sim is not None:
        fields.append(FieldScore("album", a_sim, settings.album_weight, a_reason))
    static = _Static(
        reading=reading,
        fields=tuple(fields),
        t_sim=t_sim,
        artist_sim=artist[0] if artist is not None else None,
        factor=factor,
        severity=severity,
        v_reasons=v_reasons_t,
        isrc_same=isrc_same,
        want_isrc=want.isrc,
        cand_isrc=cand.isrc,
        dated=dated,
        various_credit=various_credit,
        explains_length=explains_length,
    )
    if interned is not None:
        interned[key] = static
    return static


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
