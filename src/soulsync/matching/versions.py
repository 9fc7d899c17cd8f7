"""Version comparison: which descriptor differences cost how much.

Hard mismatches (another recording: remix, live, acoustic, instrumental, a
cappella, demo, cover, karaoke, sped up/slowed, re-recorded, reprise, a
language version, a processed upload such as 8D or 432 Hz)
multiply the score by ``hard_version_factor``; edits and extended mixes by
``medium_version_factor``; named alternate versions ("Piano Version", "2019
Mix") and an extra featured artist by ``alternate_version_factor``;
remaster, mono/stereo and clean/explicit only by a few configurable points
(soft). A version implied by an album or folder name ("Live at Leeds")
counts only when the other side shows no sign of it.
"""

from __future__ import annotations

from functools import lru_cache

from soulsync.matching.anatomy import (
    TitleAnatomy,
    VersionKind,
)
from soulsync.matching.credits import name_similarity, split_credit
from soulsync.matching.normalize import ascii_key, whole_word_in
from soulsync.matching.prepared import Prepared, PreparedTitle
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = ["HARD_KINDS", "MEDIUM_KINDS", "SOFT_KINDS", "feature_check", "version_mismatch"]

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
        VersionKind.LANGUAGE,
        VersionKind.PROCESSED,
        VersionKind.FAN_MADE,
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


@lru_cache(maxsize=8192)
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
        (wk & ck)
        & {VersionKind.REMIX, VersionKind.LIVE, VersionKind.ALTERNATE, VersionKind.LANGUAGE},
        key=str,
    ):
        wd, cd = want.detail_of(kind), cand.detail_of(kind)
        if wd and cd and name_similarity(wd, cd) < 0.7 and not (wd in cd or cd in wd):
            level = "hard" if kind in (VersionKind.REMIX, VersionKind.LANGUAGE) else "medium"
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


def feature_check(
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
