"""How the simulated Soulseek network matches search texts to shared paths."""

from __future__ import annotations

import pytest

from soulsync.sandbox.slskd_search import matches, parse_query

PATH = "@@flacfan\\Music\\The Beatles\\1969 - Abbey Road [FLAC]\\01. Come Together.flac"
SCENE = "@@scene\\incoming\\Daft_Punk-Discovery-2001-FTD\\01-daft_punk-one_more_time.mp3"
ACCENT = "@@slow\\music\\Beyoncé\\I Am... Sasha Fierce\\02 Halo.flac"
CYRILLIC = "@@slow\\music\\Кино\\Группа крови\\01 Группа крови.flac"


@pytest.mark.parametrize(
    ("query", "path", "expected"),
    [
        ("come together", PATH, True),
        ("COME TOGETHER flac", PATH, True),
        ("abbey road come together", PATH, True),  # folder words count
        ("come together live", PATH, False),  # every term must occur
        ("come toget", PATH, False),  # whole words, not prefixes
        ("beatles come together", PATH, False),  # server-filtered phrase: nobody answers
        ("The Beatles - Come Together", PATH, False),
        ("*eatles come together", PATH, True),  # wildcard first letter gets through
        ("*eatles", PATH, True),
        ("*beatles come together", PATH, False),  # wildcard needs at least one more letter
        ("come together -flac", PATH, False),  # exclusion
        ("come together -mp3", PATH, True),
        ("daft punk one more time", SCENE, True),  # underscores and dashes split words
        ("halo beyonce", ACCENT, False),  # accents are not folded
        ("halo beyoncé", ACCENT, True),
        ("группа крови", CYRILLIC, True),
        ("ГРУППА кино", CYRILLIC, True),
        ("", PATH, False),
        ("-flac", PATH, False),  # nothing positive asked for
    ],
)
def test_matching(query: str, path: str, expected: bool) -> None:
    assert matches(parse_query(query), path) is expected


def test_filtered_phrase_is_detected_inside_other_words() -> None:
    # Clients compare the phrase with the search text, like aioslsk does.
    assert parse_query("adele hello").filtered
    assert not parse_query("*dele hello").filtered
