from __future__ import annotations

from pathlib import Path

import mutagen
import pytest

from soulsync.library.audio import probe
from soulsync.sandbox.catalogue import build_catalogue, isrc_for
from soulsync.sandbox.catalogue_data import LIBRARY, PLAYLISTS
from soulsync.sandbox.media import AudioCache


def test_catalogue_is_deterministic_and_rich_enough() -> None:
    cat = build_catalogue()
    assert len([a for a in cat.artists.values() if a.key != "various"]) >= 20
    assert any(a.album_type == "compilation" for a in cat.albums.values())
    assert any(a.album_type == "single" for a in cat.albums.values())
    assert any(a.total_discs > 1 for a in cat.albums.values())
    assert any(not a.name.isascii() for a in cat.artists.values())
    sizes = [len(p.items) for p in cat.playlists.values()]
    assert max(sizes) >= 30
    assert cat.tracks["after-hours/Blinding Lights"].spotify_id == "3cpy8XwjRm0q7Bh8ptdnKj"


def test_ids_are_unique() -> None:
    cat = build_catalogue()
    ids = [t.spotify_id for t in cat.tracks.values()]
    assert len(ids) == len(set(ids))
    isrcs = [t.isrc for t in cat.tracks.values()]
    assert len(isrcs) == len(set(isrcs))
    assert all(len(i) == 12 for i in isrcs)
    assert isrc_for("x") == isrc_for("x")


def test_road_trip_owns_exactly_ten_tracks() -> None:
    road = next(p for p in PLAYLISTS if p[0] == "road-trip")
    assert len(road[4]) == 30
    assert len(set(road[4]) & set(LIBRARY)) == 10


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("blinding lights", "after-hours/Blinding Lights"),
        ("kino gruppa", "gruppa-krovi/Группа крови"),
        ("sigur ros hoppipolla", "takk/Hoppípolla"),
        ("Группа крови", "gruppa-krovi/Группа крови"),
    ],
)
def test_search_finds_transliterated_and_native(query: str, expected: str) -> None:
    assert expected in [t.key for t in build_catalogue().search_tracks(query)]


def test_every_track_but_the_unshared_is_on_soulseek() -> None:
    cat = build_catalogue()
    shared = {s.track_key for s in cat.shares}
    assert set(cat.tracks) - shared == set(cat.unshared_track_keys)
    assert all(s.filename.startswith("@@") and "\\" in s.filename for s in cat.shares)


def test_generated_audio_has_catalogue_duration(tmp_path: Path) -> None:
    cat = build_catalogue()
    share = next(s for s in cat.shares if s.username == "flacfan")
    path = AudioCache(tmp_path).ensure(share.audio)
    # Read back by mutagen (not by the PyAV code that wrote it) and probed to its end.
    audio = mutagen.File(path)
    assert audio is not None
    assert abs(audio.info.length * 1000 - share.audio.duration_ms) < 50
    info = probe(path)
    assert info.is_complete
    assert abs(info.duration_s * 1000 - share.audio.duration_ms) < 50
