"""Fixtures for the sync unit tests: catalogue tracks and the seeded library as domain objects."""

from __future__ import annotations

import pytest

from soulsync.domain import LibraryTrack, Playlist, PlaylistEntry, Source, Track
from soulsync.sandbox.catalogue import Catalogue, build_catalogue
from soulsync.sandbox.library_seed import library_seed_tracks


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The sandbox catalogue (immutable, cached)."""
    return build_catalogue()


def cat_track(cat: Catalogue, key: str, **changes: object) -> Track:
    """A catalogue track as a playlist source would deliver it."""
    t = cat.tracks[key]
    album = cat.album_of(t)
    fields: dict[str, object] = {
        "title": t.title,
        "artists": tuple(cat.artist_names(t)),
        "album": album.title,
        "duration_ms": t.duration_ms,
        "isrc": t.isrc,
        "ids": {"spotify": t.spotify_id},
        "track_number": t.track_number,
        "disc_number": t.disc_number,
    }
    fields.update(changes)
    return Track(**fields)  # type: ignore[arg-type]


def cat_playlist(cat: Catalogue, key: str) -> Playlist:
    """A catalogue playlist with every entry, as the Spotify provider returns it."""
    p = cat.playlists[key]
    entries = tuple(
        PlaylistEntry(i, cat_track(cat, it.track_key) if it.track_key else None)
        for i, it in enumerate(p.items)
    )
    return Playlist(
        id=p.spotify_id,
        name=p.name,
        source=Source.SPOTIFY,
        owner="me",
        snapshot_id=p.snapshot_id,
        total=len(entries),
        entries=entries,
    )


@pytest.fixture(scope="session")
def seeded_library(catalogue: Catalogue) -> list[LibraryTrack]:
    """The sandbox user's library (10 road-trip tracks among others), ids "lib-N"."""
    return [
        LibraryTrack(
            id=f"lib-{i}",
            title=s.title,
            artist=s.artist,
            album=s.album,
            album_artist=s.album_artist,
            track_number=s.track_number,
            disc_number=s.disc_number,
            duration_ms=s.duration_ms,
            path=str(s.relpath),
            year=s.year,
        )
        for i, s in enumerate(library_seed_tracks(catalogue))
    ]


@pytest.fixture(scope="session")
def make_track(catalogue: Catalogue):  # type: ignore[no-untyped-def]
    """``make_track(key, **changes) -> Track``."""
    return lambda key, **changes: cat_track(catalogue, key, **changes)


@pytest.fixture(scope="session")
def make_playlist(catalogue: Catalogue):  # type: ignore[no-untyped-def]
    """``make_playlist(key) -> Playlist``."""
    return lambda key: cat_playlist(catalogue, key)
