"""Jinja filters of the web UI."""

from __future__ import annotations

import pytest

from soulsync.domain import SoulseekFile
from soulsync.web.formatting import (
    eta,
    human_duration,
    human_size,
    percent,
    plural,
    quality_label,
    time_ago,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "–"),
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1_234_567, "1.2 MB"),
        (5e12, "5.0 TB"),
    ],
)
def test_human_size(value: float | None, text: str) -> None:
    assert human_size(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "–"), (0, "0:00"), (65, "1:05"), (3723, "1:02:03"), (-5, "0:00")]
)
def test_human_duration(seconds: float | None, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "done", "speed", "text"),
    [
        (1000, 0, 100, "0:10 left"),
        (1000, 500, 100, "0:05 left"),
        (None, 0, 100, ""),
        (1000, 0, 0, ""),
    ],
)
def test_eta(size: int | None, done: int, speed: float, text: str) -> None:
    assert eta(size, done, speed) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (10, "just now"),
        (300, "5 min ago"),
        (7200, "2 h ago"),
        (3 * 86400, "3 d ago"),
        (-600, "in 10 min"),
        (-6 * 3600, "in 6 h"),
    ],
)
def test_time_ago(delta: float, text: str) -> None:
    assert time_ago(1_000_000.0 - delta, now=1_000_000.0) == text


def test_time_ago_never() -> None:
    assert time_ago(None) == "never"


@pytest.mark.parametrize(
    ("part", "whole", "pct"), [(1, 3, 33), (0, 0, 0), (5, 4, 100), (None, 4, 0)]
)
def test_percent(part: int | None, whole: int, pct: int) -> None:
    assert percent(part, whole) == pct


@pytest.mark.parametrize(
    ("file", "label"),
    [
        (SoulseekFile("u", "a\\b.flac", 1, bit_depth=24, sample_rate=96000), "FLAC 24/96"),
        (SoulseekFile("u", "a\\b.mp3", 1, bit_rate=320), "MP3 320"),
        (SoulseekFile("u", "a\\b.mp3", 1, bit_rate=245, is_variable_bit_rate=True), "MP3 ~245"),
        (SoulseekFile("u", "a\\b.ogg", 1), "OGG"),
    ],
)
def test_quality_label(file: SoulseekFile, label: str) -> None:
    assert quality_label(file) == label


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "track", "0 tracks"),
        (1, "track", "1 track"),
        (2, "track", "2 tracks"),
        (1, "try", "1 try"),
        (3, "try", "3 tries"),
        (2, "day", "2 days"),
        (1, "finished download", "1 finished download"),
        (5, "entry", "5 entries"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_plural_takes_an_irregular_form() -> None:
    assert plural(2, "child", "children") == "2 children"
