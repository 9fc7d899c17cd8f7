"""The Soulseek query ladder."""

from __future__ import annotations

import pytest

from soulsync.domain import Track
from soulsync.matching.queries import (
    TITLE_FIRST_ORDER,
    QueryStep,
    clean_query,
    metadata_queries_for_path,
    query_ladder,
    slskd_form,
)


@pytest.mark.parametrize(
    ("track", "expected"),
    [
        (
            Track("Yesterday - Remastered 2009", ("The Beatles",), album="Help!"),
            [
                ("the beatles yesterday", QueryStep.ARTIST_TITLE),
                ("beatles yesterday", QueryStep.PRIMARY_ARTIST),
                ("yesterday", QueryStep.TITLE_ONLY),
                ("*eatles yesterday", QueryStep.WILDCARD),
            ],
        ),
        (
            Track("Jóga", ("Björk",), duration_ms=305_000),
            [
                ("björk jóga", QueryStep.ARTIST_TITLE),
                ("bjork joga", QueryStep.NO_DIACRITICS),
                ("joga", QueryStep.TITLE_ONLY),
            ],
        ),
        (
            Track("Umbrella", ("Rihanna", "JAY-Z")),
            [
                ("rihanna jay umbrella", QueryStep.ARTIST_TITLE),
                ("rihanna umbrella", QueryStep.NO_FEAT),
                ("umbrella", QueryStep.TITLE_ONLY),
                ("*ihanna umbrella", QueryStep.WILDCARD),
            ],
        ),
        (
            Track("Blinding Lights - Chromatics Remix", ("The Weeknd", "Chromatics")),
            [
                ("the weeknd chromatics blinding lights chromatics remix", QueryStep.ARTIST_TITLE),
                ("the weeknd blinding lights chromatics remix", QueryStep.NO_FEAT),
                ("weeknd blinding lights chromatics remix", QueryStep.PRIMARY_ARTIST),
                ("blinding lights chromatics remix", QueryStep.TITLE_ONLY),
                ("*eeknd blinding lights chromatics remix", QueryStep.WILDCARD),
            ],
        ),
        (
            Track("Save Your Tears (with Ariana Grande)", ("The Weeknd", "Ariana Grande")),
            [
                ("the weeknd save your tears", QueryStep.ARTIST_TITLE),
                ("weeknd save your tears", QueryStep.PRIMARY_ARTIST),
                ("save your tears", QueryStep.TITLE_ONLY),
                ("*eeknd save your tears", QueryStep.WILDCARD),
            ],
        ),
    ],
)
def test_ladder(track: Track, expected: list[tuple[str, QueryStep]]) -> None:
    assert [(q.text, q.step) for q in query_ladder(track)] == expected


def test_album_and_duration_never_in_a_query() -> None:
    track = Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000)
    for query in query_ladder(track):
        assert "discovery" not in query.text and "301" not in query.text


def test_title_first_order_is_configurable() -> None:
    texts = [q.text for q in query_ladder(Track("Digital Love", ("Daft Punk",)), TITLE_FIRST_ORDER)]
    assert texts == ["digital love", "daft punk digital love"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AC/DC - Back In Black", "ac dc back in black"),
        ("Guns N' Roses: Sweet Child O' Mine!", "guns n roses sweet child o mine"),
        ("Beyoncé & JAY-Z", "beyoncé jay z"),
        ("???", "???"),
    ],
)
def test_clean_query_like_slsk_batchdl(raw: str, expected: str) -> None:
    assert clean_query(raw) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            r"@@u\Music\Daft Punk\Discovery\03. Digital Love.flac",
            ["daft punk digital love", "digital love"],
        ),
        (
            r"@@u\mp3\Kendrick Lamar - HUMBLE..mp3",
            ["kendrick lamar humble", "humble kendrick lamar", "humble"],
        ),
        (
            r"@@a\shared\Daft_Punk-Discovery-2001-FTD\03-daft_punk-digital_love-ftd.mp3",
            [
                "daft punk digital love",
                "daft punk ftd",
                "daft punk digital love ftd",
                "ftd daft punk",
            ],
        ),
        (r"@@x\mp3\99 Problems.mp3", ["99 problems", "problems"]),
        (r"@@x\Smashing Pumpkins\Mellon Collie\1979.flac", ["smashing pumpkins 1979", "1979"]),
        (
            r"@@x\Downloads\The Weeknd - Blinding Lights (Official Audio) [320].mp3",
            ["the weeknd blinding lights", "blinding lights the weeknd", "blinding lights"],
        ),
    ],
)
def test_metadata_queries_for_path(path: str, expected: list[str]) -> None:
    assert metadata_queries_for_path(path) == expected


# Soulseek.NET drops one-character terms and refuses (400) a search with no
# longer term: SearchQuery.cs / SoulseekClient.cs in jpdillingham/Soulseek.NET.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prince u", "prince"),
        ("u", None),
        ("7", None),
        ("o o c", None),
        ("x u", None),
        ("22", "22"),
        ("daft punk one more time", "daft punk one more time"),
        ("a -live", None),  # an exclusion alone is no term
        ("ab -live c", "ab -live"),
        ("*u", "*u"),  # two characters for .NET: kept
        ("\U0001f600", "\U0001f600"),  # an emoji is two UTF-16 code units
    ],
)
def test_slskd_form(text: str, expected: str | None) -> None:
    assert slskd_form(text) == expected


@pytest.mark.parametrize(
    ("track", "expected"),
    [
        (
            Track("U", ("Prince",), album="Emancipation"),
            ["prince", "emancipation", "*rince"],
        ),
        (Track("7", ("Prince",)), ["prince", "*rince"]),
        (Track("X", ("Xzibit",), album="Restless"), ["xzibit", "restless"]),
        (Track("X", ("Xzibit",)), ["xzibit"]),
        (Track("22", ("Taylor Swift",)), ["taylor swift 22", "22", "*aylor swift 22"]),
        (Track("O.O.C.", ("A",)), []),
    ],
)
def test_ladder_never_sends_what_slskd_refuses(track: Track, expected: list[str]) -> None:
    texts = [q.text for q in query_ladder(track)]
    assert texts == expected
    assert all(slskd_form(t) == t for t in texts)
