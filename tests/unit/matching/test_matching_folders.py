"""Album folders: one-to-one assignment and folder ranking."""

from __future__ import annotations

import random

import pytest

from soulsync.domain import Album, SoulseekFile, Track
from soulsync.matching.folders import assign_files, folder_key, rank_album_folders

DISCOVERY = [
    ("One More Time", 320),
    ("Aerodynamic", 212),
    ("Digital Love", 301),
    ("Harder, Better, Faster, Stronger", 224),
    ("Crescendolls", 212),
    ("Nightvision", 104),
    ("Superheroes", 238),
    ("High Life", 202),
    ("Something About Us", 232),
    ("Voyager", 227),
    ("Veridis Quo", 345),
    ("Short Circuit", 206),
    ("Face to Face", 240),
    ("Too Long", 600),
]
TRACKS = [
    Track(t, ("Daft Punk",), album="Discovery", track_number=i + 1, duration_ms=s * 1000)
    for i, (t, s) in enumerate(DISCOVERY)
]
ALBUM = Album("Discovery", ("Daft Punk",), tracks=tuple(TRACKS))


def folder(
    user: str, root: str, names: list[tuple[int, str, int]], ext: str = "flac", **kw: object
) -> list[SoulseekFile]:
    return [
        SoulseekFile(user, f"{root}\\{n:02d} - {t}.{ext}", 1_000, length=s, **kw)  # type: ignore[arg-type]
        for n, t, s in names
    ]


def full(user: str, root: str, ext: str = "flac", **kw: object) -> list[SoulseekFile]:
    return folder(user, root, [(i + 1, t, s) for i, (t, s) in enumerate(DISCOVERY)], ext, **kw)


def test_assignment_is_one_to_one_even_when_shuffled() -> None:
    files = full("a", r"@@a\Daft Punk - Discovery")
    random.Random(7).shuffle(files)
    result = assign_files(TRACKS, files)
    assert len(result.pairs) == 14 and not result.missing_tracks and not result.unmatched_files
    for index, file, sim in result.pairs:
        assert TRACKS[index].title in file.filename
        assert sim >= 0.9


def test_missing_tracks_and_extra_files_are_reported() -> None:
    files = [f for f in full("a", r"@@a\Discovery") if "Voyager" not in f.filename]
    files.append(SoulseekFile("a", r"@@a\Discovery\15 - Digital Love (Live).flac", 1, length=310))
    files.append(SoulseekFile("a", r"@@a\Discovery\Interview.flac", 1, length=900))
    result = assign_files(TRACKS, files)
    assert result.missing_tracks == (9,)
    assert {f.filename.rsplit("\\", 1)[1] for f in result.unmatched_files} == {
        "15 - Digital Love (Live).flac",
        "Interview.flac",
    }
    assert result.coverage == pytest.approx(13 / 14)


def test_empty_inputs() -> None:
    assert assign_files(TRACKS, []).missing_tracks == tuple(range(14))
    assert assign_files([], full("a", "x")).unmatched_files


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (r"@@a\Music\Album\CD1\01 x.flac", ("a", r"@@a\Music\Album")),
        (r"@@a\Music\Album\Disc 2\01 x.flac", ("a", r"@@a\Music\Album")),
        (r"@@a\Music\Album\01 x.flac", ("a", r"@@a\Music\Album")),
        (r"@@a\Music\CDs\01 x.flac", ("a", r"@@a\Music\CDs")),
    ],
)
def test_disc_folders_merge_into_their_parent(path: str, expected: tuple[str, str]) -> None:
    assert folder_key(SoulseekFile("a", path, 1)) == expected


def test_rank_album_folders_prefers_complete_then_quality() -> None:
    partial = full("partial", r"@@p\Daft Punk\Discovery (2001) [FLAC 24-96]", bit_depth=24)[:9]
    mp3 = full("mp3", r"@@m\Daft Punk - Discovery (2001) [320]", "mp3", bit_rate=320)
    flac = full("flac", r"@@f\Music\Daft Punk\Discovery", bit_depth=16)
    other = folder(
        "other", r"@@o\Daft Punk\Homework", [(7, "Around the World", 429), (4, "Da Funk", 328)]
    )
    ranked = rank_album_folders(ALBUM, [*partial, *mp3, *flac, *other])
    assert [r.username for r in ranked][:3] == ["flac", "mp3", "partial"]
    assert ranked[0].reasons[0] == "14/14 tracks matched"
    assert any(r.startswith("missing: ") for r in ranked[2].reasons)


def test_rank_album_folders_skips_ignored_peers_and_locked_files() -> None:
    good = full("good", r"@@g\Daft Punk - Discovery", bit_depth=16)
    locked = full("locked", r"@@l\Daft Punk - Discovery", is_locked=True)
    ranked = rank_album_folders(TRACKS, [*good, *locked], peer_failures={"good": 5})
    assert ranked == []
