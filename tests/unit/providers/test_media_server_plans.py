"""Pure helpers of the Jellyfin and Subsonic adapters, and the Jellyfin simulator's move rule."""

from __future__ import annotations

import pytest

from soulsync.providers.jellyfin import plan_moves_to_end, track_from_dto
from soulsync.providers.subsonic import track_from_song


def _apply_to_end(order: list[str], moves: list[str]) -> list[str]:
    result = list(order)
    for item in moves:
        result.remove(item)
        result.append(item)
    return result


@pytest.mark.parametrize(
    ("current", "wanted", "moves"),
    [
        ("abcde", "abcde", ""),
        ("abcde", "bcdea", "a"),
        ("abcde", "edcba", "dcba"),
        ("abcde", "abdce", "ce"),
        ("eabcd", "abcde", "e"),
    ],
)
def test_moves_to_end_reach_the_wanted_order(current: str, wanted: str, moves: str) -> None:
    planned = plan_moves_to_end(list(current), list(wanted))
    assert _apply_to_end(list(current), planned) == list(wanted)
    assert "".join(planned) == moves


def test_moves_need_the_same_items() -> None:
    with pytest.raises(ValueError):
        plan_moves_to_end(["a", "b"], ["a", "c"])


def test_jellyfin_dto_mapping() -> None:
    track = track_from_dto(
        {
            "Id": "abc",
            "Name": "Song",
            "Artists": ["A", "B"],
            "AlbumArtist": "A",
            "Album": "LP",
            "IndexNumber": 3,
            "ParentIndexNumber": 1,
            "RunTimeTicks": 2_015_000_000,
            "ProductionYear": 2020,
            "Path": "/m/a.flac",
            "ProviderIds": {"ISRC": "USAAA2000001"},
        }
    )
    assert (track.artist, track.duration_ms, track.isrc, track.path) == (
        "A & B",
        201_500,
        "USAAA2000001",
        "/m/a.flac",
    )


def test_subsonic_song_mapping() -> None:
    track = track_from_song(
        {
            "id": "s1",
            "title": "Song",
            "artist": "A",
            "album": "LP",
            "track": 2,
            "discNumber": 1,
            "year": 2021,
            "duration": 200,
            "path": "A/LP/02.flac",
            "isrc": ["USAAA2100002"],
            "displayAlbumArtist": "A",
        }
    )
    assert (track.duration_ms, track.isrc, track.album_artist) == (200_000, "USAAA2100002", "A")
