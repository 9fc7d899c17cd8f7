"""Per-container tag mapping (ID3, Vorbis comments, MP4 atoms) behind :mod:`soulsync.library.tags`.

Frame and key names follow Picard; the table is in :mod:`soulsync.library.tags`.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable
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

from soulsync.library.tag_model import (
    FLAC_BLOCK_LIMIT,
    FRONT_COVER,
    ID3V23_SEPARATOR,
    ID_KEY,
    ITUNES,
    Picture,
    TagError,
    TagSet,
    effective,
    image_size,
    pair,
    split_pair,
    to_int,
)

__all__ = ["read_id3", "read_mp4", "read_vorbis", "write_id3", "write_mp4", "write_vorbis"]


def _flac_picture(cover: Picture) -> FlacPicture:
    pic = FlacPicture()
    pic.type = FRONT_COVER
    pic.mime = cover.mime
    pic.desc = "Front Cover"
    pic.width, pic.height = image_size(cover.data)
    pic.depth = 24
    pic.data = cover.data
    return pic


# --------------------------------------------------------------------------- ID3


def write_id3(audio: MP3, tags: TagSet, *, id3v23: bool, clear: bool) -> None:
    t = effective(tags, id3v23=id3v23)
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
    text(TRCK, pair(t.track_number, t.track_total))
    text(TPOS, pair(t.disc_number, t.disc_total))
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
        id3.add(APIC(encoding=enc, mime=t.cover.mime, type=FRONT_COVER, desc="", data=t.cover.data))
    if id3v23:
        id3.update_to_v23()
        audio.save(v2_version=3, v23_sep=ID3V23_SEPARATOR, v1=0 if clear else 1)
    else:
        audio.save(v2_version=4, v1=0 if clear else 1)


def read_id3(audio: MP3) -> TagSet:
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

    track, track_total = split_pair(first("TRCK"))
    disc, disc_total = split_pair(first("TPOS"))
    ids = {
        frame.desc: str(frame.text[0])
        for frame in id3.getall("TXXX")
        if ID_KEY.match(frame.desc) and frame.text
    }
    apics = [f for f in id3.getall("APIC") if f.type == FRONT_COVER] or id3.getall("APIC")
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


def write_vorbis(audio: FLAC | OggVorbis | OggOpus, tags: TagSet, *, clear: bool) -> None:
    t = effective(tags)
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
            if len(t.cover.data) > FLAC_BLOCK_LIMIT:
                raise TagError("cover image is larger than a FLAC metadata block allows")
            audio.clear_pictures()
            audio.add_picture(pic)
        else:
            put("METADATA_BLOCK_PICTURE", base64.b64encode(pic.write()).decode("ascii"))
    audio.save()


def read_vorbis(audio: FLAC | OggVorbis | OggOpus) -> TagSet:
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

    track, track_total = split_pair(first("TRACKNUMBER"))
    disc, disc_total = split_pair(first("DISCNUMBER"))
    ids: dict[str, str] = {}
    for key in vc.keys():  # noqa: SIM118 - VComment iterates (key, value) pairs
        upper = key.upper()
        if ID_KEY.match(upper) and values(key):
            ids[upper] = values(key)[0]
    cover: Picture | None = None
    pictures: list[FlacPicture] = list(audio.pictures) if isinstance(audio, FLAC) else []
    for encoded in values("METADATA_BLOCK_PICTURE"):
        try:
            pictures.append(FlacPicture(base64.b64decode(encoded)))
        except (ValueError, mutagen.MutagenError, struct.error):
            continue  # an unreadable picture is not worth failing the whole read for
    fronts = [p for p in pictures if p.type == FRONT_COVER] or pictures
    if fronts:
        cover = Picture(data=fronts[0].data, mime=fronts[0].mime)
    return TagSet(
        title=first("TITLE"),
        artist=first("ARTIST"),
        artists=values("ARTISTS"),
        album=first("ALBUM"),
        album_artist=first("ALBUMARTIST"),
        track_number=track,
        track_total=track_total or to_int(first("TRACKTOTAL", "TOTALTRACKS")),
        disc_number=disc,
        disc_total=disc_total or to_int(first("DISCTOTAL", "TOTALDISCS")),
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


def write_mp4(audio: MP4, tags: TagSet, *, clear: bool) -> None:
    t = effective(tags)
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
        put(ITUNES + name, items or None)

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


def read_mp4(audio: MP4) -> TagSet:
    mp4: Any = audio.tags
    if mp4 is None:
        return TagSet()

    def first(key: str) -> str | None:
        vals = mp4.get(key)
        return str(vals[0]) if vals else None

    def free(name: str) -> tuple[str, ...]:
        return tuple(bytes(v).decode("utf-8", "replace") for v in mp4.get(ITUNES + name, []))

    trkn = mp4.get("trkn") or [(None, None)]
    disk = mp4.get("disk") or [(None, None)]
    ids: dict[str, str] = {}
    for key in mp4.keys():  # noqa: SIM118 - mutagen tags are not plain dicts
        if key.startswith(ITUNES) and ID_KEY.match(key[len(ITUNES) :]):
            vals = free(key[len(ITUNES) :])
            if vals:
                ids[key[len(ITUNES) :]] = vals[0]
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
        track_number=to_int(trkn[0][0]),
        track_total=to_int(trkn[0][1]),
        disc_number=to_int(disk[0][0]),
        disc_total=to_int(disk[0][1]),
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
