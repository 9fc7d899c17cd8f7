"""Grouping Soulseek results for the search page."""

from __future__ import annotations

import pytest

from soulsync.domain import SearchResponse, SoulseekFile
from soulsync.matching.settings import DEFAULT_QUALITY_PROFILE
from soulsync.web.search_results import flat_files, group_results, relevance


def f(user: str, path: str, **kw: object) -> SoulseekFile:
    return SoulseekFile(user, path, 1000, **kw)  # type: ignore[arg-type]


ALBUM = [
    f(
        "a",
        "@@a\\Music\\Daft Punk\\Discovery\\01 One More Time.flac",
        bit_depth=16,
        sample_rate=44100,
    ),
    f(
        "a",
        "@@a\\Music\\Daft Punk\\Discovery\\02 Aerodynamic.flac",
        bit_depth=16,
        sample_rate=44100,
    ),
    f(
        "a",
        "@@a\\Music\\Daft Punk\\Discovery\\03 Digital Love.flac",
        bit_depth=16,
        sample_rate=44100,
    ),
]
SINGLE = f("b", "@@b\\mp3\\Daft Punk - One More Time.mp3", bit_rate=128)


def test_flat_files_skips_locked_and_non_audio() -> None:
    responses = [
        SearchResponse("a", (*ALBUM, f("a", "@@a\\x\\cover.jpg"))),
        SearchResponse("b", (SINGLE, f("b", "@@b\\y\\z.flac", is_locked=True))),
    ]
    assert flat_files(responses) == [*ALBUM, SINGLE]


def test_folders_become_albums_and_lone_files_tracks() -> None:
    groups = group_results("daft punk one more time", [*ALBUM, SINGLE], DEFAULT_QUALITY_PROFILE)
    kinds = sorted(g.kind for g in groups)
    assert kinds == ["album", "track"]
    album = next(g for g in groups if g.kind == "album")
    assert [r.index for r in album.files] == [0, 1, 2]  # indexes into the flat list
    assert [r.track for r in album.files] == [1, 2, 3]
    assert album.size == 3000 and album.formats == ("flac",)
    track = next(g for g in groups if g.kind == "track")
    assert track.files[0].index == 3
    assert [g.index for g in groups] == list(range(len(groups)))
    # The lossless folder ranks better on quality than the 128 kbps mp3.
    assert album.quality_rank < track.quality_rank


@pytest.mark.parametrize(
    ("query", "path", "expected"),
    [
        ("daft punk discovery", "@@a\\Music\\Daft Punk\\Discovery\\01.flac", 100),
        ("daft punk homework", "@@a\\Music\\Daft Punk\\Discovery\\01.flac", 67),
        ("", "@@a\\x.flac", 0),
        ("punk", "@@a\\Punkrock\\x.flac", 0),  # whole words only
    ],
)
def test_relevance(query: str, path: str, expected: int) -> None:
    assert relevance(query, path) == expected
