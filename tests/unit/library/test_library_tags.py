"""tags: write with mutagen, read back with FFmpeg's demuxers (PyAV) and raw mutagen.

FFmpeg parses tags and pictures with its own code, independent of mutagen,
so it is the second reader. A system ffprobe, when one is installed, is an
extra cross-check only; the tests never need it.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import mutagen
import pytest
from library_media import FORMATS, jpeg_bytes, png_bytes
from mutagen.flac import FLAC
from mutagen.flac import Picture as FlacPicture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from soulsync.domain import Album, AlbumType, Track
from soulsync.library.tags import (
    Picture,
    TagError,
    TagSet,
    diff_tags,
    read_tags,
    tagset_for,
    write_tags,
)

COVER = jpeg_bytes()

FULL = TagSet(
    title="Blinding Lights (Chromatics Remix)",
    artist="The Weeknd & Chromatics",
    artists=("The Weeknd", "Chromatics"),
    album="After Hours (Remixes) — 夜",
    album_artist="The Weeknd",
    track_number=3,
    track_total=12,
    disc_number=2,
    disc_total=2,
    date="2020-03-20",
    isrc="USUG12000497",
    genres=("Synthpop", "Electronic"),
    compilation=True,
    remixers=("Chromatics",),
    original_artist="The Weeknd",
    ids={
        "SPOTIFY_TRACK_ID": "0VjIjW4GlUZAMYd2vXMi3b",
        "SPOTIFY_ALBUM_ID": "4yP0hdKOZPNshxUOjY0cZj",
    },
    source_url="https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b",
    cover=Picture(COVER, "image/jpeg"),
)

WRITES = [(fmt, False) for fmt in FORMATS] + [("mp3", True)]


@pytest.mark.parametrize(("fmt", "v23"), WRITES)
def test_round_trip_every_field(audio_copy: Callable[[str], Path], fmt: str, v23: bool) -> None:
    path = audio_copy(fmt)
    write_tags(path, FULL, id3v23=v23)
    got = read_tags(path)
    assert diff_tags(FULL, got) == []
    assert got == FULL


def _ffmpeg_tags(path: Path) -> dict[str, str]:
    """Tags as FFmpeg's demuxer reports them (format level plus the audio stream's)."""
    with av.open(str(path)) as container:
        found: dict[str, Any] = dict(container.metadata)
        for stream in container.streams.audio:
            found.update(stream.metadata)  # Ogg keeps comments on the stream
    return {k.lower(): str(v) for k, v in found.items()}


def _ffmpeg_cover(path: Path) -> bytes:
    """The attached picture's bytes, as FFmpeg's demuxer hands them out."""
    with av.open(str(path)) as container:
        pictures = [s for s in container.streams.video if s.disposition.attached_pic]
        assert pictures, "no attached picture stream"
        for packet in container.demux(pictures[0]):
            if packet.size:
                return bytes(packet)
    raise AssertionError("attached picture has no data")


def _system_ffprobe_tags(path: Path) -> dict[str, str] | None:
    """The same tags read by a system ffprobe, or None when none is installed."""
    binary = shutil.which("ffprobe")
    if binary is None:
        return None
    out = subprocess.run(
        [
            binary,
            "-v",
            "error",
            "-of",
            "json",
            "-show_format",
            "-show_streams",
            "file:" + str(path),
        ],
        capture_output=True,
        check=True,
    ).stdout
    data = json.loads(out)
    found: dict[str, Any] = dict(data["format"].get("tags", {}))
    for stream in data["streams"]:
        if stream["codec_type"] == "audio":
            found.update(stream.get("tags", {}))
    return {k.lower(): str(v) for k, v in found.items()}


@pytest.mark.parametrize(("fmt", "v23"), WRITES)
def test_second_tool_ffmpeg_reads_the_tags_and_cover(
    audio_copy: Callable[[str], Path], fmt: str, v23: bool
) -> None:
    path = audio_copy(fmt)
    write_tags(path, FULL, id3v23=v23)
    tags = _ffmpeg_tags(path)
    assert tags["title"] == FULL.title
    assert tags["artist"] == FULL.artist
    assert tags["album"] == FULL.album
    assert tags["album_artist"] == "The Weeknd"
    assert tags["date"] == "2020-03-20"
    assert tags["spotify_track_id"] == "0VjIjW4GlUZAMYd2vXMi3b"
    assert tags["compilation"] == "1"
    assert tags.get("isrc", tags.get("tsrc")) == "USUG12000497"
    if fmt in ("mp3", "aac", "alac"):
        assert tags["track"] == "3/12"
        assert tags["disc"] == "2/2"
    else:
        assert (tags["track"], tags["tracktotal"], tags["totaltracks"]) == ("3", "12", "12")
        assert (tags["disc"], tags["disctotal"]) == ("2", "2")
        assert tags["artists"] == "The Weeknd;Chromatics"  # FFmpeg joins Vorbis multi-values
    if v23:
        assert tags["artists"] == "The Weeknd; Chromatics"
    # The embedded picture, extracted by FFmpeg, is byte-identical.
    assert _ffmpeg_cover(path) == COVER
    # An installed ffprobe (another FFmpeg build) must agree; it is never required.
    # Only the fields this test is about: builds differ in extras such as mp4's vendor_id.
    system = _system_ffprobe_tags(path)
    if system is not None:
        checked = ("title", "artist", "album", "album_artist", "date", "track", "disc", "artists")
        assert {k: system.get(k) for k in checked} == {k: tags.get(k) for k in checked}


def test_mp3_frames_v24(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("mp3")
    write_tags(path, FULL)
    raw = ID3(path)
    assert raw.version[:2] == (2, 4)
    assert raw["TXXX:ARTISTS"].text == ["The Weeknd", "Chromatics"]
    assert raw["TPE1"].text == ["The Weeknd & Chromatics"]
    assert raw["TRCK"].text == ["3/12"] and raw["TPOS"].text == ["2/2"]
    assert str(raw["TDRC"].text[0]) == "2020-03-20"
    assert raw["TCMP"].text == ["1"]
    assert raw["TSRC"].text == ["USUG12000497"]
    assert raw["TPE4"].text == ["Chromatics"] and raw["TOPE"].text == ["The Weeknd"]
    assert raw["TXXX:SPOTIFY_ALBUM_ID"].text == ["4yP0hdKOZPNshxUOjY0cZj"]
    assert raw["WOAS"].url == FULL.source_url
    apic = raw.getall("APIC")
    assert len(apic) == 1 and apic[0].type == 3 and apic[0].data == COVER
    assert raw["TXXX:ARTISTS"].encoding == 3  # UTF-8 in v2.4


def test_mp3_frames_v23(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("mp3")
    write_tags(path, FULL, id3v23=True)
    assert path.read_bytes()[:4] == b"ID3\x03"
    raw = ID3(path, translate=False)
    assert raw.version[:2] == (2, 3)
    assert raw["TXXX:ARTISTS"].text == ["The Weeknd; Chromatics"]
    assert raw["TCON"].text == ["Synthpop; Electronic"]
    assert raw["TYER"].text == ["2020"]
    assert "TDRC" not in raw
    assert raw["TXXX:ARTISTS"].encoding == 1  # UTF-16: v2.3 has no UTF-8


def test_flac_and_ogg_pictures_and_multivalues(audio_copy: Callable[[str], Path]) -> None:
    flac_path, ogg_path, opus_path = audio_copy("flac"), audio_copy("ogg"), audio_copy("opus")
    for path in (flac_path, ogg_path, opus_path):
        write_tags(path, FULL)
    flac = FLAC(flac_path)
    assert flac["ARTISTS"] == ["The Weeknd", "Chromatics"]
    assert flac["GENRE"] == ["Synthpop", "Electronic"]
    assert [(p.type, p.mime, p.width, p.height) for p in flac.pictures] == [
        (3, "image/jpeg", 64, 48)
    ]
    for path in (ogg_path, opus_path):
        ogg: Any = mutagen.File(path)
        (encoded,) = ogg["METADATA_BLOCK_PICTURE"]
        pic = FlacPicture(base64.b64decode(encoded))
        assert (pic.type, pic.data) == (3, COVER)
        assert ogg["ARTISTS"] == ["The Weeknd", "Chromatics"]


@pytest.mark.parametrize("fmt", ["aac", "alac"])
def test_mp4_atoms(audio_copy: Callable[[str], Path], fmt: str) -> None:
    path = audio_copy(fmt)
    write_tags(path, FULL)
    mp4 = MP4(path)
    assert mp4["trkn"] == [(3, 12)] and mp4["disk"] == [(2, 2)]
    assert mp4["cpil"] is True
    assert [bytes(v) for v in mp4["----:com.apple.iTunes:ARTISTS"]] == [
        b"The Weeknd",
        b"Chromatics",
    ]
    assert bytes(mp4["covr"][0]) == COVER


@pytest.mark.parametrize("fmt", FORMATS)
def test_png_cover_keeps_its_type(audio_copy: Callable[[str], Path], fmt: str) -> None:
    path = audio_copy(fmt)
    png = png_bytes()
    write_tags(path, TagSet(title="x", cover=Picture.from_bytes(png)))
    cover = read_tags(path).cover
    assert cover == Picture(png, "image/png")


@pytest.mark.parametrize("fmt", FORMATS)
def test_clear_removes_stale_peer_tags(audio_copy: Callable[[str], Path], fmt: str) -> None:
    path = audio_copy(fmt)
    stale = TagSet(
        title="Wrong",
        album="Wrong Album",
        genres=("Junk",),
        ids={"DEEZER_TRACK_ID": "1"},
        cover=Picture(jpeg_bytes(colour=(0, 0, 0))),
    )
    write_tags(path, stale)
    write_tags(path, TagSet(title="Right", artists=("A",)))
    assert read_tags(path) == TagSet(title="Right", artist="A", artists=("A",))


@pytest.mark.parametrize("fmt", FORMATS)
def test_clear_false_keeps_other_tags(audio_copy: Callable[[str], Path], fmt: str) -> None:
    path = audio_copy(fmt)
    write_tags(path, TagSet(album="Kept", ids={"DEEZER_TRACK_ID": "9"}))
    write_tags(path, TagSet(title="New"), clear=False)
    got = read_tags(path)
    assert (got.title, got.album, got.ids) == ("New", "Kept", {"DEEZER_TRACK_ID": "9"})


@pytest.mark.parametrize("fmt", FORMATS)
def test_tagging_is_deterministic(
    audio_copy: Callable[[str], Path], tmp_path: Path, fmt: str
) -> None:
    # The mover relies on this to recognise a re-run of the same move.
    first = audio_copy(fmt)
    second = tmp_path / ("b" + first.name)
    second.write_bytes(first.read_bytes())
    write_tags(first, FULL)
    write_tags(second, FULL)
    assert first.read_bytes() == second.read_bytes()


def test_display_artist_defaults_to_joined_names(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("flac")
    wanted = TagSet(artists=("A", "B", "C"))
    write_tags(path, wanted)
    got = read_tags(path)
    assert got.artist == "A, B & C"
    assert diff_tags(wanted, got) == []


def test_diff_tags_names_differing_fields() -> None:
    assert diff_tags(TagSet(title="a", track_number=1), TagSet(title="b", track_number=1)) == [
        "title"
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.flac", b"this is not audio" * 200),
        ("garbage.mp3", b"\x00" * 10),
        ("empty.m4a", b""),
        ("fake.ogg", b"OggS" + b"\xff" * 100),
    ],
)
def test_broken_audio_raises_tag_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TagError) as err:
        write_tags(path, FULL)
    assert err.value.path == path
    with pytest.raises(TagError):
        read_tags(path)
    assert path.read_bytes() == content  # nothing was written


def test_truncated_m4a_raises_tag_error(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("aac")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(TagError):
        write_tags(path, FULL)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    from soulsync.library.audio import generate_tone

    wav = generate_tone(tmp_path / "x.wav", "wav", 0.5)
    with pytest.raises(TagError, match="unsupported"):
        write_tags(wav, FULL)
    with pytest.raises(TagError, match="no such file"):
        read_tags(tmp_path / "missing.flac")


def test_invalid_id_key_rejected(audio_copy: Callable[[str], Path]) -> None:
    path = audio_copy("flac")
    before = path.read_bytes()
    with pytest.raises(TagError, match="invalid id tag name"):
        write_tags(path, TagSet(ids={"spotify track": "x"}))
    assert path.read_bytes() == before


def test_picture_from_bytes() -> None:
    assert Picture.from_bytes(COVER).mime == "image/jpeg"
    assert Picture.from_bytes(png_bytes()).mime == "image/png"
    with pytest.raises(TagError, match="neither JPEG nor PNG"):
        Picture.from_bytes(b"GIF89a....")


def test_tagset_for_track_and_album() -> None:
    album = Album(
        title="Now 50",
        artists=("Various Artists",),
        album_type=AlbumType.COMPILATION,
        release_date="2001-11-19",
        total_tracks=40,
        total_discs=2,
        genres=("Pop",),
        ids={"spotify": "alb1", "deezer": "99"},
    )
    track = Track(
        title="Digital Love",
        artists=("Daft Punk",),
        track_number=7,
        disc_number=2,
        isrc="GBDUW0000059",
        ids={"spotify": "trk1"},
    )
    tags = tagset_for(track, album, cover=Picture(COVER))
    assert tags == TagSet(
        title="Digital Love",
        artist="Daft Punk",
        artists=("Daft Punk",),
        album="Now 50",
        album_artist="Various Artists",
        track_number=7,
        track_total=40,
        disc_number=2,
        disc_total=2,
        date="2001-11-19",
        isrc="GBDUW0000059",
        genres=("Pop",),
        compilation=True,
        ids={"SPOTIFY_TRACK_ID": "trk1", "SPOTIFY_ALBUM_ID": "alb1", "DEEZER_ALBUM_ID": "99"},
        source_url="https://open.spotify.com/track/trk1",
        cover=Picture(COVER),
    )


def test_tagset_for_track_without_album() -> None:
    track = Track(
        "Solo", ("A", "B"), album="Solo", total_tracks=1, release_date="1999", ids={"deezer": "5"}
    )
    tags = tagset_for(track)
    assert (tags.artist, tags.album, tags.track_total, tags.date) == ("A & B", "Solo", 1, "1999")
    assert tags.source_url == "https://www.deezer.com/track/5"
    assert tags.compilation is False


@pytest.mark.parametrize(("fmt", "v23"), WRITES)
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (
            TagSet(title="t", track_number=0, track_total=12, disc_total=2, date="2020-3-1"),
            TagSet(title="t", date="2020"),
        ),
        (
            TagSet(title="t", track_number=-1, disc_number=1, disc_total=0, date="March 2020"),
            TagSet(title="t", disc_number=1),
        ),
        (TagSet(title="t", date="1999-12"), TagSet(title="t", date="1999-12")),
        (
            TagSet(title="t", artists=("", "B"), genres=("",)),
            TagSet(title="t", artist="B", artists=("B",)),
        ),
    ],
)
def test_odd_values_are_normalised_and_still_verify(
    audio_copy: Callable[[str], Path], fmt: str, v23: bool, given: TagSet, stored: TagSet
) -> None:
    path = audio_copy(fmt)
    write_tags(path, given, id3v23=v23)
    got = read_tags(path)
    if v23 and stored.date == "1999-12":
        stored = TagSet(title="t", date="1999")  # TYER+TDAT cannot hold a month alone
    assert got == stored
    assert diff_tags(given, got, id3v23=v23) == []  # what the mover checks
