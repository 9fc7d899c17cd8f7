"""Genre tags on files filed by a playlist sync: the playlist's track carries no
genres and Spotify gives the release none, so the artist's genres (looked up
once, cached) are written; read back with mutagen."""

from __future__ import annotations

import mutagen
import pytest

from soulsync.services.downloads.genres import CACHE, ArtistGenres, genres_to_write
from soulsync.services.sync.models import RunState


async def test_downloaded_track_gets_its_artists_genres(sandbox) -> None:  # type: ignore[no-untyped-def]
    pid = sandbox.spotify_sim.add_playlist("Genre Check", ["discovery/Digital Love"])
    ref = f"spotify:{pid}"
    await sandbox.sync.refresh_playlists()
    run = await sandbox.run(ref, download_missing=True)
    assert run.state is RunState.COMPLETED and run.downloaded == 1
    [path] = [p for p in sandbox.library_dir.rglob("*Digital Love*") if p.is_file()]
    audio = mutagen.File(path)
    assert audio is not None
    # Vorbis comments hold one GENRE field per value (multi-value).
    assert audio.tags.get("genre") == ["french house", "electronic"]
    assert sandbox.store.cache_get(CACHE, "daft punk") is not None


async def test_artist_genres_are_cached(sandbox) -> None:  # type: ignore[no-untyped-def]
    lookup = ArtistGenres(sandbox.spotify, sandbox.store)
    searches = sandbox.spotify_sim.requests["/v1/search"]
    assert await lookup.for_artist("Daft Punk") == ("french house", "electronic")
    first = sandbox.spotify_sim.requests["/v1/search"]
    assert first > searches
    assert await lookup.for_artist("daft punk") == ("french house", "electronic")
    assert sandbox.spotify_sim.requests["/v1/search"] == first  # from the cache
    assert await lookup.for_artist("Nobody Of This Name") == ()


@pytest.mark.parametrize(
    ("mode", "release", "expected"),
    [
        ("off", ("disco",), ()),
        ("release", (), ()),
        ("release", ("disco",), ("disco",)),
        ("release_or_artist", ("disco",), ("disco",)),
        ("release_or_artist", (), ("french house", "electronic")),
    ],
)
async def test_genre_switch(sandbox, mode, release, expected) -> None:  # type: ignore[no-untyped-def]
    lookup = ArtistGenres(sandbox.spotify, sandbox.store)
    assert await genres_to_write(mode, release, "Daft Punk", lookup) == expected
