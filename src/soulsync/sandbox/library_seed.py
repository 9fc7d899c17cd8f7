"""The sandbox user's existing music library, as real tagged files on disk.

:func:`seed_library` writes the catalogue's ``library_track_keys`` as FLAC
files with full tags in the default ``Artist/Artist - Album/NN Title.flac``
layout. That folder is both the Plex simulator's section Location and the
folder library's root. :func:`synthetic_tracks` makes a large, deterministic
set of library entries *without* files, for the Plex simulator's benchmark
bulk (50k tracks).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mutagen.flac import FLAC

from soulsync.sandbox.catalogue import AudioSpec, Catalogue, build_catalogue
from soulsync.sandbox.media import AudioCache

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True, slots=True)
class SeedTrack:
    """One library track: its tags and where it lives relative to the library root."""

    key: str
    title: str
    artist: str  # ARTIST tag / display string
    artists: tuple[str, ...]
    album: str
    album_artist: str
    track_number: int
    disc_number: int
    total_discs: int
    date: str  # "YYYY-MM-DD"
    isrc: str | None
    duration_ms: int
    relpath: PurePosixPath

    @property
    def year(self) -> int:
        """Release year."""
        return int(self.date[:4])


def safe_segment(text: str) -> str:
    """A file/folder name component without separators or characters Windows refuses."""
    cleaned = _UNSAFE.sub("_", text).strip().rstrip(". ")
    return cleaned or "_"


def relative_path(
    album_artist: str, album: str, disc: int, total_discs: int, track: int, title: str
) -> PurePosixPath:
    """``Artist/Artist - Album/NN Title.flac`` (``D-NN`` on multi-disc releases)."""
    artist_dir = safe_segment(album_artist)
    album_dir = safe_segment(f"{album_artist} - {album}")
    number = f"{disc}-{track:02d}" if total_discs > 1 else f"{track:02d}"
    return PurePosixPath(artist_dir, album_dir, safe_segment(f"{number} {title}") + ".flac")


def library_seed_tracks(
    catalogue: Catalogue | None = None, keys: Iterable[str] | None = None
) -> list[SeedTrack]:
    """The seed entries for ``keys`` (default: the catalogue's library tracks)."""
    cat = catalogue or build_catalogue()
    chosen = list(keys) if keys is not None else list(cat.library_track_keys)
    seeds: list[SeedTrack] = []
    for key in chosen:
        track = cat.tracks[key]
        album = cat.album_of(track)
        names = tuple(cat.artist_names(track))
        album_artist = " & ".join(cat.artists[k].name for k in album.artist_keys)
        display = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]
        seeds.append(
            SeedTrack(
                key=key,
                title=track.title,
                artist=display,
                artists=names,
                album=album.title,
                album_artist=album_artist,
                track_number=track.track_number,
                disc_number=track.disc_number,
                total_discs=album.total_discs,
                date=album.release_date,
                isrc=track.isrc,
                duration_ms=track.duration_ms,
                relpath=relative_path(
                    album_artist,
                    album.title,
                    track.disc_number,
                    album.total_discs,
                    track.track_number,
                    track.title,
                ),
            )
        )
    return seeds


def audio_spec_for(seed: SeedTrack) -> AudioSpec:
    """The generated audio behind a seed file (untagged; tags are written afterwards)."""
    pitch = (
        220
        + int.from_bytes(hashlib.sha256(f"library\x1f{seed.key}".encode()).digest()[:2], "big")
        % 660
    )
    return AudioSpec(fmt="flac", duration_ms=seed.duration_ms, frequency=pitch, bit_depth=16)


def write_tags(path: Path, seed: SeedTrack) -> None:
    """Replace the Vorbis comments of the FLAC file ``path`` with ``seed``'s tags."""
    audio = FLAC(path)
    audio.delete()
    audio["title"] = seed.title
    audio["artist"] = seed.artist
    if len(seed.artists) > 1:
        audio["artists"] = list(seed.artists)
    audio["album"] = seed.album
    audio["albumartist"] = seed.album_artist
    audio["tracknumber"] = str(seed.track_number)
    audio["discnumber"] = str(seed.disc_number)
    audio["disctotal"] = str(seed.total_discs)
    audio["date"] = seed.date
    if seed.isrc:
        audio["isrc"] = seed.isrc
    audio.save()


