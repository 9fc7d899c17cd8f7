"""safe_move on FLAC: metadata tagged apart, audio frames appended byte for byte.

The tagged file is read back by mutagen (tags, cover, length) and decoded at
both ends by FFmpeg (PyAV); the audio frames are compared with the
original's bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TIT2
from PIL import Image

from soulsync.library.audio import probe
from soulsync.library.file_copy import flac_audio_offset
from soulsync.library.safe_move import safe_move
from soulsync.library.tags import Picture, TagSet, read_tags

Place = Callable[[str, str], Path]
Roots = tuple[Path, Path]


def _big_cover() -> bytes:
    """A ~300 KB JPEG: far more than the padding of any downloaded FLAC."""
    out = io.BytesIO()
    Image.effect_noise((800, 800), 60).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def _tags(cover: bytes) -> TagSet:
    return TagSet(title="Song", artists=("Artist",), album="Album", cover=Picture(cover))


def test_flac_with_big_cover_keeps_audio_frames_identical(place: Place, roots: Roots) -> None:
    downloads, library = roots
    source = place("noise", "peer/A/01.flac")
    original = source.read_bytes()
    audio_at = flac_audio_offset(source)
    assert audio_at is not None and audio_at < 64 * 1024
    cover = _big_cover()
    assert len(cover) > 200_000

    result = safe_move(
        source,
        "Artist/Album/01 Song.flac",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(cover),
        probe_copy=True,
    )

    final = result.destination
    data = final.read_bytes()
    new_at = flac_audio_offset(final)
    assert new_at is not None and new_at > len(cover)
    assert data[new_at:] == original[audio_at:]  # every audio byte, untouched
    assert result.size == len(data)
    flac = FLAC(final)
    assert flac["title"] == ["Song"]
    assert [p.data for p in flac.pictures] == [cover]
    assert read_tags(final).cover is not None
    info = probe(final)
    assert info.is_complete and info.duration_s == pytest.approx(20.0, abs=0.01)
    assert flac.info.length == pytest.approx(info.duration_s, abs=0.01)


def test_same_flac_moved_twice_is_identical(place: Place, roots: Roots) -> None:
    # Splitting must be deterministic, or a retried move would not recognise its own file.
    downloads, library = roots
    cover = _big_cover()
    first = place("noise", "peer/A/01.flac")
    r1 = safe_move(
        first, "X/01.flac", library_root=library, downloads_root=downloads, tags=_tags(cover)
    )
    second = place("noise", "peer/B/01.flac")
    r2 = safe_move(
        second, "X/01.flac", library_root=library, downloads_root=downloads, tags=_tags(cover)
    )
    assert r2.status == "already_present" and r2.destination == r1.destination


def test_id3_prefixed_flac_is_copied_whole_and_still_tagged(
    place: Place, roots: Roots, cover_jpeg: bytes
) -> None:
    downloads, library = roots
    source = place("flac", "peer/A/01.flac")
    tag = ID3()
    tag.add(TIT2(encoding=3, text="old"))
    tag.save(source)  # some rippers put an ID3v2 tag before "fLaC"
    assert source.read_bytes()[:3] == b"ID3"
    assert flac_audio_offset(source) is None

    result = safe_move(
        source,
        "A/01.flac",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(cover_jpeg),
    )
    assert read_tags(result.destination).title == "Song"
    assert probe(result.destination).is_complete
