"""Soulseek filename anatomy."""

from __future__ import annotations

import pytest

from soulsync.matching.filename import parse_path, split_remote_path

CASES = [
    # path, artist, album, year, disc, track, (artist, title) that must be among the readings
    (
        r"@@user\Music\Daft Punk\2001 - Discovery [FLAC]\03. Digital Love.flac",
        "Daft Punk",
        "Discovery",
        2001,
        None,
        3,
        ("Daft Punk", "Digital Love"),
    ),
    (
        r"@@abc\shared\Daft_Punk-Discovery-2001-FTD\03-daft_punk-digital_love-ftd.mp3",
        "Daft Punk",
        "Discovery",
        2001,
        None,
        3,
        ("daft punk", "digital love"),
    ),
    (
        r"@@x\Music\Jay-Z\The Black Album\05 - Jay-Z - 99 Problems.mp3",
        "Jay-Z",
        "The Black Album",
        None,
        None,
        5,
        ("Jay-Z", "99 Problems"),
    ),
    (r"@@x\mp3\99 Problems.mp3", None, None, None, None, 99, (None, "99 Problems")),
    (
        r"@@x\Music\Pink Floyd\The Wall (1979)\CD1\05 Another Brick in the Wall, Pt. 2.flac",
        "Pink Floyd",
        "The Wall",
        1979,
        1,
        5,
        ("Pink Floyd", "Another Brick in the Wall, Pt. 2"),
    ),
    (
        r"@@x\Music\Smashing Pumpkins - Mellon Collie\Disc 2\1979.flac",
        "Smashing Pumpkins",
        "Mellon Collie",
        None,
        2,
        None,
        ("Smashing Pumpkins", "1979"),
    ),
    (
        r"@@x\Downloads\The Weeknd - Blinding Lights (Official Audio) [320].mp3",
        None,
        None,
        None,
        None,
        None,
        ("The Weeknd", "Blinding Lights"),
    ),
    (
        r"@@x\Music\Adele\25\Adele - 01 - Hello.mp3",
        "Adele",
        "25",
        None,
        None,
        None,
        ("Adele", "Hello"),
    ),
    (
        r"@@x\OK Computer\B3 Karma Police.flac",
        None,
        "OK Computer",
        None,
        None,
        3,
        (None, "Karma Police"),
    ),
    (
        r"C:\Users\bob\Music\Nirvana\Nevermind\Smells Like Teen Spirit - Nirvana.mp3",
        "Nirvana",
        "Nevermind",
        None,
        None,
        None,
        ("Nirvana", "Smells Like Teen Spirit"),
    ),
    (
        r"@@f\Radiohead - Creep (Live at Glastonbury 1997).mp3",
        None,
        None,
        None,
        None,
        None,
        ("Radiohead", "Creep (Live at Glastonbury 1997)"),
    ),
    ("@@u/Music/Artist/Album/01 Title.ogg", "Artist", "Album", None, None, 1, ("Artist", "Title")),
]


@pytest.mark.parametrize(("path", "artist", "album", "year", "disc", "track", "reading"), CASES)
def test_parse_path(
    path: str,
    artist: str | None,
    album: str | None,
    year: int | None,
    disc: int | None,
    track: int | None,
    reading: tuple[str | None, str],
) -> None:
    anatomy = parse_path(path)
    assert (anatomy.artist, anatomy.album, anatomy.year, anatomy.disc, anatomy.track) == (
        artist,
        album,
        year,
        disc,
        track,
    )
    assert reading in [(r.artist, r.title) for r in anatomy.readings]


def test_split_remote_path_drops_share_root_and_drive() -> None:
    assert split_remote_path(r"@@abcd\Music\A\b.mp3") == (["Music", "A"], "b.mp3")
    assert split_remote_path(r"D:\x\y.flac") == (["x"], "y.flac")
    assert split_remote_path("") == ([], "")


def test_extension_and_path_key() -> None:
    anatomy = parse_path(r"@@u\Beyoncé\Halo.FLAC")
    assert anatomy.extension == "flac"
    assert anatomy.path_key == "beyonce halo flac"


# Issue 13: titles that are bare numbers ("22", "7") are not track numbers.
@pytest.mark.parametrize(
    ("path", "title", "artist"),
    [
        (
            r"@@m\mp3\Taylor Swift - Red (2012) [320]\Taylor Swift - 01 - 22.mp3",
            "22",
            "Taylor Swift",
        ),
        (r"@@m\x\Catfish and the Bottlemen - 7.mp3", "7", "Catfish and the Bottlemen"),
        (
            r"@@m\Music\Daft Punk\Discovery\Daft Punk - 03 - Digital Love.mp3",
            "Digital Love",
            "Daft Punk",
        ),
    ],
)
def test_numeric_titles_survive(path: str, title: str, artist: str) -> None:
    readings = {(r.title, r.artist) for r in parse_path(path).readings}
    assert (title, artist) in readings
