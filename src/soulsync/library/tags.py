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

import base64
import io
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.flac import Picture as FlacPicture
from mutagen.id3 import (
    APIC,
    TALB,
    TCMP,
    TCON,
    TDRC,
    TIT2,
    TOPE,
    TPE1,
    TPE2,
    TPE4,
    TPOS,
    TRCK,
    TSRC,
    TXXX,
    WOAS,
)
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from soulsync.domain import Album, Track

__all__ = [
    "Picture",
    "TagError",
    "TagSet",
    "diff_tags",
    "read_tags",
    "tagset_for",
    "write_tags",
]

ID3V23_SEPARATOR = "; "
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_ID_KEY = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_ID$")
_ITUNES = "----:com.apple.iTunes:"
# FLAC metadata blocks carry a 24-bit length, so bigger pictures cannot be stored.
_FLAC_BLOCK_LIMIT = (1 << 24) - 1
_FRONT_COVER = 3

# Where a track's service id goes, and how its public URL is built.
_SOURCE_URLS = {
    "spotify": "https://open.spotify.com/track/{id}",
    "deezer": "https://www.deezer.com/track/{id}",
}


class TagError(Exception):
    """The file could not be tagged or read: not audio, broken, or unsupported."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True, slots=True)
class Picture:
    """An embedded front cover. ``mime`` is image/jpeg or image/png."""

    data: bytes = field(repr=False)
    mime: str = "image/jpeg"

    @staticmethod
    def from_bytes(data: bytes) -> Picture:
        """Wrap image bytes, detecting JPEG or PNG from their magic bytes.

        Raises:
            TagError: the bytes are neither JPEG nor PNG (the only formats all
                four containers accept).
        """
        mime = _image_mime(data)
        if mime is None:
            raise TagError("cover image is neither JPEG nor PNG")
        return Picture(data=data, mime=mime)


@dataclass(frozen=True, slots=True)
class TagSet:
    """Every tag SoulSync writes. Empty/None fields are simply not written.

    ``artist`` is the display string (e.g. "A feat. B"); ``artists`` the
    individual names for the multi-value ARTISTS tag. For remixes the caller
    applies its policy (remixer as artist, original artist as a contributing
    member of ``artists``) and may also fill ``remixers``/``original_artist``;
    they are written as given.
    """

    title: str | None = None
    artist: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    date: str | None = None
    isrc: str | None = None
    genres: tuple[str, ...] = ()
    compilation: bool = False
    remixers: tuple[str, ...] = ()
    original_artist: str | None = None
    ids: dict[str, str] = field(default_factory=dict, hash=False)
    source_url: str | None = None
    cover: Picture | None = None


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
    ids = {k: v for k, v in ids.items() if _ID_KEY.match(k)}
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
        if not _ID_KEY.match(key):
            raise TagError(f"invalid id tag name {key!r} (want e.g. SPOTIFY_TRACK_ID)", path)
    audio = _open(path)
    try:
        if isinstance(audio, MP3):
            _write_id3(audio, tags, id3v23=id3v23, clear=clear)
        elif isinstance(audio, MP4):
            _write_mp4(audio, tags, clear=clear)
        else:
            _write_vorbis(audio, tags, clear=clear)
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
            return _read_id3(audio)
        if isinstance(audio, MP4):
            return _read_mp4(audio)
        return _read_vorbis(audio)
    except (mutagen.MutagenError, struct.error, ValueError, EOFError) as exc:
        raise TagError(f"could not read tags ({exc})", path) from exc


def diff_tags(wanted: TagSet, got: TagSet, *, id3v23: bool = False) -> list[str]:
    """Names of the fields where ``got`` differs from ``wanted`` ([] when equal).

    Used to verify a write: the display artist defaults to the joined names
    when ``wanted.artist`` is None, exactly as :func:`write_tags` writes it.
    Pass the same ``id3v23`` as to the write (v2.3 cannot store year-month).
    """
    want = _effective(wanted, id3v23=id3v23)
    return [f.name for f in fields(TagSet) if getattr(want, f.name) != getattr(got, f.name)]


# --------------------------------------------------------------------------- helpers


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


def _effective(tags: TagSet, *, id3v23: bool = False) -> TagSet:
    """The tag set as it will be stored (display artist filled in, empties dropped).

    Numbers <= 0 count as unknown, a total without its number is dropped (no
    container can store "?/12"), and a date that is not ISO ``YYYY[-MM[-DD]]``
    is cut to its year (ID3 would mangle it otherwise). ID3v2.3 stores a
    year and a day-month pair (TYER/TDAT), so a year-month date keeps its year.
    """
    artist = tags.artist or _join_display(tags.artists) or None
    track = tags.track_number if tags.track_number and tags.track_number > 0 else None
    disc = tags.disc_number if tags.disc_number and tags.disc_number > 0 else None
    return replace(
        tags,
        track_number=track,
        track_total=(tags.track_total or None) if track and (tags.track_total or 0) > 0 else None,
        disc_number=disc,
        disc_total=(tags.disc_total or None) if disc and (tags.disc_total or 0) > 0 else None,
        date=_clean_date(tags.date, id3v23=id3v23),
        artist=artist,
        artists=tuple(a for a in tags.artists if a),
        genres=tuple(g for g in tags.genres if g),
        remixers=tuple(r for r in tags.remixers if r),
        title=tags.title or None,
        album=tags.album or None,
        album_artist=tags.album_artist or None,
        isrc=tags.isrc or None,
        original_artist=tags.original_artist or None,
        source_url=tags.source_url or None,
        ids={k: v for k, v in tags.ids.items() if v},
    )


def _clean_date(date: str | None, *, id3v23: bool = False) -> str | None:
    text = (date or "").strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        return text[:4] if id3v23 and len(text) == 7 else text
    return text[:4] if text[:4].isdigit() else None


def _join_display(names: Iterable[str]) -> str:
    items = [n for n in names if n]
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + " & " + items[-1]


def _image_mime(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def _image_size(data: bytes) -> tuple[int, int]:
    # Pillow reads just the header here; dimensions are informative only.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(img.width), int(img.height)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise TagError(f"cover image is unreadable ({exc})") from exc


def _pair(number: int | None, total: int | None) -> str | None:
    if not number:
        return None
    return f"{number}/{total}" if total else str(number)


def _split_pair(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    head, _, tail = str(value).partition("/")
    return _int(head), _int(tail)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number or None


def _flac_picture(cover: Picture) -> FlacPicture:
    pic = FlacPicture()
    pic.type = _FRONT_COVER
    pic.mime = cover.mime
    pic.desc = "Front Cover"
    pic.width, pic.height = _image_size(cover.data)
    pic.depth = 24
    pic.data = cover.data
    return pic


# --------------------------------------------------------------------------- ID3


def _write_id3(audio: MP3, tags: TagSet, *, id3v23: bool, clear: bool) -> None:
    t = _effective(tags, id3v23=id3v23)
    if audio.tags is None:
        audio.add_tags()
    id3: Any = audio.tags
    if clear:
        id3.clear()
    enc = 1 if id3v23 else 3  # v2.3 has no UTF-8: use UTF-16 there

    def text(frame: type, value: str | None) -> None:
        if value:
            id3.setall(frame.__name__, [frame(encoding=enc, text=[value])])

    def multi(frame: type, values: tuple[str, ...]) -> None:
        if values:
            id3.setall(frame.__name__, [frame(encoding=enc, text=list(values))])

    def txxx(desc: str, values: list[str]) -> None:
        id3.delall(f"TXXX:{desc}")
        if values:
            id3.add(TXXX(encoding=enc, desc=desc, text=values))

    text(TIT2, t.title)
    text(TPE1, t.artist)
    txxx("ARTISTS", list(t.artists))
    text(TALB, t.album)
    text(TPE2, t.album_artist)
    text(TRCK, _pair(t.track_number, t.track_total))
    text(TPOS, _pair(t.disc_number, t.disc_total))
    if t.date:
        id3.setall("TDRC", [TDRC(encoding=enc, text=[t.date])])
    text(TSRC, t.isrc)
    multi(TCON, t.genres)
    if t.compilation:
        id3.setall("TCMP", [TCMP(encoding=enc, text=["1"])])
    multi(TPE4, t.remixers)
    text(TOPE, t.original_artist)
    for key, value in sorted(t.ids.items()):
        txxx(key, [value])
    if t.source_url:
        id3.setall("WOAS", [WOAS(url=t.source_url)])
    if t.cover is not None:
        id3.delall("APIC")
        id3.add(
            APIC(encoding=enc, mime=t.cover.mime, type=_FRONT_COVER, desc="", data=t.cover.data)
        )
    if id3v23:
        id3.update_to_v23()
        audio.save(v2_version=3, v23_sep=ID3V23_SEPARATOR, v1=0 if clear else 1)
    else:
        audio.save(v2_version=4, v1=0 if clear else 1)


def _read_id3(audio: MP3) -> TagSet:
    id3: Any = audio.tags
    if id3 is None:
        return TagSet()
    v23 = id3.version[1] == 3

    def values(key: str) -> tuple[str, ...]:
        frame = id3.get(key)
        if frame is None:
            return ()
        out: list[str] = []
        for item in frame.text:
            out.extend(str(item).split(ID3V23_SEPARATOR) if v23 else [str(item)])
        return tuple(v for v in out if v)

    def first(key: str) -> str | None:
        vals = id3.get(key)
        return str(vals.text[0]) if vals is not None and vals.text else None

    track, track_total = _split_pair(first("TRCK"))
    disc, disc_total = _split_pair(first("TPOS"))
    ids = {
        frame.desc: str(frame.text[0])
        for frame in id3.getall("TXXX")
        if _ID_KEY.match(frame.desc) and frame.text
    }
    apics = [f for f in id3.getall("APIC") if f.type == _FRONT_COVER] or id3.getall("APIC")
    woas = id3.getall("WOAS")
    tcmp = first("TCMP")
    return TagSet(
        title=first("TIT2"),
        artist=first("TPE1"),
        artists=values("TXXX:ARTISTS"),
        album=first("TALB"),
        album_artist=first("TPE2"),
        track_number=track,
        track_total=track_total,
        disc_number=disc,
        disc_total=disc_total,
        date=first("TDRC"),
        isrc=first("TSRC"),
        genres=values("TCON"),
        compilation=tcmp == "1",
        remixers=values("TPE4"),
        original_artist=first("TOPE"),
        ids=ids,
        source_url=woas[0].url if woas else None,
        cover=Picture(data=apics[0].data, mime=apics[0].mime) if apics else None,
    )


# --------------------------------------------------------------------------- Vorbis comments


def _write_vorbis(audio: FLAC | OggVorbis | OggOpus, tags: TagSet, *, clear: bool) -> None:
    t = _effective(tags)
    if audio.tags is None:
        audio.add_tags()
    vc: Any = audio.tags
    if clear:
        vc.clear()
        if isinstance(audio, FLAC):
            audio.clear_pictures()

    def put(key: str, value: str | int | Iterable[str] | None) -> None:
        if value is None or value == "" or value == ():
            return  # not given: leave whatever is there (nothing, after a clear)
        vc[key] = [str(value)] if isinstance(value, str | int) else [str(v) for v in value]

    put("TITLE", t.title)
    put("ARTIST", t.artist)
    put("ARTISTS", t.artists)
    put("ALBUM", t.album)
    put("ALBUMARTIST", t.album_artist)
    put("TRACKNUMBER", t.track_number)
    put("TRACKTOTAL", t.track_total)
    put("TOTALTRACKS", t.track_total)
    put("DISCNUMBER", t.disc_number)
    put("DISCTOTAL", t.disc_total)
    put("TOTALDISCS", t.disc_total)
    put("DATE", t.date)
    put("ISRC", t.isrc)
    put("GENRE", t.genres)
    put("COMPILATION", "1" if t.compilation else None)
    put("REMIXER", t.remixers)
    put("ORIGINALARTIST", t.original_artist)
    for key, value in sorted(t.ids.items()):
        put(key, value)
    put("SOURCE_URL", t.source_url)
    if t.cover is not None:
        pic = _flac_picture(t.cover)
        if isinstance(audio, FLAC):
            if len(t.cover.data) > _FLAC_BLOCK_LIMIT:
                raise TagError("cover image is larger than a FLAC metadata block allows")
            audio.clear_pictures()
            audio.add_picture(pic)
        else:
            put("METADATA_BLOCK_PICTURE", base64.b64encode(pic.write()).decode("ascii"))
    audio.save()


def _read_vorbis(audio: FLAC | OggVorbis | OggOpus) -> TagSet:
    vc: Any = audio.tags
    if vc is None:
        return TagSet()

    def values(key: str) -> tuple[str, ...]:
        return tuple(v for v in vc.get(key, []) if v)

    def first(*keys: str) -> str | None:
        for key in keys:
            vals = values(key)
            if vals:
                return vals[0]
        return None

    track, track_total = _split_pair(first("TRACKNUMBER"))
    disc, disc_total = _split_pair(first("DISCNUMBER"))
    ids: dict[str, str] = {}
    for key in vc.keys():  # noqa: SIM118 - VComment iterates (key, value) pairs
        upper = key.upper()
        if _ID_KEY.match(upper) and values(key):
            ids[upper] = values(key)[0]
    cover: Picture | None = None
    pictures: list[FlacPicture] = list(audio.pictures) if isinstance(audio, FLAC) else []
    for encoded in values("METADATA_BLOCK_PICTURE"):
        try:
            pictures.append(FlacPicture(base64.b64decode(encoded)))
        except (ValueError, mutagen.MutagenError, struct.error):
            continue  # an unreadable picture is not worth failing the whole read for
    fronts = [p for p in pictures if p.type == _FRONT_COVER] or pictures
    if fronts:
        cover = Picture(data=fronts[0].data, mime=fronts[0].mime)
    return TagSet(
        title=first("TITLE"),
        artist=first("ARTIST"),
        artists=values("ARTISTS"),
        album=first("ALBUM"),
        album_artist=first("ALBUMARTIST"),
        track_number=track,
        track_total=track_total or _int(first("TRACKTOTAL", "TOTALTRACKS")),
        disc_number=disc,
        disc_total=disc_total or _int(first("DISCTOTAL", "TOTALDISCS")),
        date=first("DATE"),
        isrc=first("ISRC"),
        genres=values("GENRE"),
        compilation=first("COMPILATION") == "1",
        remixers=values("REMIXER"),
        original_artist=first("ORIGINALARTIST"),
        ids=ids,
        source_url=first("SOURCE_URL"),
        cover=cover,
    )


# --------------------------------------------------------------------------- MP4


def _write_mp4(audio: MP4, tags: TagSet, *, clear: bool) -> None:
    t = _effective(tags)
    if audio.tags is None:
        audio.add_tags()
    mp4: Any = audio.tags
    if clear:
        mp4.clear()

    def put(key: str, value: Any) -> None:
        if value is not None and value != [] and value != "":
            mp4[key] = value  # not given: leave whatever is there

    def text(key: str, value: str | None) -> None:
        put(key, [value] if value else None)

    def free(name: str, vals: Iterable[str]) -> None:
        items = [MP4FreeForm(v.encode("utf-8")) for v in vals if v]
        put(_ITUNES + name, items or None)

    text("\xa9nam", t.title)
    text("\xa9ART", t.artist)
    free("ARTISTS", t.artists)
    text("\xa9alb", t.album)
    text("aART", t.album_artist)
    put("trkn", [(t.track_number, t.track_total or 0)] if t.track_number else None)
    put("disk", [(t.disc_number, t.disc_total or 0)] if t.disc_number else None)
    text("\xa9day", t.date)
    free("ISRC", [t.isrc] if t.isrc else [])
    put("\xa9gen", list(t.genres) or None)
    put("cpil", True if t.compilation else None)
    free("REMIXER", t.remixers)
    free("ORIGINALARTIST", [t.original_artist] if t.original_artist else [])
    for key, value in sorted(t.ids.items()):
        free(key, [value])
    free("SOURCE_URL", [t.source_url] if t.source_url else [])
    if t.cover is not None:
        fmt = MP4Cover.FORMAT_PNG if t.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        mp4["covr"] = [MP4Cover(t.cover.data, imageformat=fmt)]
    audio.save()


def _read_mp4(audio: MP4) -> TagSet:
    mp4: Any = audio.tags
    if mp4 is None:
        return TagSet()

    def first(key: str) -> str | None:
        vals = mp4.get(key)
        return str(vals[0]) if vals else None

    def free(name: str) -> tuple[str, ...]:
        return tuple(bytes(v).decode("utf-8", "replace") for v in mp4.get(_ITUNES + name, []))

    trkn = mp4.get("trkn") or [(None, None)]
    disk = mp4.get("disk") or [(None, None)]
    ids: dict[str, str] = {}
    for key in mp4.keys():  # noqa: SIM118 - mutagen tags are not plain dicts
        if key.startswith(_ITUNES) and _ID_KEY.match(key[len(_ITUNES) :]):
            vals = free(key[len(_ITUNES) :])
            if vals:
                ids[key[len(_ITUNES) :]] = vals[0]
    covers = mp4.get("covr") or []
    cover: Picture | None = None
    if covers:
        mime = "image/png" if covers[0].imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
        cover = Picture(data=bytes(covers[0]), mime=mime)
    return TagSet(
        title=first("\xa9nam"),
        artist=first("\xa9ART"),
        artists=free("ARTISTS"),
        album=first("\xa9alb"),
        album_artist=first("aART"),
        track_number=_int(trkn[0][0]),
        track_total=_int(trkn[0][1]),
        disc_number=_int(disk[0][0]),
        disc_total=_int(disk[0][1]),
        date=first("\xa9day"),
        isrc=(free("ISRC") or (None,))[0],
        genres=tuple(str(g) for g in mp4.get("\xa9gen", [])),
        compilation=bool(mp4.get("cpil", False)),
        remixers=free("REMIXER"),
        original_artist=(free("ORIGINALARTIST") or (None,))[0],
        ids=ids,
        source_url=(free("SOURCE_URL") or (None,))[0],
        cover=cover,
    )
