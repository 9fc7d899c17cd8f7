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
import hashlib
import re
import string
from dataclasses import dataclass, field

from soulsync.sandbox import catalogue_data as data

_B62 = string.digits + string.ascii_letters


def stable_digest(*parts: str) -> bytes:
    """SHA-256 of the parts: the seed of every stable id, ISRC and tone in the catalogue."""
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def spotify_id(kind: str, key: str) -> str:
    """A stable 22-character base62 id, as Spotify uses."""
    n = int.from_bytes(stable_digest("spotify", kind, key)[:17], "big")
    chars = []
    for _ in range(22):
        n, r = divmod(n, 62)
        chars.append(_B62[r])
    return "".join(chars)


def deezer_id(kind: str, key: str) -> int:
    """A stable positive integer id, as Deezer uses."""
    return int.from_bytes(stable_digest("deezer", kind, key)[:4], "big") % 900_000_000 + 100_000


def isrc_for(key: str) -> str:
    """A stable, well-formed ISRC (country QZ is reserved for such use)."""
    n = int.from_bytes(stable_digest("isrc", key)[:4], "big")
    return f"QZ{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}{n // 676 % 10}{20 + n % 6:02d}{n % 100000:05d}"


def _ms(duration: str) -> int:
    minutes, seconds = duration.split(":")
    # A deterministic sub-second part keeps durations realistic (not whole seconds).
    frac = int.from_bytes(stable_digest("ms", duration)[:2], "big") % 1000
    return (int(minutes) * 60 + int(seconds)) * 1000 + frac


@dataclass(frozen=True, slots=True)
class CatArtist:
    """An artist of the sandbox catalogue."""

    key: str
    name: str
    genres: tuple[str, ...]
    spotify_id: str
    deezer_id: int


@dataclass(frozen=True, slots=True)
class CatTrack:
    """A recording on one release (the same song on a compilation is another CatTrack)."""

    key: str  # "<album key>/<title>"
    title: str
    artist_keys: tuple[str, ...]  # credited artists in order
    album_key: str
    disc_number: int
    track_number: int
    duration_ms: int
    isrc: str
    explicit: bool
    spotify_id: str
    deezer_id: int


@dataclass(frozen=True, slots=True)
class CatAlbum:
    """A release: album, single, EP or compilation."""

    key: str
    title: str
    artist_keys: tuple[str, ...]
    album_type: str  # album | single | compilation
    release_date: str
    total_discs: int
    track_keys: tuple[str, ...]
    spotify_id: str
    deezer_id: int
    upc: str

    @property
    def year(self) -> int:
        """Release year."""
        return int(self.release_date[:4])


@dataclass(frozen=True, slots=True)
class CatPlaylistItem:
    """One playlist position: a catalogue track, a local file, or an unavailable track."""

    track_key: str | None
    local_name: str | None = None
    unavailable: bool = False