def write_seed_file(root: Path, seed: SeedTrack, cache: AudioCache) -> Path:
    """Write one seed track as a tagged FLAC under ``root``; returns its path."""
    target = root.joinpath(*seed.relpath.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = cache.ensure(audio_spec_for(seed))
    tmp = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, tmp)
    write_tags(tmp, seed)
    tmp.replace(target)
    return target


def seed_library(
    root: Path,
    *,
    cache: AudioCache | None = None,
    catalogue: Catalogue | None = None,
    keys: Iterable[str] | None = None,
) -> list[Path]:
    """Write the sandbox library (tagged FLAC files) into ``root``; returns the file paths."""
    root.mkdir(parents=True, exist_ok=True)
    audio = cache or AudioCache()
    seeds = library_seed_tracks(catalogue, keys)
    audio.ensure_all(audio_spec_for(s) for s in seeds)
    return [write_seed_file(root, seed, audio) for seed in seeds]


# -- synthetic bulk (no files) ----------------------------------------------------------

_WORDS: tuple[str, ...] = (
    "Midnight",
    "Neon",
    "River",
    "Echo",
    "Velvet",
    "Satellite",
    "Paper",
    "Golden",
    "Static",
    "Winter",
    "Harbor",
    "Lantern",
    "Ocean",
    "Cinder",
    "Hollow",
    "Prism",
    "Atlas",
    "Ember",
    "Marble",
    "Silver",
    "Fever",
    "Canyon",
    "Meadow",
    "Signal",
    "Drift",
    "Crystal",
    "Thunder",
    "Summer",
    "Shadow",
    "Orbit",
    "Garden",
    "Mirror",
    "Motion",
    "Wild",
    "Quiet",
    "Electric",
    "Falling",
)
_NON_LATIN = ("Ночь", "夜明け", "Ψυχή", "Straße", "Café", "Sigur Rós", "Björk", "Æon")


def _phrase(n: int, words: int) -> str:
    parts = []
    for i in range(words):
        n, r = divmod(n * 7919 + i * 104729 + 17, len(_WORDS))
        parts.append(_WORDS[r])
    return " ".join(parts)


def synthetic_tracks(
    count: int, *, tracks_per_album: int = 12, albums_per_artist: int = 4
) -> list[SeedTrack]:
    """``count`` deterministic library entries with realistic variety, without files.

    Every 9th track credits a featured artist (so Plex's ``originalTitle``
    differs from the album artist) and every 13th title has non-Latin
    characters. Relative paths follow the seed layout.
    """
    seeds: list[SeedTrack] = []
    per_artist = tracks_per_album * albums_per_artist
    for i in range(count):
        artist_no, rest = divmod(i, per_artist)
        album_no, track_no = divmod(rest, tracks_per_album)
        album_artist = f"{_phrase(artist_no, 2)} {artist_no:05d}"
        album = f"{_phrase(artist_no * 31 + album_no, 3)}"
        title = _phrase(i * 13 + 5, 2 + i % 3)
        if i % 13 == 0:
            title = f"{title} {_NON_LATIN[i % len(_NON_LATIN)]}"
        artists: tuple[str, ...] = (album_artist,)
        if i % 9 == 0:
            artists = (album_artist, f"{_phrase(i + 3, 1)} Guest {i % 97:02d}")
        display = artists[0] if len(artists) == 1 else f"{artists[0]} & {artists[1]}"
        year = 1960 + (artist_no * 7 + album_no) % 65
        seeds.append(
            SeedTrack(
                key=f"synthetic/{i}",
                title=title,
                artist=display,
                artists=artists,
                album=album,
                album_artist=album_artist,
                track_number=track_no + 1,
                disc_number=1,
                total_discs=1,
                date=f"{year}-01-01",
                isrc=None,
                duration_ms=120_000 + (i * 7_919) % 240_000,
                relpath=relative_path(album_artist, album, 1, 1, track_no + 1, title),
            )
        )
    return seeds
