from __future__ import annotations

import pytest

from soulsync.domain import AlbumType, Source, Track
from soulsync.services.sync.models import (
    PlaylistRef,
    PlaylistRefError,
    TrackStatus,
    track_from_dict,
    track_key,
    track_keys,
    track_to_dict,
)


@pytest.mark.parametrize(
    ("text", "source", "pid", "name"),
    [
        ("spotify:abc123", Source.SPOTIFY, "abc123", None),
        ("spotify:playlist:abc123", Source.SPOTIFY, "abc123", None),
        ("deezer:908622995", Source.DEEZER, "908622995", None),
        ("file:/music/lists/road trip.m3u", Source.FILE, "/music/lists/road trip.m3u", None),
        (
            "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=x",
            Source.SPOTIFY,
            "37i9dQZF1DXcBWIGoYBM5M",
            None,
        ),
        ("https://www.deezer.com/en/playlist/908622995", Source.DEEZER, "908622995", None),
        ("Road Trip", None, None, "Road Trip"),
        ("  My list: vol 2 ", None, None, "My list: vol 2"),
    ],
)
def test_playlist_ref_parse(
    text: str, source: Source | None, pid: str | None, name: str | None
) -> None:
    ref = PlaylistRef.parse(text)
    assert (ref.source, ref.playlist_id, ref.name) == (source, pid, name)


@pytest.mark.parametrize(
    "text", ["", "   ", "https://example.com/playlist", "https://open.spotify.com/album/x"]
)
def test_playlist_ref_rejects_bad_input(text: str) -> None:
    with pytest.raises(PlaylistRefError):
        PlaylistRef.parse(text)


def test_track_keys_prefer_service_ids_then_isrc_then_text() -> None:
    t = Track(
        "Hello", ("Adele",), album="25", isrc="gbbkS1500214", ids={"deezer": "9", "spotify": "S"}
    )
    assert track_keys(t)[:3] == ["spotify:S", "deezer:9", "isrc:GBBKS1500214"]
    assert track_keys(t)[3].startswith("text:")
    bare = Track("Hello ", ("ADELE",), album="25")
    assert track_key(bare) == track_key(Track("hello", ("adele",), album="25"))
    assert track_key(bare) != track_key(Track("Hello", ("Adele",), album="Live"))


def test_track_round_trips_through_dict() -> None:
    t = Track(
        "Song",
        ("A", "B"),
        album="Alb",
        album_artists=("A",),
        track_number=3,
        disc_number=1,
        duration_ms=200_123,
        isrc="X",
        explicit=True,
        ids={"spotify": "1"},
        release_date="2020-01-02",
        album_type=AlbumType.SINGLE,
        total_tracks=9,
        total_discs=1,
    )
    back = track_from_dict(track_to_dict(t))
    assert back == t
    assert back.ids == t.ids


def test_owned_statuses() -> None:
    assert {s for s in TrackStatus if s.is_owned} == {TrackStatus.OWNED, TrackStatus.DOWNLOADED}