@dataclass(frozen=True, slots=True)
class CatPlaylist:
    """A playlist as both Spotify and Deezer serve it."""

    key: str
    name: str
    owner: str  # "me" is the sandbox user
    collaborative: bool
    items: tuple[CatPlaylistItem, ...]
    spotify_id: str
    deezer_id: int

    @property
    def snapshot_id(self) -> str:
        """Changes whenever the items change, as Spotify's does."""
        joined = "|".join(f"{i.track_key}:{i.local_name}:{i.unavailable}" for i in self.items)
        return hashlib.sha1(joined.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Peer:
    """A Soulseek user sharing files, with the behaviour the slskd simulator acts out."""

    username: str
    upload_speed: int  # bytes/s as advertised in search responses
    has_free_upload_slot: bool
    queue_length: int
    behaviour: str = "ok"  # ok | slow | stall | fail | offline
    transfer_speed: int | None = None  # real simulated bytes/s; None = upload_speed


@dataclass(frozen=True, slots=True)
class AudioSpec:
    """What the generated audio for a shared file is (files with equal specs share content)."""

    fmt: str  # flac | mp3
    duration_ms: int
    frequency: int
    bit_depth: int | None = None
    sample_rate: int = 44100
    title: str | None = None  # embedded tags; None = untagged file
    artist: str | None = None
    album: str | None = None


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file a peer shares. ``filename`` is the full remote path with backslashes."""

    username: str
    filename: str
    track_key: str | None
    audio: AudioSpec
    bit_rate: int | None  # what the peer reports, not necessarily what the file is
    sample_rate: int | None
    bit_depth: int | None
    is_variable_bit_rate: bool | None
    length: int | None  # seconds reported by the peer, may be absent or wrong
    locked: bool = False

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot."""
        return self.filename.rsplit(".", 1)[-1].lower()


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The whole sandbox world: metadata, playlists, Soulseek shares, library contents."""

    artists: dict[str, CatArtist]
    albums: dict[str, CatAlbum]
    tracks: dict[str, CatTrack]
    playlists: dict[str, CatPlaylist]
    peers: dict[str, Peer]
    shares: tuple[SharedFile, ...]
    library_track_keys: tuple[str, ...]
    unshared_track_keys: frozenset[str] = field(default_factory=frozenset)
    _indexes: tuple[
        dict[tuple[str, str], CatArtist | CatAlbum | CatTrack | CatPlaylist],
        dict[tuple[str, int], CatArtist | CatAlbum | CatTrack | CatPlaylist],
    ] = field(default=({}, {}), init=False, repr=False, compare=False)

    # -- lookups ---------------------------------------------------------------------

    def artist_names(self, track: CatTrack) -> list[str]:
        """Credited artist names of a track, in order."""
        return [self.artists[k].name for k in track.artist_keys]

    def album_of(self, track: CatTrack) -> CatAlbum:
        """The release a track is on."""
        return self.albums[track.album_key]

    def album_tracks(self, album: CatAlbum) -> list[CatTrack]:
        """Tracks of a release in disc/track order."""
        return [self.tracks[k] for k in album.track_keys]

    def albums_of_artist(self, artist_key: str) -> list[CatAlbum]:
        """Releases whose album artists include ``artist_key``, oldest first."""
        found = [a for a in self.albums.values() if artist_key in a.artist_keys]
        return sorted(found, key=lambda a: (a.release_date, a.title))

    def by_spotify_id(
        self, kind: str, sid: str
    ) -> CatArtist | CatAlbum | CatTrack | CatPlaylist | None:
        """Find an entity by its Spotify id (kind: artist, album, track, playlist)."""
        return self._spotify_index().get((kind, sid))

    def by_deezer_id(
        self, kind: str, did: int
    ) -> CatArtist | CatAlbum | CatTrack | CatPlaylist | None:
        """Find an entity by its Deezer id."""
        return self._deezer_index().get((kind, did))

    def track_by_isrc(self, isrc: str) -> CatTrack | None:
        """The first track carrying ``isrc`` (compilation copies share none)."""
        for track in self.tracks.values():
            if track.isrc == isrc.upper():
                return track
        return None

    def search_tracks(self, query: str) -> list[CatTrack]:
        """Tracks whose title/artist/album words contain every word of ``query``.

        A deliberately simple, service-like search (case- and accent-
        insensitive word prefix match) used by the Spotify and Deezer fakes.
        """
        words = _words(query)
        if not words:
            return []
        hits = []
        for track in self.tracks.values():
            hay = _words(
                " ".join([track.title, *self.artist_names(track), self.album_of(track).title])
            )
            if all(any(h.startswith(w) for h in hay) for w in words):
                hits.append(track)
        return hits

    def search_artists(self, query: str) -> list[CatArtist]:
        """Artists whose name words contain every query word (prefix match)."""
        words = _words(query)
        return [
            a
            for a in self.artists.values()
            if words and all(any(h.startswith(w) for h in _words(a.name)) for w in words)
        ]

    def search_albums(self, query: str) -> list[CatAlbum]:
        """Releases matching every query word in title or artist names."""
        words = _words(query)
        found = []
        for album in self.albums.values():
            names = [self.artists[k].name for k in album.artist_keys]
            hay = _words(" ".join([album.title, *names]))
            if words and all(any(h.startswith(w) for h in hay) for w in words):
                found.append(album)
        return found

    def _spotify_index(
        self,
    ) -> dict[tuple[str, str], CatArtist | CatAlbum | CatTrack | CatPlaylist]:
        return self._indexes[0]

    def _deezer_index(self) -> dict[tuple[str, int], CatArtist | CatAlbum | CatTrack | CatPlaylist]:
        return self._indexes[1]

    def __post_init__(self) -> None:
        spotify: dict[tuple[str, str], CatArtist | CatAlbum | CatTrack | CatPlaylist] = {}
        deezer: dict[tuple[str, int], CatArtist | CatAlbum | CatTrack | CatPlaylist] = {}
        groups: list[tuple[str, list[CatArtist | CatAlbum | CatTrack | CatPlaylist]]] = [
            ("artist", list(self.artists.values())),
            ("album", list(self.albums.values())),
            ("track", list(self.tracks.values())),
            ("playlist", list(self.playlists.values())),
        ]
        for kind, items in groups:
            for item in items:
                spotify[(kind, item.spotify_id)] = item
                deezer[(kind, item.deezer_id)] = item
        object.__setattr__(self, "_indexes", (spotify, deezer))


def _words(text: str) -> list[str]:
    from anyascii import anyascii

    folded = anyascii(text).lower() + " " + text.lower()
    return [w for w in re.split(r"[^\w$]+", folded) if w]


# -- building ------------------------------------------------------------------------

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
    # The shares module builds on this module's types, so it is imported here.
    from soulsync.sandbox.catalogue_shares import PEERS, build_shares

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
