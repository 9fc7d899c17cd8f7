"""The catalogue's types: artists, albums, tracks, playlists, peers and shared files.

Built by :mod:`soulsync.sandbox.catalogue`; every simulator reads them.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field

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

    fmt: str  # flac | mp3 | m4a (video-site streams)
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
