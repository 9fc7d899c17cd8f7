"""Library index: owned / uncertain / missing for whole playlists."""

from __future__ import annotations

import pytest

from soulsync.domain import LibraryTrack, Track
from soulsync.matching.index import LibraryIndex, OwnedStatus

LIBRARY = [
    LibraryTrack(
        "1",
        "Blinding Lights",
        "The Weeknd",
        "After Hours",
        duration_ms=200_000,
        path="/m/w/bl.flac",
    ),
    LibraryTrack(
        "2",
        "Blinding Lights (Chromatics Remix)",
        "The Weeknd",
        "After Hours (Remixes)",
        duration_ms=331_000,
    ),
    LibraryTrack("3", "Hello", "Lionel Richie", "Can't Slow Down", duration_ms=248_000),
    LibraryTrack("4", "Hello, Goodbye", "The Beatles", "Magical Mystery Tour", duration_ms=208_000),
    LibraryTrack("5", "Group blood", "Kino", None, duration_ms=None),
    LibraryTrack("6", "Группа крови", "Кино", "Группа крови", duration_ms=287_000),
    LibraryTrack("7", "Bohemian Rhapsody", "Queen", "Live Killers", duration_ms=357_000),
    LibraryTrack("8", "Satisfaction", "The Rolling Stones", "Forty Licks", duration_ms=223_000),
    LibraryTrack("9", "Blindng Lites", "Weeknd", "After Hours", duration_ms=200_000),
]


@pytest.fixture(scope="module")
def index() -> LibraryIndex:
    return LibraryIndex(LIBRARY)


@pytest.mark.parametrize(
    ("want", "status", "track_id"),
    [
        (
            Track("Blinding Lights", ("The Weeknd",), "After Hours", duration_ms=200_040),
            OwnedStatus.OWNED,
            "1",
        ),
        (Track("Blinding Lights - Chromatics Remix", ("The Weeknd",)), OwnedStatus.OWNED, "2"),
        (Track("Hello", ("Adele",), "25", duration_ms=295_000), OwnedStatus.MISSING, None),
        (Track("Hello, Goodbye - Remastered 2009", ("The Beatles",)), OwnedStatus.OWNED, "4"),
        (Track("Gruppa krovi", ("Kino",), duration_ms=287_000), OwnedStatus.OWNED, "6"),
        (
            Track("Bohemian Rhapsody", ("Queen",), "A Night at the Opera", duration_ms=355_000),
            OwnedStatus.MISSING,
            None,
        ),
        (
            Track("(I Can't Get No) Satisfaction - Mono Version", ("The Rolling Stones",)),
            OwnedStatus.OWNED,
            "8",
        ),
        (Track("Nothing Like This", ("Nobody",)), OwnedStatus.MISSING, None),
    ],
)
def test_check(index: LibraryIndex, want: Track, status: OwnedStatus, track_id: str | None) -> None:
    answer = index.check(want)
    assert answer.status is status, answer.explain()
    if track_id is not None:
        assert answer.track is not None and answer.track.id == track_id
        assert answer.score is not None and answer.score.value >= 0.8
    assert answer.explain().startswith(status.value)


def test_check_many_keeps_order(index: LibraryIndex) -> None:
    wants = [Track("Hello", ("Lionel Richie",)), Track("Blinding Lights", ("The Weeknd",))]
    answers = index.check_many(wants)
    assert [a.want for a in answers] == wants
    assert [a.track.id if a.track else None for a in answers] == ["3", "1"]


def test_typo_in_every_title_word_falls_back_to_the_artist_block() -> None:
    index = LibraryIndex([LibraryTrack("x", "Blindng Lites", "The Weeknd", duration_ms=200_000)])
    assert index.block(Track("Blinding Lights", ("The Weeknd",))) == [0]
    answer = index.check(Track("Blinding Lights", ("The Weeknd",), duration_ms=200_000))
    assert answer.status in (OwnedStatus.OWNED, OwnedStatus.UNCERTAIN)


def test_uncertain_band() -> None:
    index = LibraryIndex(
        [LibraryTrack("x", "Someone Like You", "Adele", "21", duration_ms=330_000)]
    )
    answer = index.check(Track("Someone Like You", ("Adele",), "21", duration_ms=285_000))
    assert answer.status is OwnedStatus.UNCERTAIN
    assert "duration 45 s off" in answer.explain()


def test_empty_index_answers_missing() -> None:
    answer = LibraryIndex([]).check(Track("Anything", ("Anyone",)))
    assert answer.status is OwnedStatus.MISSING and answer.track is None
    assert len(LibraryIndex([])) == 0
