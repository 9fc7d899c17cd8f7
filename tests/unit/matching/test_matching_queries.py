"""The Soulseek query ladder."""

from __future__ import annotations

import pytest

from soulsync.domain import Track
from soulsync.matching.queries import TITLE_FIRST_ORDER, QueryStep, clean_query, query_ladder


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
                ("rihanna jay z umbrella", QueryStep.ARTIST_TITLE),
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
