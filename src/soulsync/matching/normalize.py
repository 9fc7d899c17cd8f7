"""Text folding shared by every comparison in the matching engine.

Every source (Spotify, Deezer, Plex, a Soulseek path) spells names differently:
accents, full-width letters, ``&`` versus ``and``, "Beatles, The", ``A$AP``,
"Pt. 2" versus "Part II". The functions here turn a display string into a
*comparison key*: lower-case words separated by single spaces, with those
differences folded away. Two keys are produced when transliteration changes the
text (``forms``), so "米津玄師" still matches itself while "Beyoncé" matches
"Beyonce".

Nothing here knows about versions (remix, live); that is ``anatomy``'s job.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from pykakasi import kakasi

__all__ = [
    "ascii_key",
    "bulk_key",
    "fold",
    "forms",
    "has_digits",
    "number_tokens",
    "romaji_key",
    "strip_diacritics",
    "text_key",
    "whole_word_in",
]

# Symbols that stand for letters inside names (A$AP Rocky, Ke$ha, P!nk, Sk8ter).
# Replaced only when sandwiched by word characters, so "$" in "$uicideboy$" at
# the edges is handled by the trailing rule below.
_IN_WORD_SYMBOLS = {"$": "s", "!": "i", "@": "a"}
_IN_WORD_RE = re.compile(r"(?<=\w)[$!@](?=\w)")
_EDGE_DOLLAR_RE = re.compile(r"(?<=\w)\$(?!\w)|(?<!\w)\$(?=\w)")
# Apostrophes vanish without leaving a gap: "Don't" -> "dont", "Guns N' Roses".
_AMPERSAND_RE = re.compile(r"\s*[&+]\s*")

# "Pt. 2", "Pt 2", "Part II", "Part Two", "Vol. 3", "No. 5" all become
# "part 2", "volume 3", "number 5" so numbered works compare by their number.
_ABBREVIATIONS = (
    (re.compile(r"\bpts?\b\.?"), "part"),
    (re.compile(r"\bvols?\b\.?"), "volume"),
    (re.compile(r"\bno\.(?=\s*\d)"), "number"),
    (re.compile(r"\bnr\b\.?(?=\s*\d)"), "number"),
    (re.compile(r"\bop\b\.?(?=\s*\d)"), "opus"),
)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NUMBERED_WORD_RE = re.compile(r"\b(part|volume|chapter|act|book|number|opus)\s+([a-z]+)\b")
_NUMBERED_WORDS = ("part", "volume", "chapter", "act", "book", "number", "opus")
_DIGITS_RE = re.compile(r"\d+")


def fold(text: str) -> str:
    """NFKC-normalise and case-fold ``text`` (keeps every script and accent)."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


_PLAIN: dict[str, str | int | None] = {
    "ø": "o",
    "Ø": "O",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "đ": "d",
    "ł": "l",
    "Ł": "L",
}
_PLAIN_LETTERS = str.maketrans(_PLAIN)


