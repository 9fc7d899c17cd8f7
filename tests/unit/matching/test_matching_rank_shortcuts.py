"""Ranking's shortcuts (memo, interned parts, pruned readings) change no score.

``compare`` skips readings whose title cannot beat the best so far and
shares the duration-free part between paths; here every file of a mixed
search is also scored the slow way, reading by reading, with nothing
shared, and the two must agree to the last digit and reason.
"""

from __future__ import annotations

import random

import pytest

from soulsync.domain import SoulseekFile, Track
from soulsync.matching.evidence import title_similarity
from soulsync.matching.prepared import prepare_path
from soulsync.matching.rank import rank_soulseek_files
from soulsync.matching.score import Score, _duration_evidence, _static, prepare
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

WANTS = [
    Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000),
    # A movement title may be rescued by its folder: no title bound applies.
    Track(
        "Goldberg Variations, BWV 988: Aria",
        ("Johann Sebastian Bach", "Glenn Gould"),
        album="Bach: The Goldberg Variations (1981)",
        duration_ms=185_000,
    ),
]
NAMES = [
    "{n:02d} {t}",
    "{n:02d} - {a} - {t}",
    "{a} - {t} (Live)",
    "{n:02d} {t} - Remix",
    "{n:02d} Aria",
    "{n:02d} {junk}",
    "{junk} - {t}",
    "{t} - {a}",
    "{n:02d}. {junk} (Remastered 2011)",
]
FOLDERS = [
    r"Music\{a}\{al}",
    r"{a} - {al} (2001) [FLAC]",
    r"mp3\{al}",
    r"Electronic\{a}\2001 - {al}",
    r"Classical\Bach - Goldberg Variations BWV 988 - Gould 1981",
]


def _files(want: Track, count: int, seed: int) -> list[SoulseekFile]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        junk = " ".join(rng.choice(["ka", "lo", "mi", "ra", "love", "digital"]) for _ in range(3))
        name = rng.choice(NAMES).format(n=i % 12 + 1, t=want.title, a=want.artists[0], junk=junk)
        folder = rng.choice(FOLDERS).format(a=want.artists[0], al=want.album)
        out.append(
            SoulseekFile(
                username=f"p{i}",
                filename=f"@@p{i}\\{folder}\\{name}.flac",
                size=30_000_000,
                length=(want.duration_ms or 0) // 1000 + rng.randint(-5, 25),
            )
        )
    return out


def _slow_score(want: Track, file: SoulseekFile, settings: MatchSettings) -> Score:
    """Every reading scored on its own; the best wins, the first on ties (as compare does)."""
    w, root = prepare(want), prepare_path(file.filename)
    length = file.length * 1000 if file.length is not None else None
    d_sim, d_reason = _duration_evidence(w.duration_ms, length, settings)
    best: Score | None = None
    order = sorted(
        range(len(root.titles)),
        key=lambda i: (-title_similarity(w.titles[0], root.titles[i])[0], i),
    )
    for i in order:
        score = _static(w, root, root.titles[i], settings).finish(w, d_sim, d_reason, settings)
        if best is None or score.value > best.value:
            best = score
    assert best is not None
    return best


@pytest.mark.parametrize("want", WANTS, ids=["pop", "movement"])
def test_shortcuts_give_the_scores_of_the_slow_way(want: Track) -> None:
    files = _files(want, 400, seed=7)
    result = rank_soulseek_files(want, files)
    ranked = [*result.candidates, *result.rejected]
    assert len(ranked) == len(files)
    scored = [r for r in ranked if r.score.fields]
    assert len(scored) > 300  # far-off lengths are the only unscored files
    for r in scored:
        slow = _slow_score(want, r.file, DEFAULT_SETTINGS)
        assert (r.score.value, r.score.reasons, r.score.reading) == (
            slow.value,
            slow.reasons,
            slow.reading,
        ), r.file.filename


def test_factors_above_one_are_refused() -> None:
    """The title bound relies on factors only lowering a score."""
    with pytest.raises(ValueError, match="hard_version_factor must be between 0 and 1"):
        MatchSettings(hard_version_factor=1.5)
