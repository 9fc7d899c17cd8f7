"""Apostrophes become spaces in queries, as Soulseek peers tokenise file names.

The one-letter pieces that leaves are dropped, as slskd drops them.
"""

from __future__ import annotations

import pytest

from soulsync.domain import Track
from soulsync.matching.queries import query_ladder


@pytest.mark.parametrize(
    ("title", "artist", "expected_words"),
    [
        ("Love Story (Taylor's Version)", "Taylor Swift", {"taylor", "version"}),
        ("Don't Stop The Music", "Rihanna", {"don", "stop"}),
    ],
)
def test_apostrophes_split_words(title: str, artist: str, expected_words: set[str]) -> None:
    first = query_ladder(Track(title=title, artists=(artist,), duration_ms=200_000))[0]
    words = set(first.text.split())
    assert expected_words <= words
    assert "taylors" not in words and "dont" not in words
    # The one-letter pieces ("s", "t") are dropped: slskd would drop them anyway.
    assert all(len(w) > 1 for w in words)