def strip_diacritics(text: str) -> str:
    """Remove combining accents but keep non-Latin letters ("Björk" -> "Bjork").

    Used for the "no diacritics" search query, where transliterating Cyrillic
    or Japanese would produce words no peer has in their file names.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that do not decompose but have an obvious plain spelling.
    return stripped.translate(_PLAIN_LETTERS)


def _numbers_to_digits(text: str) -> str:
    """Write the number after "part"/"volume"/... as digits ("part ii" -> "part 2")."""

    def repl(match: re.Match[str]) -> str:
        word = match.group(2)
        value = _ROMAN.get(word) or _WORD_NUMBERS.get(word)
        return f"{match.group(1)} {value}" if value else match.group(0)

    return _NUMBERED_WORD_RE.sub(repl, text)


_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys("'’‘`´", ""))
_NON_WORD_OR_UNDERSCORE_RE = re.compile(r"[\W_]+")
_ABBREVIATION_HINT_RE = re.compile(r"\b(?:pts?|vols?|no|nr|op)\b")


def _key(text: str, *, transliterate: bool, drop_the: bool) -> str:
    # Plain ASCII (most titles) needs no Unicode work: NFKC and anyascii are
    # the identity there. The regex passes below only run when their
    # characters are present; this function runs for every library track.
    if text.isascii():
        text = text.lower().strip()
    else:
        text = fold(text)
        if transliterate:
            text = anyascii(text).lower()
    if "$" in text or "!" in text or "@" in text:
        text = _IN_WORD_RE.sub(lambda m: _IN_WORD_SYMBOLS[m.group(0)], text)
        text = _EDGE_DOLLAR_RE.sub("s", text)
    # Substring tests first: a dict-table translate or a regex scan costs
    # microseconds even when nothing can match, and most text has none of these.
    if "'" in text or "`" in text or not text.isascii():
        text = text.translate(_APOSTROPHE_TABLE)
    if "&" in text or "+" in text:
        text = _AMPERSAND_RE.sub(" and ", text)
    if (
        "pt" in text or "vol" in text or "no" in text or "nr" in text or "op" in text
    ) and _ABBREVIATION_HINT_RE.search(text):
        for pattern, replacement in _ABBREVIATIONS:
            text = pattern.sub(replacement, text)
    text = _NON_WORD_OR_UNDERSCORE_RE.sub(" ", text).strip()
    if any(word in text for word in _NUMBERED_WORDS) and _NUMBERED_WORD_RE.search(text):
        text = _numbers_to_digits(text)
    if drop_the and text.startswith("the ") and text != "the":
        # "the" alone is a name too (The The), so only strip it when more follows.
        text = text[4:]
    return text


def bulk_key(text: str, *, transliterate: bool = True) -> str:
    """:func:`ascii_key` (or :func:`text_key`) without the cache, for one-off bulk work.

    Building an index of 100k+ distinct titles through the cache would only
    evict the entries that repeated lookups depend on.
    """
    return _key(text, transliterate=transliterate, drop_the=False)


_TRAILING_THE_RAW_RE = re.compile(r",\s*(the|a|an)\s*$", re.IGNORECASE)


def _move_trailing_article(text: str) -> str:
    """'Beatles, The' -> 'The Beatles' (before punctuation is stripped)."""
    match = _TRAILING_THE_RAW_RE.search(text)
    if match:
        return f"{match.group(1)} {text[: match.start()]}"
    return text


@lru_cache(maxsize=32768)
def text_key(text: str, *, drop_the: bool = False) -> str:
    """Comparison key that keeps the original script ("björk", "米津玄師").

    ``drop_the`` is for artist names: "The Beatles", "Beatles, The" and
    "Beatles" all become "beatles".
    """
    if drop_the:
        text = _move_trailing_article(text)
    return _key(text, transliterate=False, drop_the=drop_the)


@lru_cache(maxsize=32768)
def ascii_key(text: str, *, drop_the: bool = False) -> str:
    """Comparison key transliterated to ASCII ("Beyoncé" -> "beyonce")."""
    if drop_the:
        text = _move_trailing_article(text)
    return _key(text, transliterate=True, drop_the=drop_the)


def forms(text: str, *, drop_the: bool = False) -> tuple[str, ...]:
    """The distinct comparison keys of ``text``: ASCII first, then original script.

    Comparing every form of one side with every form of the other lets a
    transliterated file name match a native-script title and vice versa.
    Japanese text gets a third form, its Hepburn romanisation ("夜に駆ける"
    -> "yoru ni kake ru"), because anyascii reads kanji as Chinese pinyin
    while Japanese peers and services write romaji.
    """
    if text.isascii():
        a = ascii_key(text, drop_the=drop_the)
        return (a,)
    return _forms(text, drop_the)


@lru_cache(maxsize=32768)
def _forms(text: str, drop_the: bool) -> tuple[str, ...]:
    a = ascii_key(text, drop_the=drop_the)
    t = text_key(text, drop_the=drop_the)
    found = [a] if a == t or not t else [a, t]
    if _JAPANESE_RE.search(text):
        for r in (romaji_key(text), loanword_romaji_key(text)):
            if r and r not in found:
                found.append(r)
    return tuple(found)


# Hiragana, katakana (also half-width) and CJK ideographs.
_JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u4e00-\u9fff]")
_KAKASI: list[kakasi] = []


@lru_cache(maxsize=16384)
def romaji_key(text: str) -> str:
    """Comparison key of ``text`` romanised as Japanese (Hepburn) with pykakasi.

    pykakasi (https://codeberg.org/miurahr/pykakasi) splits the text into
    words and gives each a Hepburn reading; kanji get their Japanese reading
    ("久石譲" -> "hisaishi yuzuru"). Text with no Japanese characters is
    returned as its ASCII key.
    """
    if not _JAPANESE_RE.search(text):
        return ascii_key(text)
    if not _KAKASI:
        _KAKASI.append(kakasi())
    words = [item["hepburn"] or item["orig"] for item in _KAKASI[0].convert(text)]
    return bulk_key(" ".join(words))


_CUTLET: list[Any] = []
_CUTLET_LOCK = threading.Lock()  # MeCab's tagger is not shared between threads


@lru_cache(maxsize=16384)
def loanword_romaji_key(text: str) -> str:
    """Comparison key of Japanese ``text`` romanised with loanwords in their own spelling.

    cutlet (https://github.com/polm/cutlet) reads the text with MeCab and
    the UniDic dictionary (unidic-lite), which records where a katakana word
    comes from, and writes it as spelled there: "ヘビーローテーション" ->
    "heavy rotation", "ドライフラワー" -> "dry flower". Peers name files that
    way; pykakasi's phonetic reading ("hebii rooteeshon") stays another
    form (:func:`romaji_key`). Text with no Japanese characters is returned
    as its ASCII key.
    """
    if not _JAPANESE_RE.search(text):
        return ascii_key(text)
    with _CUTLET_LOCK:
        if not _CUTLET:
            import cutlet  # imported on first use: MeCab loads its dictionary

            _CUTLET.append(cutlet.Cutlet())
        romaji = _CUTLET[0].romaji(text)
    return bulk_key(romaji)


def number_tokens(key: str) -> tuple[str, ...]:
    """The digit runs of a key, sorted ("part 2 of 3" -> ("2", "3"))."""
    return tuple(sorted(m.lstrip("0") or "0" for m in _DIGITS_RE.findall(key)))


def has_digits(key: str) -> bool:
    """True when the key contains any digit."""
    return _DIGITS_RE.search(key) is not None


def whole_word_in(needle: str, haystack: str) -> bool:
    """True if the key ``needle`` occurs in the key ``haystack`` on word boundaries.

    Both arguments must already be keys (single spaces, no punctuation), so a
    padded substring test is a word-boundary test: "cover" is not in "discover".
    """
    if not needle:
        return False
    return f" {needle} " in f" {haystack} "
