"""The artist page's discography: owned, partly owned (1/3) or missing."""

from __future__ import annotations

import pytest

from soulsync.domain import Album, AlbumType
from soulsync.web.routes_artists import discography


def album(title: str, total: int | None, year: str = "2015") -> Album:
    return Album(title, ("Adele",), AlbumType.ALBUM, release_date=year, total_tracks=total)


@pytest.mark.parametrize(
    ("owned", "total", "state", "have"),
    [
        ({"25": 3}, 3, "owned", 3),
        ({"25": 1}, 3, "partial", 1),
        ({}, 3, "missing", 0),
        ({"25": 1}, None, "owned", 1),  # no track count known: what we have counts
        ({"21": 11}, 3, "missing", 0),
        ({"25": 5}, 3, "owned", 3),  # a library with extra copies is still "owned", 3/3
    ],
)
def test_release_states(owned: dict[str, int], total: int | None, state: str, have: int) -> None:
    [row] = discography([album("25", total)], owned)
    assert (row["state"], row["have"], row["owned"]) == (state, have, state == "owned")


def test_the_same_release_listed_twice_shows_once() -> None:
    rows = discography([album("25", 11), album("25", 11, "2016")], {})
    assert len(rows) == 1
