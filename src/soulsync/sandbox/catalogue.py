"""One deterministic catalogue shared by every simulator.

The same song exists on the simulated Spotify and Deezer (with stable ids and
ISRCs), on some simulated Soulseek peers (as FLAC and MP3 under realistic,
messy folder and file names) and partly in the simulated Plex library. Tests
and the demo build it with :func:`build_catalogue`; it never changes between
runs, so ids in tests are stable.

Soulseek peers have behaviours (``ok``, ``slow``, ``stall``, ``fail``,
``offline``) that the slskd simulator acts out; tests may override them.
"""

from __future__ import annotations

import functools

from soulsync.sandbox import catalogue_data as data
from soulsync.sandbox.catalogue_model import (
    AudioSpec,
    CatAlbum,
    Catalogue,
    CatArtist,
    CatPlaylist,
    CatPlaylistItem,
    CatTrack,
    Peer,
    SharedFile,
    _ms,
    deezer_id,
    isrc_for,
    spotify_id,
    stable_digest,
)
from soulsync.sandbox.catalogue_shares import PEERS, build_shares

# The types live in catalogue_model; they are re-exported here for the simulators.
__all__ = [
    "SERVER_FILTERED_PHRASES",
    "AudioSpec",
    "CatAlbum",
    "CatArtist",
    "CatPlaylist",
    "CatPlaylistItem",
    "CatTrack",
    "Catalogue",
    "Peer",
    "SharedFile",
    "build_catalogue",
    "deezer_id",
    "isrc_for",
    "spotify_id",
    "stable_digest",
]


_SERVER_FILTERED = ("rihanna", "beatles", "adele")  # shown to searchers as `*eatles` style


def _build_tracks() -> tuple[dict[str, CatAlbum], dict[str, CatTrack]]:
    albums: dict[str, CatAlbum] = {}
    tracks: dict[str, CatTrack] = {}
    for key, title, artist_keys, album_type, date, discs, rows in data.ALBUMS:
        keys: list[str] = []
        numbers: dict[int, int] = {}
        for row in rows:
            t_title, t_dur, extra = row[0], row[1], row[2]
            disc = row[3] if len(row) > 3 else 1
            numbers[disc] = numbers.get(disc, 0) + 1
            tkey = f"{key}/{t_title}"
            tracks[tkey] = CatTrack(
                key=tkey,
                title=t_title,
                artist_keys=(*artist_keys, *extra),
                album_key=key,
                disc_number=disc,
                track_number=numbers[disc],
                duration_ms=_ms(t_dur),
                isrc=isrc_for(tkey),
                explicit=key in {"igor", "alla", "ggbg"},
                spotify_id=spotify_id("track", tkey),
                deezer_id=deezer_id("track", tkey),
            )
            keys.append(tkey)
        albums[key] = CatAlbum(
            key=key,
            title=title,
            artist_keys=artist_keys,
            album_type=album_type,
            release_date=date,
            total_discs=discs,
            track_keys=tuple(keys),
            spotify_id=spotify_id("album", key),
            deezer_id=deezer_id("album", key),
            upc=f"{int.from_bytes(stable_digest('upc', key)[:6], 'big') % 10**12:012d}",
        )
    for key, title, date, rows in data.COMPILATIONS:
        keys = []
        for number, (artist_keys, t_title, t_dur) in enumerate(rows, start=1):
            tkey = f"{key}/{t_title}"
            tracks[tkey] = CatTrack(
                key=tkey,
                title=t_title,
                artist_keys=artist_keys,
                album_key=key,
                disc_number=1,
                track_number=number,
                duration_ms=_ms(t_dur),
                isrc=isrc_for(tkey),
                explicit=False,
                spotify_id=spotify_id("track", tkey),
                deezer_id=deezer_id("track", tkey),
            )
            keys.append(tkey)
        albums[key] = CatAlbum(
            key=key,
            title=title,
            artist_keys=("various",),
            album_type="compilation",
            release_date=date,
            total_discs=1,
            track_keys=tuple(keys),
            spotify_id=spotify_id("album", key),
            deezer_id=deezer_id("album", key),
            upc=f"{int.from_bytes(stable_digest('upc', key)[:6], 'big') % 10**12:012d}",
        )
    return albums, tracks


def _build_playlists(tracks: dict[str, CatTrack]) -> dict[str, CatPlaylist]:
    playlists = {}
    for key, name, owner, collaborative, rows in data.PLAYLISTS:
        items = []
        for row in rows:
            if row.startswith("local:"):
                items.append(CatPlaylistItem(track_key=None, local_name=row[len("local:") :]))
            elif row.startswith("unavailable:"):
                tkey = row[len("unavailable:") :]
                assert tkey in tracks, tkey
                items.append(CatPlaylistItem(track_key=tkey, unavailable=True))
            else:
                assert row in tracks, row
                items.append(CatPlaylistItem(track_key=row))
        playlists[key] = CatPlaylist(
            key=key,
            name=name,
            owner=owner,
            collaborative=collaborative,
            items=tuple(items),
            spotify_id=spotify_id("playlist", key),
            deezer_id=deezer_id("playlist", key),
        )
    return playlists


@functools.cache
def build_catalogue() -> Catalogue:
    """The sandbox catalogue (built once per process; immutable)."""
    artists = {
        key: CatArtist(
            key=key,
            name=name,
            genres=genres,
            spotify_id=spotify_id("artist", key),
            deezer_id=deezer_id("artist", key),
        )
        for key, (name, genres) in data.ARTISTS.items()
    }
    albums, tracks = _build_tracks()
    for track in tracks.values():
        assert all(k in artists for k in track.artist_keys), track.key
    for key in (*data.LIBRARY, *data.UNSHARED):
        assert key in tracks, key
    return Catalogue(
        artists=artists,
        albums=albums,
        tracks=tracks,
        playlists=_build_playlists(tracks),
        peers={p.username: p for p in PEERS},
        shares=build_shares(artists, albums, tracks),
        library_track_keys=tuple(data.LIBRARY),
        unshared_track_keys=frozenset(data.UNSHARED),
    )


SERVER_FILTERED_PHRASES: tuple[str, ...] = _SERVER_FILTERED
