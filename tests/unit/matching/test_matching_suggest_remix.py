"""Artist suggestions for the matched-download modal, and the remix policy."""

from __future__ import annotations

import pytest

from soulsync.domain import Album, Artist, SoulseekFile, Track
from soulsync.matching.remix import RemixArtistPolicy, remix_credit
from soulsync.matching.suggest import suggest_artists

PATH = r"@@u\Music\Daft Punk\2001 - Discovery\03. Digital Love.flac"


def test_suggestions_combine_path_and_metadata() -> None:
    tracks = [
        Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000),
        Track("Digital Love", ("Mindless Self Indulgence",), duration_ms=180_000),
        Track("Digital Love (Live)", ("Daft Punk Tribute Band",), duration_ms=301_000),
    ]
    artists = [Artist("Daft Punk"), Artist("Daft Punk Tribute Band"), Artist("Punk Rock Factory")]
    albums = [Album("Discovery", ("Daft Punk",))]
    file = SoulseekFile("u", PATH, 1, length=301)
    result = suggest_artists(file, artists=artists, tracks=tracks, albums=albums)
    assert 1 <= len(result) <= 5
    assert result[0].name == "Daft Punk" and result[0].percent >= 90
    assert result[0].artist is artists[0]
    assert result[0].track is tracks[0] and result[0].album is albums[0]
    assert [s.percent for s in result] == sorted((s.percent for s in result), reverse=True)
    others = {s.name: s.percent for s in result[1:]}
    assert others["Mindless Self Indulgence"] < 60
    assert any("name in path" in r for r in result[0].reasons)


def test_path_only_still_suggests_the_path_artist() -> None:
    result = suggest_artists(r"@@u\mp3\Kendrick Lamar - HUMBLE..mp3")
    assert [s.name for s in result] == ["Kendrick Lamar", "HUMBLE"]
    assert result[0].artist is None and result[0].percent > result[1].percent >= 20


def test_folder_of_files() -> None:
    files = [
        SoulseekFile("u", rf"@@u\Radiohead - OK Computer\0{i}. {t}.flac", 1, length=s)
        for i, (t, s) in enumerate(
            [("Airbag", 284), ("Paranoid Android", 383), ("Karma Police", 261)], start=1
        )
    ]
    tracks = [
        Track(t, ("Radiohead",), duration_ms=s * 1000)
        for t, s in [("Airbag", 284), ("Paranoid Android", 383), ("Karma Police", 261)]
    ]
    tracks.append(Track("Paranoid Android", ("Brad Mehldau",), duration_ms=512_000))
    result = suggest_artists(
        files, tracks=tracks, albums=[Album("OK Computer", ("Radiohead",))], limit=2
    )
    assert [s.name for s in result] == ["Radiohead", "Brad Mehldau"]
    assert result[0].percent > 80 > result[1].percent


def test_empty_input() -> None:
    assert suggest_artists([]) == []


@pytest.mark.parametrize(
    ("track", "policy", "artists", "contributing", "remixers"),
    [
        (
            Track("Blinding Lights - Chromatics Remix", ("The Weeknd", "Chromatics")),
            RemixArtistPolicy.REMIXER,
            ("Chromatics",),
            ("The Weeknd",),
            ("Chromatics",),
        ),
        (
            Track("Blinding Lights - Chromatics Remix", ("The Weeknd",)),
            RemixArtistPolicy.REMIXER,
            ("Chromatics",),
            ("The Weeknd",),
            ("Chromatics",),
        ),
        (
            Track("Blinding Lights - Chromatics Remix", ("The Weeknd",)),
            RemixArtistPolicy.ORIGINAL,
            ("The Weeknd",),
            ("Chromatics",),
            ("Chromatics",),
        ),
        (
            Track("Midnight City (Eric Prydz Private Remix)", ("M83",)),
            RemixArtistPolicy.REMIXER,
            ("Eric Prydz",),
            ("M83",),
            ("Eric Prydz",),
        ),
        (
            Track("Titanium (feat. Sia) - David Guetta Remix", ("David Guetta", "Sia")),
            RemixArtistPolicy.REMIXER,
            ("David Guetta",),
            ("Sia",),
            ("David Guetta",),
        ),
        (
            Track("Save Your Tears (Remix)", ("The Weeknd", "Ariana Grande")),
            RemixArtistPolicy.REMIXER,
            ("The Weeknd", "Ariana Grande"),
            (),
            (),
        ),
        (Track("Hello", ("Adele",)), RemixArtistPolicy.REMIXER, ("Adele",), (), ()),
    ],
)
def test_remix_credit(
    track: Track,
    policy: RemixArtistPolicy,
    artists: tuple[str, ...],
    contributing: tuple[str, ...],
    remixers: tuple[str, ...],
) -> None:
    credit = remix_credit(track, policy)
    assert (credit.artists, credit.contributing, credit.remixers) == (
        artists,
        contributing,
        remixers,
    )
    assert credit.is_remix is ("Remix" in track.title)
