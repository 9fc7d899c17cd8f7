"""JSON round trips of the domain objects a job row stores."""

from __future__ import annotations

import json

import pytest

from soulsync.domain import Album, AlbumType, Artist, SoulseekFile, Track
from soulsync.services.downloads import job_codec as codec

TRACK = Track(
    "Get Lucky",
    ("Daft Punk", "Pharrell Williams", "Nile Rodgers"),
    album="Random Access Memories",
    album_artists=("Daft Punk",),
    track_number=3,
    disc_number=1,
    duration_ms=369_000,
    isrc="QZAB12300001",
    explicit=False,
    ids={"spotify": "abc", "deezer": "42"},
    cover_url="http://x/cover.jpg",
    release_date="2013-05-17",
    album_type=AlbumType.ALBUM,
    total_tracks=13,
    total_discs=1,
)


@pytest.mark.parametrize(
    ("value", "to", "back"),
    [
        (TRACK, codec.track_to, codec.track_from),
        (Track("Hello", ("Adele",)), codec.track_to, codec.track_from),
        (
            Album(
                "The Wall",
                ("Pink Floyd",),
                AlbumType.ALBUM,
                "1979-11-30",
                26,
                2,
                genres=("progressive rock",),
                ids={"spotify": "w"},
                tracks=(TRACK,),
            ),
            codec.album_to,
            codec.album_from,
        ),
        (
            Artist("Кино", ids={"deezer": "7"}, genres=("post-punk",)),
            codec.artist_to,
            codec.artist_from,
        ),
        (
            SoulseekFile("u", "@@u\\Music\\A\\01 - B.flac", 123, length=200, bit_depth=16),
            codec.file_to,
            codec.file_from,
        ),
    ],
)
def test_round_trip_through_json_text(value: object, to: object, back: object) -> None:
    text = codec.dumps(to(value))  # type: ignore[operator]
    assert text is not None
    again = back(codec.loads(text))  # type: ignore[operator]
    assert again == value
    # ids are not part of equality on these dataclasses: compare them explicitly.
    assert getattr(again, "ids", None) == getattr(value, "ids", None)


def test_unknown_keys_from_a_newer_version_are_ignored() -> None:
    data = codec.track_to(TRACK)
    data["mood"] = "happy"
    assert codec.track_from(data) == TRACK


def test_none_is_stored_as_null_column() -> None:
    assert codec.dumps(None) is None
    assert codec.loads(None) is None
    assert json.loads(codec.dumps({"b": 1, "a": "é"}) or "") == {"a": "é", "b": 1}
