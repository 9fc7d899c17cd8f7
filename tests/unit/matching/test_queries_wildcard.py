"""Hand-typed searches: names the Soulseek server filters get a wildcard first letter."""

from __future__ import annotations

import pytest

from soulsync.matching.queries import wildcard_filtered


@pytest.mark.parametrize(
    ("typed", "sent", "changed"),
    [
        ("The Beatles Abbey Road", "The *eatles Abbey Road", ("Beatles",)),
        ("beatles", "*eatles", ("beatles",)),
        ("BEATLES come together", "*EATLES come together", ("BEATLES",)),
        ("michael jackson thriller", "*ichael jackson thriller", ("michael",)),
        ("rihanna umbrella", "*ihanna umbrella", ("rihanna",)),
        # Only the whole filtered phrase counts: these are not filtered.
        ("Jackson 5 ABC", "Jackson 5 ABC", ()),
        ("michael bublé feeling good", "michael bublé feeling good", ()),
        ("daft punk", "daft punk", ()),
        ("*eatles", "*eatles", ()),
        ("x", "x", ()),
    ],
)
def test_wildcard_filtered(typed: str, sent: str, changed: tuple[str, ...]) -> None:
    assert wildcard_filtered(typed) == (sent, changed)
