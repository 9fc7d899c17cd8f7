"""Pure helpers of the sandbox library seed and the folder library."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from soulsync.domain import LibraryTrack
from soulsync.providers.folder import library_stats
from soulsync.sandbox.library_seed import (
    library_seed_tracks,
    relative_path,
    safe_segment,
    synthetic_tracks,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AC/DC", "AC_DC"),
        ('What? "Now"', "What_ _Now_"),
        ("trailing dots...", "trailing dots"),
        ("  ", "_"),
        ("Кино", "Кино"),
    ],
)
def test_safe_segment(text: str, expected: str) -> None:
    assert safe_segment(text) == expected


@pytest.mark.parametrize(
    ("disc", "discs", "track", "name"),
    [(1, 1, 3, "03 Song.flac"), (2, 2, 3, "2-03 Song.flac")],
)
def test_relative_path_layout(disc: int, discs: int, track: int, name: str) -> None:
    assert relative_path("Art", "Alb", disc, discs, track, "Song") == PurePosixPath(
        "Art", "Art - Alb", name
    )


def test_seed_is_the_catalogue_library() -> None:
    seeds = library_seed_tracks()
    assert len(seeds) == 12
    uptown = next(s for s in seeds if s.title == "Uptown Funk")
    assert uptown.artists == ("Mark Ronson", "Bruno Mars")
    assert uptown.artist == "Mark Ronson & Bruno Mars"
    assert uptown.album_artist == "Mark Ronson"
    assert str(uptown.relpath) == "Mark Ronson/Mark Ronson - Uptown Special/01 Uptown Funk.flac"


def test_synthetic_tracks_are_deterministic_and_varied() -> None:
    first, second = synthetic_tracks(500), synthetic_tracks(500)
    assert first == second
    assert len({s.relpath for s in first}) == 500
    assert any(s.artist != s.album_artist for s in first)
    assert any(not s.title.isascii() for s in first)
    assert len({s.album_artist for s in first}) == 500 // 48 + 1


def test_library_stats_counts() -> None:
    tracks = [
        LibraryTrack(
            "1", "A", "X", album="P", album_artist="X", duration_ms=1000, path="/m/a.flac"
        ),
        LibraryTrack(
            "2", "B", "X feat. Y", album="P", album_artist="X", duration_ms=2000, path="/m/b.MP3"
        ),
        LibraryTrack("3", "C", "Z", album=None, duration_ms=None, path=None),
    ]
    stats = library_stats(tracks)
    assert (stats.tracks, stats.artists, stats.albums, stats.duration_ms) == (3, 2, 1, 3000)
    assert stats.formats == {"?": 1, "flac": 1, "mp3": 1}
