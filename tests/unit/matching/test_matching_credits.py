"""Artist credits: splitting and comparing as sets."""

from __future__ import annotations

import pytest

from soulsync.matching.credits import compare_artists, is_various, name_similarity, split_credit


@pytest.mark.parametrize(
    ("credit", "known", "expected"),
    [
        (
            "Calvin Harris feat. Dua Lipa & Young Thug",
            (),
            ("Calvin Harris", "Dua Lipa", "Young Thug"),
        ),
        ("Kygo x Whitney Houston", (), ("Kygo", "Whitney Houston")),
        ("Armin van Buuren vs. Vini Vici", (), ("Armin van Buuren", "Vini Vici")),
        ("Rod Stewart with Amy Belle", (), ("Rod Stewart", "Amy Belle")),
        ("Jay-Z; Kanye West", (), ("Jay-Z", "Kanye West")),
        ("Queen & David Bowie", (), ("Queen", "David Bowie")),
        ("Paul Simon & Art Garfunkel", (), ("Paul Simon", "Art Garfunkel")),
        # Names that contain separators stay whole.
        ("Simon & Garfunkel", (), ("Simon & Garfunkel",)),
        ("Earth, Wind & Fire", (), ("Earth, Wind & Fire",)),
        ("Tyler, the Creator", (), ("Tyler, the Creator",)),
        ("Florence + the Machine", (), ("Florence + the Machine",)),
        ("AC/DC", (), ("AC/DC",)),
        ("Lil Nas X & Billy Ray Cyrus", (), ("Lil Nas X", "Billy Ray Cyrus")),
        ("Bob Marley & The Wailers", (), ("Bob Marley & The Wailers",)),
        # The other side knows an unlisted duo as one artist.
        ("Foo & Bar", ("Foo & Bar",), ("Foo & Bar",)),
        ("Foo & Bar", (), ("Foo", "Bar")),
        ("Earth, Wind & Fire feat. The Emotions", (), ("Earth, Wind & Fire", "The Emotions")),
    ],
)
def test_split_credit(credit: str, known: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert split_credit(credit, known=known) == expected


@pytest.mark.parametrize(
    ("a", "b", "at_least", "below"),
    [
        ("The Beatles", "Beatles, The", 1.0, None),
        ("Beyoncé", "Beyonce", 1.0, None),
        ("AC/DC", "ACDC", 1.0, None),
        ("A$AP Rocky", "ASAP Rocky", 1.0, None),
        ("The Weeknd", "The Weekend", 0.9, None),
        ("Electric Light Orchestra", "ELO", 0.9, None),
        ("Red Hot Chili Peppers", "RHCP", 0.9, None),
        ("Carl Orff", "Orff", 0.85, None),
        ("The Lovely Cats", "TLC", None, 0.5),
        ("Adele", "Lionel Richie", None, 0.5),
        ("Queen", "Queens of the Stone Age", None, 0.5),
    ],
)
def test_name_similarity(a: str, b: str, at_least: float | None, below: float | None) -> None:
    sim = name_similarity(a, b)
    if at_least is not None:
        assert sim >= at_least
    if below is not None:
        assert sim < below


@pytest.mark.parametrize(
    ("wanted", "candidate", "at_least", "below"),
    [
        (["Calvin Harris", "Dua Lipa"], "Dua Lipa & Calvin Harris", 0.95, None),
        (["Simon & Garfunkel"], "Simon and Garfunkel", 1.0, None),
        (["Beyoncé", "JAY-Z"], "Beyonce", 0.9, None),
        (["Queen", "David Bowie"], "David Bowie", 0.85, None),
        (["Adele"], "Lionel Richie", None, 0.5),
        (["Rihanna"], "Marian Hill", None, 0.5),
    ],
)
def test_compare_artists(
    wanted: list[str], candidate: str, at_least: float | None, below: float | None
) -> None:
    match = compare_artists(wanted, candidate)
    if at_least is not None:
        assert match.similarity >= at_least, match.reason
    if below is not None:
        assert match.similarity < below, match.reason
    assert match.reason


def test_various_artists_is_unknown_evidence() -> None:
    assert is_various("Various Artists") and is_various("VA") and not is_various("Vanessa Carlton")
    assert compare_artists(["Marvin Gaye"], "Various Artists").similarity == 0.5
