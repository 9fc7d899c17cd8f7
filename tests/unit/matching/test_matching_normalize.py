"""Normalisation: keys, forms and word boundaries."""

from __future__ import annotations

import pytest

from soulsync.matching.normalize import (
    ascii_key,
    forms,
    loanword_romaji_key,
    number_tokens,
    romaji_key,
    strip_diacritics,
    text_key,
    whole_word_in,
)


@pytest.mark.parametrize(
    ("raw", "drop_the", "expected"),
    [
        ("Beyoncé", False, "beyonce"),
        ("Ｆｕｌｌｗｉｄｔｈ", False, "fullwidth"),
        ("A$AP Rocky", True, "asap rocky"),
        ("Ke$ha", True, "kesha"),
        ("P!nk", True, "pink"),
        ("The Beatles", True, "beatles"),
        ("Beatles, The", True, "beatles"),
        ("The The", True, "the"),
        ("Simon & Garfunkel", True, "simon and garfunkel"),
        ("Florence + the Machine", True, "florence and the machine"),
        ("Don't Stop Me Now", False, "dont stop me now"),
        ("Guns N' Roses", True, "guns n roses"),
        ("Another Brick in the Wall, Pt. 2", False, "another brick in the wall part 2"),
        ("Another Brick in the Wall (Part II)", False, "another brick in the wall part 2"),
        ("Tubular Bells Part One", False, "tubular bells part 1"),
        ("Vol. 3", False, "volume 3"),
        ("Symphony No. 5", False, "symphony number 5"),
        ("daft_punk-digital_love", False, "daft punk digital love"),
        ("AC/DC", True, "ac dc"),
    ],
)
def test_ascii_key(raw: str, drop_the: bool, expected: str) -> None:
    assert ascii_key(raw, drop_the=drop_the) == expected


@pytest.mark.parametrize(
    ("katakana", "spelled"),
    [
        ("ヘビーローテーション", "heavy rotation"),
        ("ドライフラワー", "dry flower"),
        ("ラブ・ストーリーは突然に", "love story wa totsuzen ni"),
        ("チェリー", "cherry"),
    ],
)
def test_katakana_loanwords_get_their_own_spelling(katakana: str, spelled: str) -> None:
    assert loanword_romaji_key(katakana) == spelled
    assert spelled in forms(katakana)
    assert spelled != romaji_key(katakana)  # pykakasi reads them phonetically


def test_native_script_kept_alongside_transliteration() -> None:
    assert text_key("米津玄師") == "米津玄師"
    # Japanese gets its Hepburn romanisation as a third form (pykakasi) and
    # cutlet's reading as a fourth when it differs.
    assert forms("米津玄師") == (
        ascii_key("米津玄師"),
        "米津玄師",
        romaji_key("米津玄師"),
        loanword_romaji_key("米津玄師"),
    )
    assert romaji_key("米津玄師") != loanword_romaji_key("米津玄師")
    assert forms("Björk") == ("bjork", "björk")
    assert forms("Adele") == ("adele",)


@pytest.mark.parametrize(
    ("japanese", "romaji"),
    [
        ("夜に駆ける", "yoru ni kake ru"),
        ("宇多田ヒカル", "utada hikaru"),
        ("うっせぇわ", "usseewa"),
    ],
)
def test_romaji_key_reads_japanese(japanese: str, romaji: str) -> None:
    assert romaji_key(japanese) == romaji
    assert romaji in forms(japanese)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Björk Jóga", "Bjork Joga"),
        ("Motörhead", "Motorhead"),
        ("Sigur Rós", "Sigur Ros"),
        ("Кино", "Кино"),
    ],
)
def test_strip_diacritics_keeps_other_scripts(raw: str, expected: str) -> None:
    assert strip_diacritics(raw) == expected


@pytest.mark.parametrize(
    ("needle", "haystack", "expected"),
    [
        ("cover", "discover", False),  # spotDL's substring bug
        ("cover", "hello cover version", True),
        ("single", "single ladies", True),
        ("live", "let me live forever", True),
        ("weeknd", "the weeknd blinding lights", True),
        ("", "anything", False),
    ],
)
def test_whole_word_in(needle: str, haystack: str, expected: bool) -> None:
    assert whole_word_in(needle, haystack) is expected


def test_number_tokens_sorted_without_leading_zeros() -> None:
    assert number_tokens("part 02 of 3") == ("2", "3")
    assert number_tokens("hello") == ()
