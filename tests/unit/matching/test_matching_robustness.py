"""Hostile input: remote paths and titles are untrusted text; nothing may crash."""

from __future__ import annotations

import random
import string

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching import (
    LibraryIndex,
    assign_files,
    metadata_queries_for_path,
    parse_path,
    parse_title,
    query_ladder,
    rank_soulseek_files,
    remix_credit,
    score_track,
    split_credit,
    suggest_artists,
)

ALPHABET = string.printable + "éøßБЖ米津&()[]{}-–—_.\\/@$!+x feat ft. ×★🎵\u200b\u0301\x00"


def test_random_hostile_strings_never_crash_and_stay_in_range() -> None:
    rng = random.Random(20261123)

    def rs(n: int = 30) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, n)))

    for i in range(600):
        want = Track(
            rs(),
            tuple(rs(12) for _ in range(rng.randint(0, 3))),
            album=rs() if rng.random() < 0.5 else None,
            duration_ms=rng.choice([None, rng.randint(0, 10**6)]),
        )
        file = SoulseekFile(
            rs(8), rs(160), rng.randint(0, 10**8), length=rng.choice([None, rng.randint(0, 4000)])
        )
        owned = LibraryTrack(str(i), rs(), rs(15), rs() if rng.random() < 0.5 else None)
        for candidate in (file, owned, Track(rs(), (rs(),))):
            score = score_track(want, candidate)
            assert 0.0 <= score.value <= 1.0
            assert isinstance(score.explain(), str)
        rank_soulseek_files(want, [file])
        parse_path(rs(300))
        parse_title(rs(100))
        split_credit(rs(40), known=[rs(10)])
        for query in query_ladder(want):
            assert query.text
        metadata_queries_for_path(rs(120))
        remix_credit(want)
        if i % 50 == 0:
            LibraryIndex([owned]).check(want)
            suggest_artists([file])
            assign_files([want], [file])


def test_very_long_path_is_handled() -> None:
    path = "@@u\\" + "\\".join(["folder" * 40] * 50) + "\\" + "x" * 5000 + ".flac"
    anatomy = parse_path(path)
    assert anatomy.extension == "flac"
    assert score_track(Track("x", ("y",)), SoulseekFile("u", path, 1)).value <= 1.0
