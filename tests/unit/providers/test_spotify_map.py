"""Spotify JSON to domain objects, including the awkward entries."""

from __future__ import annotations

from typing import Any

import pytest

from soulsync.domain import AlbumType, Playlist, PlaylistEntry, Source, Track
from soulsync.providers import codec
from soulsync.providers.spotify_map import (
    UNREADABLE_REASON,
    best_image,
    to_album,
    to_entry,
    to_playlist,
    to_track,
)

TRACK: dict[str, Any] = {
    "id": "abc",
    "name": "Get Lucky",
    "artists": [{"name": "Daft Punk"}, {"name": "Pharrell Williams"}],
    "album": {
        "name": "Random Access Memories",
        "album_type": "album",
        "artists": [{"name": "Daft Punk"}],
        "release_date": "2013-05-17",
        "total_tracks": 13,
        "images": [
            {"url": "s", "width": 64},
            {"url": "l", "width": 640},
            {"url": "n", "width": None},
        ],
    },
    "disc_number": 1,
    "track_number": 8,
    "duration_ms": 369626,
    "explicit": False,
    "external_ids": {"isrc": "usqx91300108"},
    "is_local": False,
    "type": "track",
}


def test_full_track() -> None:
    track = to_track(TRACK)
    assert track.artists == ("Daft Punk", "Pharrell Williams")
    assert track.album_artists == ("Daft Punk",)
    assert track.isrc == "USQX91300108" and track.cover_url == "l"
    assert track.album_type is AlbumType.ALBUM and track.total_tracks == 13
    assert track.ids == {"spotify": "abc"}


@pytest.mark.parametrize(
    ("entry", "has_track", "is_local", "reason"),
    [
        ({"item": TRACK, "track": None, "is_local": False}, True, False, None),
        ({"track": TRACK, "is_local": False}, True, False, None),  # older shape: only `track`
        ({"item": None, "track": None}, False, False, "removed"),
        (
            {"is_local": True, "item": {**TRACK, "id": None, "is_local": True, "name": "Demo"}},
            False,
            True,
            "local file",
        ),
        (
            {"item": {**TRACK, "is_playable": False, "restrictions": {"reason": "market"}}},
            True,
            False,
            "market",
        ),
        ({"item": {"id": "e", "type": "episode", "name": "Podcast"}}, False, False, "episode"),
    ],
)
def test_entries(
    entry: dict[str, Any], has_track: bool, is_local: bool, reason: str | None
) -> None:
    mapped = to_entry(7, entry)
    assert mapped.position == 7
    assert (mapped.track is not None) == has_track
    assert mapped.is_local == is_local
    if reason is None:
        assert mapped.unavailable_reason is None
    else:
        assert reason in (mapped.unavailable_reason or "")


def test_album_with_discs() -> None:
    rows = [
        {**TRACK, "disc_number": 1, "album": None},
        {**TRACK, "id": "d2", "disc_number": 2, "track_number": 1, "album": None},
    ]
    album = to_album({**TRACK["album"], "id": "alb", "external_ids": {"upc": "123"}}, rows)
    assert album.total_discs == 2 and album.upc == "123"
    assert [t.total_discs for t in album.tracks] == [2, 2]
    assert all(t.album == "Random Access Memories" for t in album.tracks)


def test_playlist_totals_and_reason() -> None:
    body = {
        "id": "p",
        "name": "P",
        "owner": {"id": "u"},
        "tracks": {"total": 4},
        "snapshot_id": "s",
    }
    unreadable = to_playlist(body, readable=False)
    assert unreadable.total == 4 and unreadable.owner == "u"
    assert unreadable.unreadable_reason == UNREADABLE_REASON
    assert to_playlist({**body, "items": {"total": 9}}, readable=True).unreadable_reason is None
    assert to_playlist({**body, "items": {"total": 9}}, readable=True).total == 9


@pytest.mark.parametrize(
    ("images", "url"), [([], None), (None, None), ([{"url": "x", "width": None}], "x")]
)
def test_best_image(images: list[dict[str, Any]] | None, url: str | None) -> None:
    assert best_image(images) == url


def test_codec_round_trip() -> None:
    track = to_track(TRACK)
    playlist = Playlist(
        id="p",
        name="P",
        source=Source.SPOTIFY,
        snapshot_id="s",
        total=2,
        entries=(PlaylistEntry(0, track), PlaylistEntry(1, None, True, "local file")),
    )
    back = codec.playlist_from_json(codec.playlist_to_json(playlist))
    assert back == playlist
    assert back.entries[0].track is not None and back.entries[0].track.ids == {"spotify": "abc"}
    album = to_album({**TRACK["album"], "id": "alb"}, [TRACK])
    assert codec.album_from_json(codec.album_to_json(album)) == album
    assert codec.track_from_json(codec.track_to_json(Track("T", ("A",)))) == Track("T", ("A",))
