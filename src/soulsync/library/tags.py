"""Writing and reading tags with mutagen: FLAC, MP3, M4A (AAC/ALAC), Ogg Vorbis, Opus.

Blocking file I/O; async callers run these in a thread. Frame and key names
follow MusicBrainz Picard's mapping (see the shared reference, section B3):

============  ==================  =====================  ==============================
field         ID3v2               Vorbis (FLAC/Ogg)      MP4
============  ==================  =====================  ==============================
title         TIT2                TITLE                  ©nam
artist        TPE1                ARTIST                 ©ART
artists       TXXX:ARTISTS        ARTISTS (one each)     ----:com.apple.iTunes:ARTISTS
album         TALB                ALBUM                  ©alb
albumartist   TPE2                ALBUMARTIST            aART
track n/N     TRCK "n/N"          TRACKNUMBER,           trkn
                                  TRACKTOTAL+TOTALTRACKS
disc n/N      TPOS "n/N"          DISCNUMBER,            disk
                                  DISCTOTAL+TOTALDISCS
date          TDRC (v2.3: TYER)   DATE                   ©day
isrc          TSRC                ISRC                   ----:…:ISRC
genre         TCON                GENRE                  ©gen
compilation   TCMP                COMPILATION            cpil
remixer       TPE4                REMIXER                ----:…:REMIXER
orig. artist  TOPE                ORIGINALARTIST         ----:…:ORIGINALARTIST
ids           TXXX:<KEY>          <KEY>                  ----:…:<KEY>
source URL    WOAS                SOURCE_URL             ----:…:SOURCE_URL
front cover   APIC type 3         PICTURE block (FLAC),  covr
                                  METADATA_BLOCK_PICTURE
============  ==================  =====================  ==============================

ID keys look like ``SPOTIFY_TRACK_ID`` (upper case, ending in ``_ID``).
ID3v2.4 is the default; ``id3v23=True`` writes v2.3 and joins multi-value
fields with "; " (the separator Picard's docs recommend), which
:func:`read_tags` splits again.

By default :func:`write_tags` first removes every tag the file carried (a
Soulseek peer's tags are often wrong and would otherwise survive next to
ours), so the file ends up with exactly the given :class:`TagSet`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from soulsync.domain import Album, Track
from soulsync.library.tag_formats import (
    read_id3,
    read_mp4,
    read_vorbis,
    write_id3,
    write_mp4,
    write_vorbis,
)
from soulsync.library.tag_model import (
    ID3V23_SEPARATOR,
    ID_KEY,
    Picture,
    TagError,
    TagSet,
    effective,
)

__all__ = [
    "ID3V23_SEPARATOR",
    "Picture",
    "TagError",
    "TagSet",
    "diff_tags",
    "read_tags",
    "tagset_for",
    "write_tags",
]

# Where a track's service id goes, and how its public URL is built.
_SOURCE_URLS = {
    "spotify": "https://open.spotify.com/track/{id}",
    "deezer": "https://www.deezer.com/track/{id}",
}


def tagset_for(
    track: Track,
    album: Album | None = None,
    *,
    cover: Picture | None = None,
    genres: Iterable[str] = (),
) -> TagSet:
    """Build the tags for ``track`` (on ``album``, if known) from resolved metadata.

    Service ids become ``<SOURCE>_TRACK_ID`` / ``<SOURCE>_ALBUM_ID`` and the
    first service with a known track URL gives ``source_url``.
    """
    ids = {f"{src.upper()}_TRACK_ID": value for src, value in track.ids.items() if value}
    if album is not None:
        ids.update({f"{src.upper()}_ALBUM_ID": v for src, v in album.ids.items() if v})
    ids = {k: v for k, v in ids.items() if ID_KEY.match(k)}
    url = next(
        (_SOURCE_URLS[src].format(id=track.ids[src]) for src in _SOURCE_URLS if track.ids.get(src)),
        None,
    )
    album_artists = album.artists if album is not None else track.album_artists
    genre_list = tuple(genres) or (album.genres if album is not None else ())
    return TagSet(
        title=track.title or None,
        artist=track.display_artist or None,
        artists=tuple(track.artists),
        album=(album.title if album is not None else track.album) or None,
        album_artist=(album_artists[0] if album_artists else None),
        track_number=track.track_number,
        track_total=(album.total_tracks if album is not None else None) or track.total_tracks,
        disc_number=track.disc_number,
        disc_total=(album.total_discs if album is not None else None) or track.total_discs,
        date=(album.release_date if album is not None else None) or track.release_date,
        isrc=track.isrc,
        genres=genre_list,
        compilation=bool(album is not None and album.is_compilation),
        ids=ids,
        source_url=url,
        cover=cover,
    )


# --------------------------------------------------------------------------- public API


def write_tags(path: Path, tags: TagSet, *, id3v23: bool = False, clear: bool = True) -> None:
    """Write ``tags`` into the audio file at ``path`` (in place).

    ``clear`` (default) removes all existing tags and embedded pictures
    first; with ``clear=False`` only the fields given are (over)written and
    everything else in the file is kept.

    Raises:
        TagError: unsupported or broken file, or an invalid id key / cover.
    """
    path = Path(path)
    for key in tags.ids:
        if not ID_KEY.match(key):
            raise TagError(f"invalid id tag name {key!r} (want e.g. SPOTIFY_TRACK_ID)", path)
    audio = _open(path)
    try:
        if isinstance(audio, MP3):
            write_id3(audio, tags, id3v23=id3v23, clear=clear)
        elif isinstance(audio, MP4):
            write_mp4(audio, tags, clear=clear)
        else:
            write_vorbis(audio, tags, clear=clear)
    except TagError:
        raise
    except (mutagen.MutagenError, OSError, struct.error, ValueError, EOFError) as exc:
        raise TagError(f"could not write tags ({exc})", path) from exc


def read_tags(path: Path) -> TagSet:
    """Read the tags of ``path`` back into a :class:`TagSet` (fresh mutagen object).

    Raises:
        TagError: unsupported or broken file.
    """
    path = Path(path)
    audio = _open(path)
    try:
        if isinstance(audio, MP3):
            return read_id3(audio)
        if isinstance(audio, MP4):
            return read_mp4(audio)
        return read_vorbis(audio)
    except (mutagen.MutagenError, struct.error, ValueError, EOFError) as exc:
        raise TagError(f"could not read tags ({exc})", path) from exc


def diff_tags(wanted: TagSet, got: TagSet, *, id3v23: bool = False) -> list[str]:
    """Names of the fields where ``got`` differs from ``wanted`` ([] when equal).

    Used to verify a write: the display artist defaults to the joined names
    when ``wanted.artist`` is None, exactly as :func:`write_tags` writes it.
    Pass the same ``id3v23`` as to the write (v2.3 cannot store year-month).
    """
    want = effective(wanted, id3v23=id3v23)
    return [f.name for f in fields(TagSet) if getattr(want, f.name) != getattr(got, f.name)]


def _open(path: Path) -> Any:
    if not path.is_file():
        raise TagError("no such file", path)
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, struct.error, ValueError, EOFError) as exc:
        raise TagError(f"not readable audio ({exc})", path) from exc
    if audio is None:
        raise TagError("not a recognised audio file", path)
    if not isinstance(audio, MP3 | MP4 | FLAC | OggVorbis | OggOpus):
        raise TagError(f"unsupported audio type {type(audio).__name__}", path)
    return audio
